import { useMemo, useState } from 'react';
import type { DirectiveSummaryView, RecipientState } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { LEVEL_LABEL, STATE_LABEL } from '../../lib/levels.js';
import { formatTime } from '../../lib/time.js';

/** The site's own state on a directive, from the per-state counts (scoped to the site). */
function myState(s: DirectiveSummaryView): RecipientState | null {
  const found = (Object.keys(s.counts) as RecipientState[]).find((k) => (s.counts[k] ?? 0) > 0);
  return found ?? null;
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
      <table>
        <thead>
          <tr>
            <th scope="col">{t('serial')}</th>
            <th scope="col">{t('level')}</th>
            <th scope="col">{t('title')}</th>
            <th scope="col">{t('issuedAt')}</th>
            <th scope="col">{t('state')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((d) => {
            const st = myState(d);
            return (
              <tr key={d.id} data-testid="history-row">
                <td>{d.serial}</td>
                <td>
                  <span className={`badge level-${d.level}`}>{t(LEVEL_LABEL[d.level])}</span>
                </td>
                <td>{d.title}</td>
                <td>{formatTime(d.issuedAt, lang)}</td>
                <td>{d.status === 'cancelled' ? t('cancelled') : st ? t(STATE_LABEL[st]) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {shown.length === 0 && <p>{t('noResults')}</p>}
    </section>
  );
}
