import { useCallback, useEffect, useState } from 'react';
import type { ResponseLevel, ResponseView, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { planApi } from './plan-api.js';
import { elapsedText, fill, LEVELS, levelText, planErrorText } from './plan-model.js';

/** The board polls: a response changes at human pace, and 5 s keeps 签收 counts fresh enough. */
const POLL_MS = 5000;

/**
 * The response board (响应看板): the big level badge, time since start, each action with its
 * state and counts (发/达/签收/反馈), the teams' status, and for a commander 升级/降级 and 终止.
 */
export function ResponseBoard({
  id,
  user,
  onChanged,
}: {
  id: string;
  user: UserView;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const [r, setR] = useState<ResponseView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [target, setTarget] = useState<ResponseLevel | null>(null);
  const [ending, setEnding] = useState(false);
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const commands = user.role === 'admin' || user.role === 'commander';

  const load = useCallback(() => {
    planApi.response(id).then(
      (v) => {
        setR(v);
        setTick(0);
      },
      (err) => setError(planErrorText(err, t)),
    );
  }, [id, t]);
  useEffect(() => {
    load();
    const poll = setInterval(load, POLL_MS);
    const clock = setInterval(() => setTick((n) => n + 1), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(clock);
    };
  }, [load]);

  const act = async (run: () => Promise<ResponseView>) => {
    setBusy(true);
    try {
      setR(await run());
      setError(null);
      setTarget(null);
      setEnding(false);
      onChanged();
    } catch (err) {
      setError(planErrorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  if (!r)
    return error ? (
      <p role="alert" className="error">
        {error}
      </p>
    ) : null;
  const active = r.state === 'active';
  return (
    <article
      className="card response-board"
      data-testid="response-board"
      data-state={r.state}
      data-level={r.level}
    >
      <header className="response-head">
        <span className={`response-level level-${r.level}`} data-testid="response-level">
          {levelText(r.level)}
          {t('plan.response')}
        </span>
        {r.drill && (
          <span className="badge drill" data-testid="response-drill">
            {t('plan.drill')}
          </span>
        )}
        <div>
          <h2>{r.planName}</h2>
          <p className="plan-meta">
            {t(`plan.state.${r.state}`)} · {t('plan.elapsed')}{' '}
            {elapsedText(r.elapsedSeconds + (active ? tick : 0), t)} · {t('plan.history')}:{' '}
            {r.levels.map((l) => levelText(l.level)).join(' → ')}
          </p>
        </div>
      </header>
      <table className="response-actions">
        <tbody>
          {r.actions.map((a) => (
            <tr key={a.id} data-kind={a.kind} data-state={a.state}>
              <td>{levelText(a.level)}</td>
              <td>{t(`plan.kind.${a.kind}`)}</td>
              <td>{a.title}</td>
              <td className={`act-${a.state}`}>
                {t(`plan.act.${a.state}`)}
                {a.reason && <span className="plan-reason"> {a.reason}</span>}
              </td>
              <td>
                {a.counts && (
                  <span data-testid="action-counts">{fill(t('plan.counts'), { ...a.counts })}</span>
                )}
                {a.consultation &&
                  t(`plan.consult.${a.consultation.state as 'scheduled' | 'live' | 'ended'}`)}
                {a.teams.map((x) => (
                  <span key={x.id} className="plan-team" data-team-id={x.id} data-status={x.status}>
                    {x.name}：
                    {t(`plan.team.${x.status as 'available' | 'alerted' | 'deployed' | 'unavailable'}`)}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.problems > 0 && (
        <p role="alert" className="error">
          {r.problems} {t('plan.problems')}
          {commands && active && (
            <button type="button" disabled={busy} onClick={() => void act(() => planApi.retry(r.id))}>
              {t('plan.retry')}
            </button>
          )}
        </p>
      )}
      {commands && active && (
        <div className="plan-buttons">
          {LEVELS.filter((l) => l !== r.level).map((l) => (
            <button key={l} type="button" data-level={l} onClick={() => setTarget(l)}>
              {LEVELS.indexOf(l) < LEVELS.indexOf(r.level) ? t('plan.raise') : t('plan.lower')} {levelText(l)}
            </button>
          ))}
          <button type="button" className="danger" onClick={() => setEnding(true)}>
            {t('plan.end')}
          </button>
        </div>
      )}
      {target && (
        <p className="plan-confirm">
          {t('plan.levelConfirm')} {levelText(target)}？
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void act(() => planApi.level(r.id, { level: target }))}
          >
            {t('plan.levelConfirmButton')}
          </button>
          <button type="button" onClick={() => setTarget(null)}>
            {t('plan.cancel')}
          </button>
        </p>
      )}
      {ending && (
        <div className="plan-confirm">
          <label>
            {t('plan.endSummary')}
            <textarea
              name="end-summary"
              rows={3}
              value={summary}
              onChange={(e) => setSummary(e.target.value)}
            />
          </label>
          <button
            type="button"
            className="danger"
            disabled={busy || !summary.trim()}
            onClick={() => void act(() => planApi.end(r.id, summary))}
          >
            {t('plan.endConfirm')}
          </button>
          <button type="button" onClick={() => setEnding(false)}>
            {t('plan.cancel')}
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </article>
  );
}
