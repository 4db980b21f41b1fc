import { useMemo, useState, type FormEvent } from 'react';
import type {
  DirectiveLevel,
  DirectiveTemplateView,
  IssueDirectiveRequest,
  SiteGroupView,
  SiteView,
} from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';
import { LEVEL_LABEL, LEVELS } from '../../lib/levels.js';
import { buildTree, SiteTree } from './site-tree.js';

interface Props {
  sites: SiteView[];
  groups: SiteGroupView[];
  templates: DirectiveTemplateView[];
  onSent: (id: string) => void;
}

const toggle = (set: Set<string>, id: string) => {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
};

/** 下发指令: title, body, level, targets from the tree / groups / a template; red asks first. */
export function Compose({ sites, groups, templates, onSent }: Props) {
  const { t } = useI18n();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [level, setLevel] = useState<DirectiveLevel>('yellow');
  const [minutes, setMinutes] = useState('');
  const [siteIds, setSiteIds] = useState<Set<string>>(new Set());
  const [groupIds, setGroupIds] = useState<Set<string>>(new Set());
  const [all, setAll] = useState(false);
  const [children, setChildren] = useState(false);
  const [drill, setDrill] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const roots = useMemo(() => buildTree(sites), [sites]);

  const applyTemplate = (id: string) => {
    const tpl = templates.find((x) => x.id === id);
    if (!tpl) return;
    setTitle(tpl.title);
    setBody(tpl.body);
    setLevel(tpl.level);
    setMinutes(tpl.ackWithinSeconds ? String(Math.round(tpl.ackWithinSeconds / 60)) : '');
    if (tpl.targets) {
      setSiteIds(new Set(tpl.targets.siteIds ?? []));
      setGroupIds(new Set(tpl.targets.groupIds ?? []));
      setAll(tpl.targets.all ?? false);
      setChildren(tpl.targets.includeChildren ?? false);
    }
  };

  const request = (): IssueDirectiveRequest => ({
    title,
    body,
    level,
    targets: {
      ...(all ? { all: true } : {}),
      ...(siteIds.size ? { siteIds: [...siteIds] } : {}),
      ...(groupIds.size ? { groupIds: [...groupIds] } : {}),
      ...(children ? { includeChildren: true } : {}),
    },
    ...(minutes.trim() ? { ackWithinSeconds: Math.round(Number(minutes) * 60) } : {}),
    ...(drill ? { drill: true } : {}),
  });

  const send = async () => {
    setConfirming(false);
    setBusy(true);
    setStatus(null);
    try {
      const res = await api.issue(request());
      setStatus({ ok: true, text: `${t('sent')}: ${res.serial}` });
      setTitle('');
      setBody('');
      onSent(res.id);
    } catch (err) {
      setStatus({ ok: false, text: `${t('errorPrefix')}: ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (level === 'red') setConfirming(true);
    else void send();
  };

  return (
    <form className="card compose" onSubmit={submit} aria-labelledby="compose-title">
      <h2 id="compose-title">{t('compose')}</h2>
      {templates.length > 0 && (
        <label>
          {t('template')}
          <select defaultValue="" onChange={(e) => applyTemplate(e.target.value)}>
            <option value="">{t('noTemplate')}</option>
            {templates.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t('title')}
        <input
          name="title"
          required
          maxLength={200}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
      </label>
      <label>
        {t('body')}
        <textarea name="body" required rows={4} value={body} onChange={(e) => setBody(e.target.value)} />
      </label>
      <div className="row">
        <label>
          {t('level')}
          <select name="level" value={level} onChange={(e) => setLevel(e.target.value as DirectiveLevel)}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(LEVEL_LABEL[l])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('ackWithinMinutes')}
          <input
            name="ackWithin"
            type="number"
            min={1}
            step={1}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
          />
        </label>
      </div>
      <fieldset>
        <legend>{t('targets')}</legend>
        <label>
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          {t('allTownships')}
        </label>
        <label>
          <input type="checkbox" checked={children} onChange={(e) => setChildren(e.target.checked)} />
          {t('includeChildren')}
        </label>
        <label>
          <input type="checkbox" checked={drill} onChange={(e) => setDrill(e.target.checked)} />
          {t('drill')}
        </label>
        {groups.length > 0 && (
          <fieldset>
            <legend>{t('groups')}</legend>
            {groups.map((g) => (
              <label key={g.id}>
                <input
                  type="checkbox"
                  checked={groupIds.has(g.id)}
                  onChange={() => setGroupIds((s) => toggle(s, g.id))}
                />
                {g.name}
              </label>
            ))}
          </fieldset>
        )}
        <fieldset className="tree-box">
          <legend>{t('siteTree')}</legend>
          <SiteTree roots={roots} selected={siteIds} onToggle={(id) => setSiteIds((s) => toggle(s, id))} />
        </fieldset>
      </fieldset>
      <button type="submit" className={`primary send level-${level}`} disabled={busy}>
        {busy ? t('sending') : t('send')}
      </button>
      {status && (
        <p role={status.ok ? 'status' : 'alert'} className={status.ok ? 'ok' : 'error'}>
          {status.text}
        </p>
      )}
      {confirming && (
        <div
          className="modal"
          role="alertdialog"
          aria-modal="true"
          aria-labelledby="confirm-title"
          aria-describedby="confirm-body"
        >
          <div className="card">
            <h3 id="confirm-title">{t('confirmRed')}</h3>
            <p id="confirm-body">{t('confirmRedBody')}</p>
            <button type="button" className="primary level-red" autoFocus onClick={() => void send()}>
              {t('confirm')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t('cancel')}
            </button>
          </div>
        </div>
      )}
    </form>
  );
}
