import { useEffect, useState } from 'react';
import type { MonthlyStatsView } from '#contracts';
import { useSpotText } from '../../i18n/spot-checks.js';
import { errorText } from '../../lib/api.js';
import { spotCheckApi } from './spot-check-api.js';
import '../../styles/spot-checks.css';

/** This month in Asia/Shanghai ("2026-12"), whatever the browser's zone. */
const thisMonth = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
const secs = (ms: number | null) => (ms === null ? '—' : (ms / 1000).toFixed(1));

/** The monthly 查岗 通报: one row per township, printable, and as CSV for Excel. */
export function MonthlyReportPage() {
  const s = useSpotText();
  const [month, setMonth] = useState(thisMonth);
  const [includeDrill, setIncludeDrill] = useState(false);
  const [view, setView] = useState<MonthlyStatsView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    spotCheckApi.monthly(month, includeDrill).then(setView, (err: unknown) => setError(errorText(err)));
  }, [month, includeDrill]);

  const download = async () => {
    try {
      const blob = await spotCheckApi.monthlyCsv(month, includeDrill);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `spot-checks-${month}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <section className="monthly-report">
      <h2>
        {s('monthlyTitle')} · {month}
        {includeDrill && ` (${s('includeDrill')})`}
      </h2>
      <div className="no-print">
        <label>
          {s('month')}{' '}
          <input type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
        </label>
        <label>
          <input type="checkbox" checked={includeDrill} onChange={(e) => setIncludeDrill(e.target.checked)} />
          {s('includeDrill')}
        </label>
        <button type="button" onClick={() => window.print()}>
          {s('print')}
        </button>
        <button type="button" onClick={() => void download()}>
          {s('downloadCsv')}
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {s('loadFailed')}：{error}
        </p>
      )}
      {view && (
        <table data-testid="monthly-table">
          <thead>
            <tr>
              <th>{s('site')}</th>
              <th>{s('checks')}</th>
              <th>{s('onTime')}</th>
              <th>{s('late')}</th>
              <th>{s('missed')}</th>
              <th>
                {s('median')}（{s('seconds')}）
              </th>
              <th>
                {s('p90')}（{s('seconds')}）
              </th>
            </tr>
          </thead>
          <tbody>
            {view.rows.length === 0 && (
              <tr>
                <td colSpan={7}>{s('empty')}</td>
              </tr>
            )}
            {view.rows.map((r) => (
              <tr key={r.siteId} data-missed={r.missed > 0 ? 'yes' : 'no'}>
                <td>{r.siteName}</td>
                <td>{r.checks}</td>
                <td>{r.answeredOnTime}</td>
                <td>{r.late}</td>
                <td>{r.missed}</td>
                <td>{secs(r.medianMs)}</td>
                <td>{secs(r.p90Ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
