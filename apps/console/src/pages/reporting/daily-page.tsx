import { useCallback, useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { DailyReportView, ReportDuePayload, SiteView, UserView } from '#contracts';
import { useRep } from '../../i18n/reporting.js';
import { api, ApiError } from '../../lib/api.js';
import { csvName, csvTime, downloadCsv, toCsv } from '../../lib/csv.js';
import { dailyRows, REP_EV, reportingApi, reportSignals } from '../../lib/reporting-api.js';
import { formatTime, useNow } from '../../lib/time.js';
import '../../styles/reporting.css';
import '../../styles/reporting-records.css';
import { DailyCard } from './daily-card.js';
import { DateStep } from './date-step.js';
import { CHANNEL_KEY, DAILY_KEY } from './labels.js';
import { reportingErrorText } from './reporting-errors.js';
import { dailyOrder, shanghaiToday } from './reporting-model.js';

/**
 * 日报告/零报告: a township sees its own card; the county sees the round (per site 待报, 已报,
 * 零报告, 迟报, 漏报 and the channel), opens a round, and exports it. Lazy-loaded. A drill's
 * round of the date (rows with drillId) is shown beside the real one, marked 演练: its own
 * card for the township, its own rows in the county's table.
 */
export default function DailyPage({ user, socket }: { user: UserView; socket: Socket | null }) {
  const { r } = useRep();
  const now = useNow(1000);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [date, setDateRaw] = useState(() => shanghaiToday());
  const setDate = (d: string) => {
    setDueAt(null);
    setDateRaw(d);
  };
  const [all, setRows] = useState<DailyReportView[]>([]);
  const rows = all.filter((x) => !x.drillId);
  const drillRows = all.filter((x) => x.drillId);
  const [dueAt, setDueAt] = useState<string | null>(null);
  const [noRound, setNoRound] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const own = sites.find((s) => s.id === user.siteId);
  const township = own?.kind === 'township';

  const load = useCallback(() => {
    reportingApi.daily(date).then(
      (answer) => {
        const d = dailyRows(answer);
        setRows(d.rows);
        setDueAt((old) => d.dueAt ?? old ?? reportSignals.dailyDue.get(date) ?? null);
        setNoRound(d.rows.every((x) => x.drillId));
        setError(null);
      },
      (err: unknown) => {
        setRows([]);
        if (err instanceof ApiError && err.status === 404) setNoRound(true);
        else setError(reportingErrorText(err, r));
      },
    );
  }, [date]);
  useEffect(() => {
    api.sites().then(setSites, (err: unknown) => setError(reportingErrorText(err, r)));
  }, []);
  useEffect(load, [load]);
  // the list answers no due time; a round's due/overdue alert carries it, and changes states
  useEffect(() => {
    if (!socket) return;
    const on = (p: ReportDuePayload) => {
      if (p.subject.type !== 'daily' || p.subject.date !== date) return;
      // a drill's round of the date has its own due time (its rows carry it)
      if (!p.drillId) setDueAt(p.dueAt);
      load();
    };
    socket.on(REP_EV.due, on);
    socket.on(REP_EV.overdue, on);
    socket.on('connect', load);
    return () => {
      socket.off(REP_EV.due, on);
      socket.off(REP_EV.overdue, on);
      socket.off('connect', load);
    };
  }, [socket, date, load]);

  const exportCsv = () => {
    const head = [r('site'), r('state'), r('kindCol'), r('submittedAt'), r('channel'), r('version')];
    const body = dailyOrder(all).map((x) => [
      x.drillId ? `${x.siteName}（${r('drill')}）` : x.siteName,
      r(DAILY_KEY[x.state]),
      x.kind ? r(x.kind === 'zero' ? 'dailyZero' : 'dailyNormal') : '',
      csvTime(x.submittedAt),
      x.channel ? r(CHANNEL_KEY[x.channel]) : '',
      x.version,
    ]);
    downloadCsv(csvName(`${r('dailyTitle')}-${date}`), toCsv(head, body));
  };

  return (
    <div className="rep-daily">
      <div className="rep-board-head">
        <h2>{r('navDaily')}</h2>
        <DateStep kind="day" label={r('date')} value={date} onChange={setDate} />
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {noRound && (
        <p className="hint" data-testid="no-round">
          {r('noRound')}
        </p>
      )}
      {township && !noRound && (
        <DailyCard
          siteId={user.siteId}
          date={date}
          row={rows.find((x) => x.siteId === user.siteId) ?? null}
          dueAt={dueAt}
          now={now}
          onDone={load}
        />
      )}
      {township &&
        drillRows
          .filter((x) => x.siteId === user.siteId)
          .map((x) => (
            <DailyCard
              key={x.drillId}
              siteId={user.siteId}
              date={date}
              row={x}
              dueAt={x.dueAt}
              now={now}
              onDone={load}
              drillId={x.drillId}
            />
          ))}
      {!township && own && noRound && <OpenRound date={date} onOpened={load} />}
      {!township && all.length > 0 && (
        <section className="card" aria-labelledby="round-title">
          <div className="rep-board-head">
            <h3 id="round-title">
              {r('roundTitle')} · {date}
              {dueAt && ` · ${r('dueAt')} ${formatTime(dueAt)}`}
            </h3>
            <button type="button" onClick={exportCsv} data-testid="daily-csv" disabled={all.length === 0}>
              {r('exportCsv')}
            </button>
          </div>
          <div className="rep-table-wrap" tabIndex={0} role="region" aria-label={r('roundTitle')}>
            <table data-testid="daily-table">
              <thead>
                <tr>
                  <th>{r('site')}</th>
                  <th>{r('state')}</th>
                  <th>{r('submittedAt')}</th>
                  <th>{r('channel')}</th>
                </tr>
              </thead>
              <tbody>
                {dailyOrder(all).map((x) => (
                  <tr
                    key={`${x.siteId}:${x.drillId ?? ''}`}
                    data-state={x.state}
                    data-site-name={x.siteName}
                    data-drill-id={x.drillId ?? undefined}
                  >
                    <td>
                      {x.siteName}
                      {x.drillId && <span className="drill-badge">{r('drill')}</span>}
                    </td>
                    <td className={`rep-daily-${x.state}`}>
                      {r(DAILY_KEY[x.state])}
                      {x.kind === 'normal' && x.version && x.version > 1
                        ? ` · ${r('version')} ${x.version}`
                        : ''}
                    </td>
                    <td>{formatTime(x.submittedAt)}</td>
                    <td>{x.channel ? r(CHANNEL_KEY[x.channel]) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}

/** 开启报送轮次: the county opens a round for a date with its due time (Beijing time). */
function OpenRound({ date, onOpened }: { date: string; onOpened: () => void }) {
  const { r } = useRep();
  const [due, setDue] = useState('08:00');
  const [drill, setDrill] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const open = async () => {
    setBusy(true);
    setError(null);
    try {
      await reportingApi.openRound({ date, dueAt: `${date}T${due}:00+08:00`, drill });
      onOpened();
    } catch (err) {
      setError(reportingErrorText(err, r));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card rep-form rep-open-round"
      data-testid="open-round"
      onSubmit={(e) => {
        e.preventDefault();
        void open();
      }}
    >
      <label>
        {r('dueTime')}
        <input
          required
          inputMode="numeric"
          pattern={'([01]\\d|2[0-3]):[0-5]\\d'}
          placeholder="08:00"
          value={due}
          onChange={(e) => setDue(e.target.value)}
        />
      </label>
      <label className="rep-check">
        <input type="checkbox" checked={drill} onChange={(e) => setDrill(e.target.checked)} />
        {r('drill')}
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {r('openRound')} {date}
      </button>
      {error && (
        <p role="alert" className="error wide">
          {error}
        </p>
      )}
    </form>
  );
}
