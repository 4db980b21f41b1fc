import type { DirectiveSummaryView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { isAcked, LEVEL_LABEL } from '../../lib/levels.js';
import { type EscalationToast, recipientKey, stepLabel } from './escalations.js';
import type { LiveBoard } from './use-boards.js';

/** Each escalation step as it happens: seen at once, whatever the board is showing. */
export function EscalationToasts({
  toasts,
  dismiss,
  onOpen,
}: {
  toasts: EscalationToast[];
  dismiss: (key: string) => void;
  onOpen: (directiveId: string) => void;
}) {
  const { t } = useI18n();
  return (
    <div className="toasts" aria-label={t('board.notifications')} role="region">
      {toasts.map((x) => (
        <div
          key={x.key}
          role="alert"
          className={`toast level-${x.level}`}
          data-testid="escalation-toast"
          data-step={x.step}
          data-at={x.at}
          data-shown-at={x.shownAt}
        >
          <button type="button" className="toast-body" onClick={() => onOpen(x.directiveId)}>
            <strong>
              {x.siteName} {t('board.escalated')} · {t(stepLabel(x.escalationLevel))}
            </strong>
            <span>
              {t(LEVEL_LABEL[x.level])} {x.serial} {x.title}
            </span>
            {x.noLeader && <span className="no-leader">{t('board.noLeader')}</span>}
          </button>
          <button
            type="button"
            className="toast-close"
            aria-label={t('board.dismiss')}
            onClick={() => dismiss(x.key)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

interface QueueProps {
  list: DirectiveSummaryView[];
  boards: Record<string, LiveBoard>;
  rank: ReadonlyMap<string, number>;
  noLeader: ReadonlySet<string>;
  now: number;
  onOpen: (directiveId: string) => void;
}

/** The standing 超时未签收 queue: every site past its deadline on an open directive, furthest escalated first. */
export function OverdueQueue({ list, boards, rank, noLeader, now, onOpen }: QueueProps) {
  const { t } = useI18n();
  const items = list.flatMap((d) => {
    const b = boards[d.id];
    if (!b || b.status !== 'issued' || d.status !== 'issued') return [];
    const pastDue = now > new Date(d.ackBy).getTime();
    return Object.values(b.recipients)
      .filter((r) => !isAcked(r.state) && r.state !== 'expired' && (r.overdue || pastDue))
      .map((r) => ({ d, r }));
  });
  items.sort(
    (a, b) =>
      b.r.escalationLevel - a.r.escalationLevel ||
      (rank.get(a.r.siteId) ?? Infinity) - (rank.get(b.r.siteId) ?? Infinity),
  );
  return (
    <section className="card overdue-queue" aria-labelledby="queue-title" data-testid="overdue-queue">
      <h2 id="queue-title">
        {t('board.overdueQueue')} <span className="count">{items.length}</span>
      </h2>
      {items.length === 0 ? (
        <p className="hint">{t('board.queueEmpty')}</p>
      ) : (
        <ul>
          {items.map(({ d, r }) => {
            const missing = r.noLeader || noLeader.has(recipientKey(d.id, r.siteId));
            return (
              <li key={`${d.id}:${r.siteId}`} data-testid="queue-item" data-site-name={r.siteName}>
                <button type="button" onClick={() => onOpen(d.id)}>
                  <span className={`badge level-${d.level}`}>{t(LEVEL_LABEL[d.level])}</span>
                  <strong className="q-site">{r.siteName}</strong>
                  <span className="q-step" data-testid="queue-step">
                    {t(stepLabel(r.escalationLevel))}
                  </span>
                  <span className="q-title">{d.title}</span>
                  {missing && (
                    <span className="no-leader" data-testid="queue-no-leader">
                      ⚠ {t('board.noLeader')}
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
