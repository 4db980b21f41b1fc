import { useState } from 'react';
import type { DeliveryChannelName, DirectiveRecipientView } from '#contracts';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { isAcked, STATE_LABEL } from '../../lib/levels.js';
import { formatSpan, formatTime } from '../../lib/time.js';
import { recipientKey, stepLabel } from './escalations.js';
import { RecipientActions } from './recipient-actions.js';

type Filter = 'all' | 'notAcked' | 'overdue';
const FILTERS: { id: Filter; label: MessageKey }[] = [
  { id: 'all', label: 'filterAll' },
  { id: 'notAcked', label: 'filterNotAcked' },
  { id: 'overdue', label: 'filterOverdue' },
];
const CHANNELS: { id: DeliveryChannelName; label: MessageKey }[] = [
  { id: 'console', label: 'chConsole' },
  { id: 'terminal', label: 'chTerminal' },
  { id: 'radio', label: 'chRadio' },
];

/** A press time this far from the hub's receipt is shown with the receipt too (an outage, a slow link). */
const RECEIPT_SHOWN_AFTER_MS = 60_000;

/**
 * When 签收 was pressed (a terminal's own time, bounded by the hub) and, when that is
 * meaningfully earlier, when the hub received it; a clamped device clock is marked.
 */
function AckTimeCell({ r }: { r: DirectiveRecipientView }) {
  const { t, lang } = useI18n();
  const pressed = r.acknowledgedPressedAt ?? r.acknowledgedAt;
  const late =
    pressed !== null &&
    r.acknowledgedAt !== null &&
    new Date(r.acknowledgedAt).getTime() - new Date(pressed).getTime() >= RECEIPT_SHOWN_AFTER_MS;
  const skew = r.acknowledgedClockSkew;
  return (
    <td data-testid="ack-time">
      <span>{formatTime(pressed, lang)}</span>
      {skew && (
        <span
          className="clock-skew"
          data-testid="ack-clock-skew"
          title={t(skew === 'ahead' ? 'ackClockAhead' : 'ackClockBehind')}
        >
          {' '}
          ⚠ {t('ackClockSkew')}
        </span>
      )}
      {late && (
        <small className="ack-received" data-testid="ack-received-at">
          <br />
          {t('ackReceivedAt')} {formatTime(r.acknowledgedAt, lang)}
        </small>
      )}
    </td>
  );
}

/** What one channel did for a recipient: acknowledged through it, delivered through it, or nothing yet. */
function channelCell(
  r: DirectiveRecipientView,
  ch: DeliveryChannelName,
): { cls: string; key: MessageKey | null } {
  if (r.acknowledgedVia === ch) return { cls: 'ch-acked', key: 'stAcknowledged' };
  if (r.deliveredVia === ch) return { cls: 'ch-delivered', key: 'stDelivered' };
  return { cls: 'ch-none', key: null };
}

interface Props {
  directiveId: string;
  ackBy: string;
  recipients: DirectiveRecipientView[];
  /** each site's place in region-code order (site-tree.ts siteRank) */
  rank: ReadonlyMap<string, number>;
  /** recipients whose step 2 found no leader on duty (escalations.ts recipientKey) */
  noLeader: ReadonlySet<string>;
  now: number;
  live: boolean;
  /** the site's duty phone (sites' `dutyPhone`), to ring when it does not answer */
  dutyPhone: (siteId: string) => string | null;
}

export function RecipientsGrid({
  directiveId,
  ackBy,
  recipients,
  rank,
  noLeader,
  now,
  live,
  dutyPhone,
}: Props) {
  const { t, lang } = useI18n();
  const [filter, setFilter] = useState<Filter>('all');
  const due = new Date(ackBy).getTime();
  // each site's own deadline: one added by a warning's widened area has a later one
  const isOverdue = (r: DirectiveRecipientView) =>
    !isAcked(r.state) && (r.overdue || now > (r.ackDeadline ? Date.parse(r.ackDeadline) : due));
  const place = (r: DirectiveRecipientView) => rank.get(r.siteId) ?? Number.MAX_SAFE_INTEGER;
  const shown = recipients
    .filter((r) => (filter === 'all' ? true : filter === 'notAcked' ? !isAcked(r.state) : isOverdue(r)))
    // what needs chasing on top: overdue first, then the county's own order
    .sort((a, b) => Number(isOverdue(b)) - Number(isOverdue(a)) || place(a) - place(b));
  return (
    <section aria-labelledby="grid-title">
      <div className="grid-head">
        <h3 id="grid-title">{t('recipients')}</h3>
        <div role="group" aria-label={t('filter')} className="filters">
          {FILTERS.map((f) => (
            <button key={f.id} type="button" aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
              {t(f.label)}
            </button>
          ))}
        </div>
      </div>
      <div className="grid-wrap">
        <table className="grid board-grid">
          <thead>
            <tr>
              {/* fixed widths by class (board.css): a state change never moves a column */}
              <th scope="col" className="c-site">
                {t('site')}
              </th>
              <th scope="col" className="c-state">
                {t('state')}
              </th>
              {CHANNELS.map((c) => (
                <th scope="col" key={c.id} className="c-ch">
                  {t(c.label)}
                </th>
              ))}
              <th scope="col" className="c-time">
                {t('delivered')}
              </th>
              <th scope="col" className="c-time">
                {t('acknowledgedAt')}
              </th>
              <th scope="col" className="c-count">
                {t('countdown')}
              </th>
              <th scope="col" className="c-step">
                {t('escalation')}
              </th>
              <th scope="col" className="c-actions">
                {t('actions')}
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const open = !isAcked(r.state);
              const overdue = isOverdue(r);
              const leaderMissing = r.noLeader || noLeader.has(recipientKey(directiveId, r.siteId));
              const phone = dutyPhone(r.siteId);
              return (
                <tr
                  key={r.siteId}
                  data-testid="recipient-row"
                  data-site-name={r.siteName}
                  data-state={r.state}
                  data-overdue={overdue}
                  className={`st-${r.state}${overdue ? ' row-overdue' : ''}`}
                >
                  <th scope="row">
                    {r.siteName}
                    {phone && (
                      <a
                        className="duty-phone"
                        href={`tel:${phone}`}
                        title={t('board.dutyPhone')}
                        aria-label={`${t('board.dutyPhone')} ${phone}`}
                        data-testid="duty-phone"
                      >
                        ☎ {phone}
                      </a>
                    )}
                  </th>
                  <td>
                    <span className={`state st-${r.state}`}>{t(STATE_LABEL[r.state])}</span>
                    {r.feedback && <p className="fb">{r.feedback}</p>}
                  </td>
                  {CHANNELS.map((c) => {
                    const cell = channelCell(r, c.id);
                    return (
                      <td key={c.id} className={`c-ch ${cell.cls}`}>
                        {cell.key ? t(cell.key) : '—'}
                      </td>
                    );
                  })}
                  <td>{formatTime(r.deliveredAt, lang)}</td>
                  <AckTimeCell r={r} />
                  <td className={open && now > due ? 'overdue' : ''}>
                    {open && live ? (now > due ? '-' : '') + formatSpan(due - now) : '—'}
                  </td>
                  <td data-testid="escalation-step" data-level={r.escalationLevel}>
                    {r.escalationLevel > 0 ? t(stepLabel(r.escalationLevel)) : '—'}
                    {leaderMissing && (
                      <span className="no-leader" data-testid="no-leader">
                        {t('board.noLeader')}
                      </span>
                    )}
                  </td>
                  <td>{live && <RecipientActions directiveId={directiveId} r={r} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
