import { useState } from 'react';
import type { DailyReportView } from '#contracts';
import { useRep } from '../../i18n/reporting.js';
import { reportingApi, reportSignals } from '../../lib/reporting-api.js';
import { formatTime } from '../../lib/time.js';
import { Countdown } from './countdown.js';
import { CHANNEL_KEY, DAILY_KEY } from './labels.js';
import { reportingErrorText } from './reporting-errors.js';

/**
 * A township's 日报告 for one date: its state and due time, one big 「零报告」 button, and a
 * text form for a normal report. A second report is a new version, never an overwrite.
 * A drill's round of the date (`drillId`) is a card of its own, marked 演练, answered apart.
 */
export function DailyCard({
  siteId,
  date,
  row,
  dueAt,
  now,
  onDone,
  drillId = null,
}: {
  siteId: string;
  date: string;
  row: DailyReportView | null;
  dueAt: string | null;
  now: number;
  onDone: () => void;
  drillId?: string | null;
}) {
  const { r } = useRep();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const send = async (kind: 'normal' | 'zero') => {
    setBusy(true);
    setError(null);
    try {
      const res = await reportingApi.putDaily(siteId, date, {
        ...(kind === 'zero' ? { kind } : { kind, text: text.trim() }),
        ...(drillId ? { drillId } : {}),
      });
      setResult(
        `${r(DAILY_KEY[res.state])} · ${r('version')} ${res.version} · ${formatTime(res.submittedAt)}`,
      );
      if (kind === 'normal') setText('');
      // the banner's "due soon" line is the real round's; a drill card leaves it
      if (!drillId) reportSignals.answered({ type: 'daily', siteId, date });
      onDone();
    } catch (err) {
      setError(reportingErrorText(err, r));
    } finally {
      setBusy(false);
    }
  };
  const titleId = drillId ? `daily-title-${drillId}` : 'daily-title';
  const state = row?.state ?? 'pending';
  const answered = state === 'submitted' || state === 'zero' || state === 'late';
  return (
    <section
      className="card rep-daily-card"
      data-testid={drillId ? 'drill-daily-card' : 'daily-card'}
      data-drill-id={drillId ?? undefined}
      data-state={state}
      aria-labelledby={titleId}
    >
      <h3 id={titleId}>
        {r('dailyTitle')} · {date}
        {drillId && <span className="drill-badge">{r('drill')}</span>}
      </h3>
      <p className={`rep-daily-state rep-daily-${state}`} data-testid="daily-state">
        {r(DAILY_KEY[state])}
        {row?.submittedAt && ` · ${formatTime(row.submittedAt)}`}
        {row?.channel && ` · ${r(CHANNEL_KEY[row.channel])}`}
      </p>
      {dueAt && (
        <p className="rep-due">
          {r('dueAt')} {formatTime(dueAt)}{' '}
          {!answered && <Countdown dueAt={dueAt} now={now} testId="daily-countdown" />}
        </p>
      )}
      <button
        type="button"
        className="rep-zero-button"
        data-testid="zero-report"
        disabled={busy}
        onClick={() => void send('zero')}
      >
        {r('zeroReport')}
      </button>
      <p className="hint">{r('zeroHint')}</p>
      <form
        className="rep-form"
        onSubmit={(e) => {
          e.preventDefault();
          void send('normal');
        }}
      >
        <label className="wide">
          {r('dailyText')}
          <textarea
            required
            rows={4}
            maxLength={10_000}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <div className="wide rep-actions">
          <button type="submit" className="primary" disabled={busy}>
            {r('submitDaily')}
          </button>
        </div>
      </form>
      {result && (
        <p role="status" className="ok" data-testid="daily-result">
          {r('recorded')}：{result}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
