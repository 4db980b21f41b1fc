import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type {
  ConsultationView,
  CreateConsultationRequest,
  DirectiveSummaryView,
  DrillView,
  SiteView,
  UserView,
} from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, ApiError, errorText } from '../../lib/api.js';
import { buildTree, SiteTree } from '../board/site-tree.js';
import { drillApi } from '../drills/drill-api.js';
import { drillErrorText } from '../drills/drill-errors.js';
import { formatWhen } from './invitation.js';

/**
 * Before joining: the open consultations (one click joins) and, for those who may host, the
 * form: title, 邀请单位 as the site tree, an optional directive, an optional drill (演练: the
 * tree then offers only the drill's sites, as the hub refuses any other) and a start time.
 */
export function ConsultLobby(props: {
  user: UserView;
  list: ConsultationView[];
  sites: SiteView[];
  msg: string | null;
  notice: string | null;
  onJoin: (id: string) => void;
  onCreated: (c: ConsultationView, joinNow: boolean) => void;
}) {
  const { user, list, sites } = props;
  const { t, lang } = useI18n();
  const [title, setTitle] = useState('');
  const [invite, setInvite] = useState<Set<string>>(new Set());
  const [directiveId, setDirectiveId] = useState('');
  const [when, setWhen] = useState('');
  const [directives, setDirectives] = useState<DirectiveSummaryView[]>([]);
  const [drillId, setDrillId] = useState('');
  const [drills, setDrills] = useState<DrillView[]>([]);
  const [err, setErr] = useState<string | null>(null);
  const canCreate = user.role !== 'duty_officer';
  const drill = drills.find((d) => d.id === drillId);
  const roots = useMemo(() => {
    const inDrill = drill && new Set(drill.sites.map((s) => s.id));
    return buildTree(sites.filter((s) => s.id !== user.siteId && (!inDrill || inDrill.has(s.id))));
  }, [sites, user.siteId, drill]);
  const open = list.filter((c) => c.state !== 'ended');

  useEffect(() => {
    if (!canCreate) return;
    api.directives(50).then(setDirectives, (e: unknown) => setErr(errorText(e)));
    // an ended drill takes no new items: only the scheduled and running ones are offered
    drillApi.list().then(
      (list) => setDrills(list.filter((d) => d.state !== 'ended')),
      (e: unknown) => setErr(errorText(e)),
    );
  }, [canCreate]);

  const pickDrill = (id: string) => {
    setDrillId(id);
    const chosen = drills.find((d) => d.id === id);
    if (!chosen) return;
    const inDrill = new Set(chosen.sites.map((s) => s.id));
    setInvite((cur) => new Set([...cur].filter((s) => inDrill.has(s))));
  };

  const create = (e: FormEvent) => {
    e.preventDefault();
    setErr(null);
    const req: CreateConsultationRequest = { title, siteIds: [...invite] };
    if (directiveId) req.directiveId = directiveId;
    if (drillId) req.drillId = drillId;
    const at = when ? new Date(when) : null;
    if (at) req.scheduledAt = at.toISOString();
    api.createConsultation(req).then(
      (c) => {
        setTitle('');
        setInvite(new Set());
        setDirectiveId('');
        setDrillId('');
        setWhen('');
        props.onCreated(c, !at || at.getTime() <= Date.now());
      },
      (e2: unknown) => {
        // a drill that ended or vanished since the list was read: say so in the drill's words
        if (!drillRefusal(e2)) setErr(errorText(e2));
        else setErr(e2.status === 404 ? t('drill.err.notFound') : drillErrorText(e2, t));
      },
    );
  };
  const message = props.msg ?? err;

  return (
    <section className="card consult" aria-labelledby="consult-title">
      <h2 id="consult-title">{t('consult')}</h2>
      {message && (
        <p role="alert" className="error">
          {t('errorPrefix')}: {message}
        </p>
      )}
      {props.notice && (
        <p role="status" className="consult-notice" data-testid="consult-notice">
          {props.notice}
        </p>
      )}
      <ul className="dir-list consult-list">
        {open.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="join"
              onClick={() => props.onJoin(c.id)}
              data-testid="consult-join"
            >
              {t('join')}: {c.title}
              {c.drill && (
                <span className="drill-badge" data-testid="consult-drill">
                  {t('drill.badge')}
                </span>
              )}
              <small>
                {c.state === 'live' ? t('consult.stateLive') : t('consult.stateScheduled')}
                {c.scheduledAt && ` · ${t('consult.scheduledFor')} ${formatWhen(c.scheduledAt, lang)}`}
              </small>
            </button>
          </li>
        ))}
      </ul>
      {open.length === 0 && <p>{t('noConsultations')}</p>}
      {canCreate && (
        <form onSubmit={create} className="provision consult-form">
          <h3>{t('newConsultation')}</h3>
          <label>
            {t('title')}
            <input required value={title} onChange={(e) => setTitle(e.target.value)} />
          </label>
          <fieldset className="tree-box">
            <legend>{t('consult.invitees')}</legend>
            <SiteTree
              roots={roots}
              selected={invite}
              onToggle={(id) =>
                setInvite((cur) => {
                  const next = new Set(cur);
                  if (next.has(id)) next.delete(id);
                  else next.add(id);
                  return next;
                })
              }
            />
          </fieldset>
          <label>
            {t('consult.directive')}
            <select value={directiveId} onChange={(e) => setDirectiveId(e.target.value)}>
              <option value="">{t('consult.noDirective')}</option>
              {directives.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.serial} {d.title}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('drill.consultPick')}
            <select
              value={drillId}
              onChange={(e) => pickDrill(e.target.value)}
              data-testid="consult-drill-pick"
            >
              <option value="">{t('drill.consultNone')}</option>
              {drills.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                  {d.state === 'scheduled' ? ` (${t('drill.state.scheduled')})` : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('consult.schedule')}
            <input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
          </label>
          <button type="submit" className="primary">
            {when ? t('consult.scheduleOnly') : t('startConsultation')}
          </button>
        </form>
      )}
    </section>
  );
}

/** The hub names `drillId` in every refusal of the drill link (404, 409, 422). */
function drillRefusal(e: unknown): e is ApiError {
  return e instanceof ApiError && !!e.facts.fields?.some((f) => f.path === 'drillId');
}
