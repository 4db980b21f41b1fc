import { useState } from 'react';
import type { DeliveryChannelName, DirectiveRecipientView } from '#contracts';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { isAcked, STATE_LABEL } from '../../lib/levels.js';
import { formatSpan, formatTime } from '../../lib/time.js';
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
  now: number;
  live: boolean;
}

export function RecipientsGrid({ directiveId, ackBy, recipients, now, live }: Props) {
  const { t, lang } = useI18n();
  const [filter, setFilter] = useState<Filter>('all');
  const due = new Date(ackBy).getTime();
  const shown = recipients.filter((r) =>
    filter === 'all'
      ? true
      : filter === 'notAcked'
        ? !isAcked(r.state)
        : r.overdue || (!isAcked(r.state) && now > due),
  );
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
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">{t('site')}</th>
            <th scope="col">{t('state')}</th>
            {CHANNELS.map((c) => (
              <th scope="col" key={c.id}>
                {t(c.label)}
              </th>
            ))}
            <th scope="col">{t('delivered')}</th>
            <th scope="col">{t('acknowledgedAt')}</th>
            <th scope="col">{t('countdown')}</th>
            <th scope="col">{t('escalation')}</th>
            <th scope="col">{t('actions')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => {
            const open = !isAcked(r.state);
            return (
              <tr
                key={r.siteId}
                data-testid="recipient-row"
                data-site-name={r.siteName}
                data-state={r.state}
                className={`st-${r.state}`}
              >
                <th scope="row">{r.siteName}</th>
                <td>
                  <span className={`state st-${r.state}`}>{t(STATE_LABEL[r.state])}</span>
                  {r.feedback && <p className="fb">{r.feedback}</p>}
                </td>
                {CHANNELS.map((c) => {
                  const cell = channelCell(r, c.id);
                  return (
                    <td key={c.id} className={cell.cls}>
                      {cell.key ? t(cell.key) : '—'}
                    </td>
                  );
                })}
                <td>{formatTime(r.deliveredAt, lang)}</td>
                <td>{formatTime(r.acknowledgedAt, lang)}</td>
                <td className={open && now > due ? 'overdue' : ''}>
                  {open && live ? (now > due ? '-' : '') + formatSpan(due - now) : '—'}
                </td>
                <td>{r.escalationLevel}</td>
                <td>{live && <RecipientActions directiveId={directiveId} r={r} />}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
