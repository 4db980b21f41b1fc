import { useEffect, useState } from 'react';
import type { ReportingMonthlyView, UserView } from '#contracts';
import { PrintHead } from '../../components/output-buttons.js';
import { useRep } from '../../i18n/reporting.js';
import { reportingApi } from '../../lib/reporting-api.js';
import '../../styles/reporting.css';
import '../../styles/reporting-records.css';
import { DateStep } from './date-step.js';
import { ConcealedForm, FindingsList } from './findings.js';
import { reportingErrorText } from './reporting-errors.js';
import { shanghaiMonth } from './reporting-model.js';

const COLUMNS = [
  ['reportsDue', 'colReportsDue'],
  ['onTime', 'colOnTime'],
  ['late', 'colLate'],
  ['missed', 'colMissed'],
  ['concealed', 'colConcealed'],
  ['dailyDue', 'colDailyDue'],
  ['dailyMissing', 'colDailyMissing'],
  ['dailyLate', 'colDailyLate'],
] as const;

/**
 * 月度通报: one row per township (reports due, on time, 迟报, 漏报, 瞒报, daily reports due,
 * missing, late, 约谈), as a table, the server's CSV (UTF-8 with BOM) and a printout; the
 * findings per site below, with 约谈 due highlighted, and a commander's 瞒报 form. Lazy-loaded.
 */
export default function MonthlyReportingPage({ user }: { user: UserView }) {
  const { r } = useRep();
  const [month, setMonth] = useState(() => shanghaiMonth());
  const [includeDrill, setIncludeDrill] = useState(false);
  const [view, setView] = useState<ReportingMonthlyView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [findingsKey, setFindingsKey] = useState(0);

  useEffect(() => {
    setError(null);
    reportingApi
      .monthly(month, includeDrill)
      .then(setView, (err: unknown) => setError(reportingErrorText(err, r)));
  }, [month, includeDrill, findingsKey]);

  const download = async () => {
    try {
      const blob = await reportingApi.monthlyCsv(month, includeDrill);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${r('monthlyFile')}-${month}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      setError(reportingErrorText(err, r));
    }
  };

  const title = `${r('monthlyTitle')} · ${month}${includeDrill ? ` (${r('includeDrill')})` : ''}`;
  return (
    <div className="rep-monthly">
      <section className="rep-record" aria-labelledby="rep-monthly-title">
        <h2 id="rep-monthly-title">{title}</h2>
        <PrintHead title={title} />
        <div className="no-print rep-board-head">
          <DateStep kind="month" label={r('month')} value={month} onChange={setMonth} />
          <label>
            <input
              type="checkbox"
              checked={includeDrill}
              onChange={(e) => setIncludeDrill(e.target.checked)}
            />
            {r('includeDrill')}
          </label>
          <button type="button" data-testid="monthly-csv" onClick={() => void download()}>
            {r('exportCsv')}
          </button>
          <button type="button" data-testid="monthly-print" onClick={() => window.print()}>
            {r('print')}
          </button>
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {view && (
          <div className="rep-table-wrap" tabIndex={0} role="region" aria-label={r('monthlyTitle')}>
            <table data-testid="rep-monthly-table">
              <thead>
                <tr>
                  <th>{r('site')}</th>
                  {COLUMNS.map(([, key]) => (
                    <th key={key}>{r(key)}</th>
                  ))}
                  <th>{r('colInterview')}</th>
                </tr>
              </thead>
              <tbody>
                {view.rows.length === 0 && (
                  <tr>
                    <td colSpan={COLUMNS.length + 2}>{r('empty')}</td>
                  </tr>
                )}
                {view.rows.map((row) => (
                  <tr key={row.siteId} data-site-name={row.siteName} data-interview={row.interviewDue}>
                    <td>{row.siteName}</td>
                    {COLUMNS.map(([field]) => (
                      <td
                        key={field}
                        className={
                          row[field] > 0 &&
                          field !== 'reportsDue' &&
                          field !== 'onTime' &&
                          field !== 'dailyDue'
                            ? 'rep-bad'
                            : undefined
                        }
                      >
                        {row[field]}
                      </td>
                    ))}
                    <td className={row.interviewDue ? 'rep-interview' : undefined}>
                      {row.interviewDue ? r('interviewDue') : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <FindingsList key={findingsKey} month={month} />
      {user.role === 'commander' && <ConcealedForm onRecorded={() => setFindingsKey((k) => k + 1)} />}
    </div>
  );
}
