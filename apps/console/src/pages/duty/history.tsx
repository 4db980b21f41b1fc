import { useMemo, useState } from 'react';
import type { DirectiveSummaryView, RecipientState } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { LEVEL_LABEL, STATE_LABEL } from '../../lib/levels.js';
import { formatTime } from '../../lib/time.js';

/** Furthest first: a site that has 反馈'd has also 签收'd, and must read 已办结. */
const FURTHEST: RecipientState[] = ['completed', 'acknowledged', 'expired', 'failed', 'delivered', 'pending'];

/** The site's own state on a directive, from the per-state counts (scoped to the site). */
function myState(s: DirectiveSummaryView): RecipientState | null {
  return FURTHEST.find((k) => (s.counts[k] ?? 0) > 0) ?? null;
}

export function History({ items }: { items: DirectiveSummaryView[] }) {
  const { t, lang } = useI18n();
  const [q, setQ] = useState('');
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return needle
      ? items.filter((d) => d.title.toLowerCase().includes(needle) || d.serial.toLowerCase().includes(needle))
      : items;
  }, [items, q]);
  return (
    <section className="card history" aria-labelledby="history-title">
      <h2 id="history-title">{t('history')}</h2>
      <label className="search">
        {t('search')}
        <input
          type="search"
          value={q}
          placeholder={t('searchPlaceholder')}
          onChange={(e) => setQ(e.target.value)}
        />
      </label>
      <div className="history-scroll" role="region" aria-label={t('duty.historyTable')} tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('serial')}</th>
              <th scope="col">{t('level')}</th>
              <th scope="col" className="title-cell">
                {t('title')}
              </th>
              <th scope="col">{t('duty.drillCol')}</th>
              <th scope="col">{t('issuedAt')}</th>
              <th scope="col">{t('state')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((d) => {
              const st = myState(d);
              return (
                <tr key={d.id} data-testid="history-row" data-drill={d.drill ? 'true' : undefined}>
                  <td>{d.serial}</td>
                  <td>
                    <span className={`badge level-${d.level}`}>{t(LEVEL_LABEL[d.level])}</span>
                  </td>
                  <td className="title-cell">{d.title}</td>
                  <td>{d.drill ? <span className="badge drill">{t('drill')}</span> : '—'}</td>
                  <td>{formatTime(d.issuedAt, lang)}</td>
                  <td data-testid="history-state">
                    {d.status === 'cancelled' ? t('cancelled') : st ? t(STATE_LABEL[st]) : '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {shown.length === 0 && <p>{t('noResults')}</p>}
    </section>
  );
}
