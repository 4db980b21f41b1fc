import { useCallback, useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { IncidentView as Incident, ReportDuePayload, ReportView, UserView } from '#contracts';
import { useRep } from '../../i18n/reporting.js';
import { dutyApi } from '../../lib/duty-api.js';
import { REP_EV, reportingApi } from '../../lib/reporting-api.js';
import { formatTime } from '../../lib/time.js';
import { DeadlineTile } from './countdown.js';
import { FINDING_KEY, LEVEL_KEY, timelineKey } from './labels.js';
import { ReportForm, ReportVersions } from './report-versions.js';
import { reportingErrorText } from './reporting-errors.js';
import { formatLate, incidentDeadlines } from './reporting-model.js';

/** Who may 签发: a commander, or the site's leader on duty now (the server decides; this only hides the button). */
function useCanSign(user: UserView, siteId: string | undefined): boolean {
  const [leader, setLeader] = useState<string | null>(null);
  useEffect(() => {
    if (!siteId || user.role === 'commander') return;
    dutyApi.now(siteId).then(
      (n) => setLeader(n.leader?.userId ?? null),
      () => setLeader(null),
    );
  }, [siteId, user.role]);
  return user.role === 'commander' || (leader !== null && leader === user.id);
}

/** One incident: its deadlines as big countdowns, its reports as versions, the timeline and findings. */
export function IncidentPanel({
  id,
  user,
  socket,
  now,
  onChanged,
}: {
  id: string;
  user: UserView;
  socket: Socket | null;
  now: number;
  onChanged: () => void;
}) {
  const { r, lang } = useRep();
  const [view, setView] = useState<Incident | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [corrects, setCorrects] = useState<ReportView | null>(null);
  const canSign = useCanSign(user, view?.siteId);

  const load = useCallback(() => {
    reportingApi.incident(id).then(
      (v) => {
        setView(v);
        setError(null);
      },
      (err: unknown) => setError(reportingErrorText(err, r)),
    );
  }, [id]);
  useEffect(load, [load]);
  useEffect(() => {
    if (!socket) return;
    const on = (p: ReportDuePayload) => {
      if (p.subject.type === 'incident' && p.subject.incidentId === id) load();
    };
    socket.on(REP_EV.due, on);
    socket.on(REP_EV.overdue, on);
    socket.on('connect', load);
    return () => {
      socket.off(REP_EV.due, on);
      socket.off(REP_EV.overdue, on);
      socket.off('connect', load);
    };
  }, [socket, id, load]);

  const changed = () => {
    load();
    onChanged();
  };
  if (error && !view)
    return (
      <p role="alert" className="error">
        {error}
      </p>
    );
  if (!view) return <p className="hint">{r('loading')}</p>;
  const c = view.casualties;
  return (
    <article
      className="rep-incident"
      data-testid="incident"
      data-incident-id={view.id}
      aria-labelledby="incident-title"
    >
      <header className="rep-incident-head">
        <span className={`badge rep-level-${view.level}`}>{r(LEVEL_KEY[view.level])}</span>
        {view.drill && <span className="drill-badge">{r('drill')}</span>}
        <h2 id="incident-title">{view.title}</h2>
        <span className="rep-state">{view.state === 'open' ? r('stateOpen') : r('stateClosed')}</span>
      </header>
      <dl className="rep-facts">
        <dt>{r('site')}</dt>
        <dd>{view.siteName}</dd>
        <dt>{r('category')}</dt>
        <dd>{view.category}</dd>
        <dt>{r('place')}</dt>
        <dd>{view.location}</dd>
        <dt>{r('occurredAt')}</dt>
        <dd>{formatTime(view.occurredAt)}</dd>
        <dt>{r('learnedAt')}</dt>
        <dd>{formatTime(view.learnedAt)}</dd>
        {c && (
          <>
            <dt>{r('casualties')}</dt>
            <dd>
              {(['dead', 'missing', 'injured', 'trapped'] as const)
                .filter((k) => c[k] !== undefined)
                .map((k) => `${r(k)} ${c[k]}`)
                .join(' · ') || '—'}
            </dd>
          </>
        )}
        {view.external && (
          <>
            <dt>{r('externalSource')}</dt>
            <dd>{view.external.source}</dd>
          </>
        )}
      </dl>
      {view.summary && <p className="rep-summary">{view.summary}</p>}
      <div className="rep-tiles" data-testid="deadlines">
        {incidentDeadlines(view).map((d) => (
          <DeadlineTile key={d.kind} d={d} now={now} />
        ))}
      </div>
      {view.state === 'open' && (
        <ReportForm
          key={`${corrects?.id ?? 'new'}:${view.reports.length}`}
          view={view}
          corrects={corrects}
          onClearCorrects={() => setCorrects(null)}
          onDone={changed}
        />
      )}
      <ReportVersions view={view} canSign={canSign} onCorrect={setCorrects} onChanged={changed} />
      <section className="card" aria-labelledby="findings-title">
        <h3 id="findings-title">{r('findings')}</h3>
        {view.findings.length === 0 ? (
          <p className="hint">{r('noFindings')}</p>
        ) : (
          <ul className="rep-findings" data-testid="incident-findings">
            {view.findings.map((f) => (
              <li key={f.id} data-kind={f.kind}>
                <strong className={`rep-finding-${f.kind}`}>{r(FINDING_KEY[f.kind])}</strong>{' '}
                {f.seconds !== null && f.seconds > 0 && formatLate(f.seconds, lang)} {f.note} ·{' '}
                {formatTime(f.at)}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="timeline-title">
        <h3 id="timeline-title">{r('timeline')}</h3>
        <ol className="rep-timeline" data-testid="timeline">
          {view.timeline.map((e, i) => (
            <li key={`${e.at}:${i}`} data-action={e.action}>
              <time dateTime={e.at}>{formatTime(e.at)}</time> {r(timelineKey(e.action))}
              {e.actorName && ` · ${e.actorName}`}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
