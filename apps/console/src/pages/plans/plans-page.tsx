import { useCallback, useEffect, useState } from 'react';
import type { PlanSummaryView, PlanView, ResponseLevel, ResponseSummaryView, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import '../../styles/plans.css';
import { beijingShort } from '../warnings/beijing-time.js';
import type { Choices } from './plan-action-fields.js';
import { planApi } from './plan-api.js';
import { PlanEditor } from './plan-editor.js';
import { levelText, planErrorText } from './plan-model.js';
import { ResponseBoard } from './response-board.js';

const mayWrite = (u: UserView) => u.role === 'admin' || u.role === 'commander';

/**
 * 预案: the plans in reach, a plan's levels, 启动响应 (level picker and a confirm step), the
 * responses and one response's board (docs/plans.md).
 */
export default function PlansPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [plans, setPlans] = useState<PlanSummaryView[]>([]);
  const [responses, setResponses] = useState<ResponseSummaryView[]>([]);
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [editing, setEditing] = useState<'new' | 'version' | null>(null);
  const [choices, setChoices] = useState<Choices>({ sites: [], teams: [], templates: [] });
  const [level, setLevel] = useState<ResponseLevel | ''>('');
  const [drill, setDrill] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [boardId, setBoardId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fail = useCallback((err: unknown) => setError(planErrorText(err, t)), [t]);

  const loadLists = useCallback(() => {
    planApi.list().then(setPlans, fail);
    planApi.responses().then(setResponses, fail);
  }, [fail]);
  useEffect(loadLists, [loadLists]);
  useEffect(() => {
    if (!mayWrite(user)) return;
    Promise.all([api.sites(), planApi.teams(), api.templates()]).then(
      ([sites, teams, templates]) => setChoices({ sites, teams, templates }),
      fail,
    );
  }, [user, fail]);
  const open = (id: string) =>
    planApi.get(id).then((p) => {
      setPlan(p);
      setLevel(p.levels[0]?.level ?? '');
      setConfirming(false);
    }, fail);

  const start = async () => {
    if (!plan || !level) return;
    try {
      const started = await planApi.start({ planId: plan.id, level, ...(drill ? { drill: true } : {}) });
      setConfirming(false);
      setNotice(t('plan.started'));
      setError(null);
      setBoardId(started.id);
      loadLists();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <div className="plans-page">
      <div className="plan-top">
        <h1>{t('plan.title')}</h1>
        {mayWrite(user) && !editing && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            {t('plan.new')}
          </button>
        )}
        {notice && (
          <p role="status" className="ok" data-testid="plan-notice">
            {notice}
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </div>
      {editing && (
        <PlanEditor
          key={editing === 'new' ? 'new' : `${plan?.id}:${plan?.version}`}
          plan={editing === 'version' ? plan : null}
          choices={choices}
          onClose={() => setEditing(null)}
          onSaved={(id) => {
            setEditing(null);
            setNotice(t('plan.saved'));
            loadLists();
            void open(id);
          }}
        />
      )}
      <div className="plan-columns">
        <ul className="card plan-list" aria-label={t('plan.title')}>
          {plans.length === 0 && <li className="empty">{t('plan.empty')}</li>}
          {plans.map((p) => (
            <li key={p.id} data-plan-id={p.id}>
              <button
                type="button"
                aria-current={p.id === plan?.id ? 'true' : undefined}
                onClick={() => void open(p.id)}
              >
                <strong>{p.name}</strong>
                <span className="plan-meta">
                  {t(`plan.hazard.${p.hazard}`)} · {p.siteName} · {t('plan.version')} {p.latestVersion} ·{' '}
                  {p.levels.map(levelText).join(t('plan.listSep'))}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <ul className="card plan-list" aria-label={t('plan.responses')}>
          {responses.length === 0 && <li className="empty">{t('plan.noResponses')}</li>}
          {responses.map((x) => (
            <li key={x.id} data-response-id={x.id} data-state={x.state}>
              <button
                type="button"
                aria-current={x.id === boardId ? 'true' : undefined}
                onClick={() => setBoardId(x.id)}
              >
                {x.drill && <span className="badge drill">{t('plan.drill')}</span>}{' '}
                <strong>{x.planName}</strong>
                <span className="plan-meta">
                  {levelText(x.level)} · {t(`plan.state.${x.state}`)} · {beijingShort(x.startedAt)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      {plan && (
        <article className="card plan-detail" data-testid="plan-detail" data-plan-id={plan.id}>
          <h2>
            {plan.name}{' '}
            <span className="plan-meta">
              {t(`plan.hazard.${plan.hazard}`)} · {t('plan.version')} {plan.version}
            </span>
          </h2>
          {plan.levels.map((l) => (
            <p key={l.level}>
              <strong>{levelText(l.level)}</strong>：
              {l.actions.map((a) => t(`plan.kind.${a.kind}`)).join(t('plan.listSep')) || t('plan.noActions')}
            </p>
          ))}
          {mayWrite(user) && (
            <div className="plan-buttons">
              <button type="button" onClick={() => setEditing('version')}>
                {t('plan.edit')}
              </button>
              <label>
                {t('plan.startLevel')}
                <select
                  name="start-level"
                  value={level}
                  onChange={(e) => setLevel(e.target.value as ResponseLevel)}
                >
                  {plan.levels.map((l) => (
                    <option key={l.level} value={l.level}>
                      {levelText(l.level)}
                    </option>
                  ))}
                </select>
              </label>
              <label className="plan-check">
                <input
                  type="checkbox"
                  name="start-drill"
                  checked={drill}
                  onChange={(e) => setDrill(e.target.checked)}
                />
                {t('plan.startDrill')}
              </label>
              <button type="button" className="primary" disabled={!level} onClick={() => setConfirming(true)}>
                {t('plan.start')}
              </button>
            </div>
          )}
          {confirming && level && (
            <p className="plan-confirm">
              {t('plan.startConfirmText')} {levelText(level)}
              {t('plan.response')}？
              <button type="button" className="danger" onClick={() => void start()}>
                {t('plan.startConfirm')}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                {t('plan.cancel')}
              </button>
            </p>
          )}
        </article>
      )}
      {boardId && <ResponseBoard key={boardId} id={boardId} user={user} onChanged={loadLists} />}
    </div>
  );
}
