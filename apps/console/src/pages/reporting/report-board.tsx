import { useCallback, useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { IncidentSummaryView } from '#contracts';
import { useRep } from '../../i18n/reporting.js';
import { alarm } from '../../lib/alarm.js';
import { REP_EV, reportingApi } from '../../lib/reporting-api.js';
import { navigate } from '../../lib/router.js';
import { formatTime, useNow } from '../../lib/time.js';
import '../../styles/reporting.css';
import '../../styles/reporting-records.css';
import { Countdown } from './countdown.js';
import { DEADLINE_KEY, LEVEL_KEY } from './labels.js';
import { reportingErrorText } from './reporting-errors.js';
import { clock, nextKind, sortByUrgency } from './reporting-model.js';

/**
 * The contract has no event for a newly opened incident (only report.due/overdue), so the
 * board also re-reads the list at this pace; deadlines themselves tick locally every second.
 */
const REFRESH_MS = 15_000;

/**
 * 县级报送看板: every open incident in scope with its next deadline counting down, overdue
 * on top and biggest. `report.due` / `report.overdue` re-read the list at once (the alert
 * banner and its tone come from ReportAlerts, on every page). Lazy-loaded.
 */
export default function ReportBoardPage({ socket }: { socket: Socket | null }) {
  const { r } = useRep();
  const now = useNow(1000);
  const [list, setList] = useState<IncidentSummaryView[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [includeDrill, setIncludeDrill] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [soundOn, setSoundOn] = useState(alarm.unlocked);
  useEffect(() => alarm.subscribe(() => setSoundOn(alarm.unlocked)), []);

  const refresh = useCallback(() => {
    reportingApi.incidents({ state: 'open', includeDrill }).then(
      (rows) => {
        setList(rows);
        setLoaded(true);
        setError(null);
      },
      (err: unknown) => setError(reportingErrorText(err, r)),
    );
  }, [includeDrill]);
  useEffect(() => {
    refresh();
    const h = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(h);
  }, [refresh]);
  useEffect(() => {
    if (!socket) return;
    socket.on(REP_EV.due, refresh);
    socket.on(REP_EV.overdue, refresh);
    socket.on('connect', refresh);
    return () => {
      socket.off(REP_EV.due, refresh);
      socket.off(REP_EV.overdue, refresh);
      socket.off('connect', refresh);
    };
  }, [socket, refresh]);

  const rows = sortByUrgency(list, now);
  const overdue = rows.filter((x) => x.nextDue && clock(x.nextDue.dueAt, now).state === 'overdue').length;
  return (
    <section className="rep-board" data-testid="report-board" aria-labelledby="rep-board-title">
      <div className="rep-board-head">
        <h2 id="rep-board-title">{r('boardTitle')}</h2>
        <span
          className={overdue ? 'rep-count rep-count-overdue' : 'rep-count'}
          data-testid="board-overdue-count"
        >
          {r('overdueCount')} {overdue}
        </span>
        <label>
          <input type="checkbox" checked={includeDrill} onChange={(e) => setIncludeDrill(e.target.checked)} />
          {r('showDrills')}
        </label>
        {!soundOn && (
          <button
            type="button"
            className="sound-off"
            data-testid="rep-sound-off"
            onClick={() => void alarm.unlock().then(() => setSoundOn(alarm.unlocked))}
          >
            {r('soundOff')}
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {loaded && rows.length === 0 && <p className="hint">{r('boardEmpty')}</p>}
      <ul className="rep-board-rows">
        {rows.map((x) => {
          const state = x.nextDue ? clock(x.nextDue.dueAt, now).state : 'none';
          return (
            <li
              key={x.id}
              className={`rep-board-row rep-${state}${state === 'overdue' ? ' rep-flash' : ''}`}
              data-testid="board-row"
              data-state={state}
              data-incident-id={x.id}
            >
              <button type="button" onClick={() => navigate(`/reporting?incident=${x.id}`)}>
                <span className={`badge rep-level-${x.level}`}>{r(LEVEL_KEY[x.level])}</span>
                <strong className="rep-board-site">{x.siteName}</strong>
                <span className="rep-board-title">{x.title}</span>
                {x.drill && <span className="drill-badge">{r('drill')}</span>}
                {x.nextDue ? (
                  <span className="rep-board-due">
                    <span>
                      {r(DEADLINE_KEY[nextKind(x.nextDue.kind)])} · {r('dueAt')} {formatTime(x.nextDue.dueAt)}
                    </span>
                    <Countdown dueAt={x.nextDue.dueAt} now={now} testId="board-countdown" />
                  </span>
                ) : (
                  <span className="rep-board-due">{r('nothingOwed')}</span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
