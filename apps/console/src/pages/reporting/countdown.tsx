import { useRep } from '../../i18n/reporting.js';
import { formatTime } from '../../lib/time.js';
import { DEADLINE_KEY } from './labels.js';
import { clock, formatCountdown, formatLate, type DeadlineRow } from './reporting-model.js';

/** A ticking countdown; past its deadline it says how late, in red. */
export function Countdown({
  dueAt,
  now,
  testId = 'rep-countdown',
}: {
  dueAt: string;
  now: number;
  testId?: string;
}) {
  const { r, lang } = useRep();
  const c = clock(dueAt, now);
  return (
    <span className={`rep-countdown rep-${c.state}`} data-state={c.state} data-testid={testId}>
      {c.state === 'overdue'
        ? `${r('overdueBy')} ${formatCountdown(c.leftMs, lang)}`
        : `${r('left')} ${formatCountdown(c.leftMs, lang)}`}
    </span>
  );
}

/** One of an incident's deadlines as a big tile: counting down while owed, the outcome once met. */
export function DeadlineTile({ d, now }: { d: DeadlineRow; now: number }) {
  const { r, lang } = useRep();
  const owed = d.status !== 'met';
  const state = owed ? clock(d.dueAt, now).state : 'met';
  return (
    <div
      className={`rep-tile rep-${state}${owed && state === 'overdue' ? ' rep-flash' : ''}`}
      data-testid={`deadline-${d.kind}`}
      data-state={state}
    >
      <h3>{r(DEADLINE_KEY[d.kind])}</h3>
      <p className="rep-due">
        {r('dueAt')} {formatTime(d.dueAt)}
      </p>
      {owed ? (
        <>
          <Countdown dueAt={d.dueAt} now={now} testId={`deadline-${d.kind}-countdown`} />
          {d.status === 'unsigned' && <p className="rep-note">{r('awaitingSign')}</p>}
        </>
      ) : (
        <p className={`rep-outcome ${d.lateBySeconds > 0 ? 'rep-late' : 'rep-ontime'}`}>
          {d.lateBySeconds > 0
            ? `${r('reportedLate')} ${formatLate(d.lateBySeconds, lang)}`
            : r('reportedOnTime')}
        </p>
      )}
    </div>
  );
}
