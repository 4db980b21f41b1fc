import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { IncidentSummaryView, SiteView, UserView } from '#contracts';
import { useRep } from '../../i18n/reporting.js';
import { api } from '../../lib/api.js';
import { REP_EV, reportingApi } from '../../lib/reporting-api.js';
import { useNow } from '../../lib/time.js';
import '../../styles/reporting.css';
import { Countdown } from './countdown.js';
import { IncidentForm } from './incident-form.js';
import { IncidentPanel } from './incident-view.js';
import { KIND_KEY, LEVEL_KEY } from './labels.js';
import { reportingErrorText } from './reporting-errors.js';
import { sortByUrgency } from './reporting-model.js';

/** The incident a link asked for (`/reporting?incident=…`, from the board or an alert). */
const linked = () => new URLSearchParams(location.search).get('incident');

/**
 * 信息报送: a township's duty officer (or the county acting for a site) opens an incident,
 * watches its deadlines count down, and files its reports. Lazy-loaded: not in the first load.
 */
export default function ReportingPage({ user, socket }: { user: UserView; socket: Socket | null }) {
  const { r } = useRep();
  const now = useNow(1000);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [list, setList] = useState<IncidentSummaryView[]>([]);
  const [selected, setSelected] = useState<string | null>(linked);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    reportingApi.incidents().then(setList, (err: unknown) => setError(reportingErrorText(err, r)));
  }, []);
  useEffect(() => {
    api.sites().then(setSites, (err: unknown) => setError(reportingErrorText(err, r)));
    refresh();
  }, [refresh]);
  useEffect(() => {
    if (!socket) return;
    socket.on(REP_EV.due, refresh);
    socket.on(REP_EV.overdue, refresh);
    return () => {
      socket.off(REP_EV.due, refresh);
      socket.off(REP_EV.overdue, refresh);
    };
  }, [socket, refresh]);

  // the county reports for townships; a township for itself
  const reportable = useMemo(() => {
    const own = sites.find((s) => s.id === user.siteId);
    const towns = sites.filter((s) => s.kind === 'township');
    return own?.kind === 'township' || towns.length === 0 ? sites.filter((s) => s.id === user.siteId) : towns;
  }, [sites, user.siteId]);
  const sorted = sortByUrgency(list, now);
  const open = sorted.filter((x) => x.state === 'open');
  const closed = sorted.filter((x) => x.state === 'closed');

  return (
    <div className="rep-page">
      <aside className="rep-side">
        <div className="rep-side-head">
          <h2>{r('navReporting')}</h2>
          <button
            type="button"
            className="primary"
            data-testid="new-incident"
            disabled={reportable.length === 0}
            onClick={() => setCreating(true)}
          >
            {r('newIncident')}
          </button>
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <ul className="rep-list" data-testid="incident-list" aria-label={r('openIncidents')}>
          {[...open, ...closed].map((x) => (
            <li key={x.id}>
              <button
                type="button"
                aria-current={x.id === selected ? 'true' : undefined}
                data-testid="incident-item"
                onClick={() => {
                  setCreating(false);
                  setSelected(x.id);
                }}
              >
                <span className={`badge rep-level-${x.level}`}>{r(LEVEL_KEY[x.level])}</span>
                <strong>{x.title}</strong>
                {x.drill && <span className="drill-badge">{r('drill')}</span>}
                <span className="rep-list-site">{x.siteName}</span>
                {x.nextDue ? (
                  <span className="rep-list-due">
                    {r(KIND_KEY[x.nextDue.kind])} <Countdown dueAt={x.nextDue.dueAt} now={now} />
                  </span>
                ) : (
                  <span className="rep-list-due">
                    {x.state === 'open' ? r('nothingOwed') : r('stateClosed')}
                  </span>
                )}
              </button>
            </li>
          ))}
          {list.length === 0 && <li className="hint">{r('noIncidents')}</li>}
        </ul>
      </aside>
      <section className="rep-main">
        {creating && reportable[0] ? (
          <IncidentForm
            sites={reportable}
            defaultSiteId={reportable[0].id}
            onCancel={() => setCreating(false)}
            onOpened={(id) => {
              setCreating(false);
              setSelected(id);
              refresh();
            }}
          />
        ) : selected ? (
          <IncidentPanel
            key={selected}
            id={selected}
            user={user}
            socket={socket}
            now={now}
            onChanged={refresh}
          />
        ) : (
          <p className="hint">{r('pickIncident')}</p>
        )}
      </section>
    </div>
  );
}
