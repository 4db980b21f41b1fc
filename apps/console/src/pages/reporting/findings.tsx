import { useEffect, useState } from 'react';
import type { FindingsView, IncidentSummaryView, SiteView } from '#contracts';
import { useRep } from '../../i18n/reporting.js';
import { api } from '../../lib/api.js';
import { reportingApi } from '../../lib/reporting-api.js';
import { formatTime } from '../../lib/time.js';
import { FINDING_KEY } from './labels.js';
import { reportingErrorText } from './reporting-errors.js';
import { formatLate } from './reporting-model.js';

/** The month's bounds in Beijing time, as the findings query takes them. */
function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: `${month}-01T00:00:00+08:00`, to: `${next}-01T00:00:00+08:00` };
}

/** 迟报/漏报/瞒报 of the month per site; a site due for 约谈 is marked and listed first. */
export function FindingsList({ month }: { month: string }) {
  const { r, lang } = useRep();
  const [view, setView] = useState<FindingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    reportingApi
      .findings(monthRange(month))
      .then(setView, (err: unknown) => setError(reportingErrorText(err, r)));
  }, [month]);
  const sites = [...(view?.sites ?? [])].sort(
    (a, b) =>
      Number(b.interviewDue) - Number(a.interviewDue) || a.siteName.localeCompare(b.siteName, 'zh-CN'),
  );
  return (
    <section
      className="card rep-findings-card"
      aria-labelledby="rep-findings-title"
      data-testid="findings-list"
    >
      <h3 id="rep-findings-title">{r('findingsBySite')}</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {view && sites.length === 0 && <p className="hint">{r('noFindings')}</p>}
      {sites.map((s) => (
        <div
          key={s.siteId}
          className={s.interviewDue ? 'rep-site-findings rep-interview-due' : 'rep-site-findings'}
          data-testid="site-findings"
          data-site-name={s.siteName}
          data-interview={s.interviewDue}
        >
          <h4>
            {s.siteName}
            {s.interviewDue && <span className="rep-interview"> · {r('interviewDue')}</span>}
          </h4>
          <ul>
            {s.findings.map((f) => (
              <li key={f.id} data-kind={f.kind}>
                <strong className={`rep-finding-${f.kind}`}>{r(FINDING_KEY[f.kind])}</strong>
                {f.date && ` · ${r('dailyTitle')} ${f.date}`}
                {f.seconds !== null && f.seconds > 0 && ` · ${formatLate(f.seconds, lang)}`}
                {f.note && ` · ${f.note}`} · {formatTime(f.at)}
                {f.drill && <span className="drill-badge">{r('drill')}</span>}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

/** A commander records 瞒报 (concealment) on an incident, with a note: one is enough for a 约谈. */
export function ConcealedForm({ onRecorded }: { onRecorded: () => void }) {
  const { r } = useRep();
  const [sites, setSites] = useState<SiteView[]>([]);
  const [siteId, setSiteId] = useState('');
  const [incidents, setIncidents] = useState<IncidentSummaryView[]>([]);
  const [incidentId, setIncidentId] = useState('');
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    api.sites().then(
      (all) => {
        const towns = all.filter((s) => s.kind === 'township');
        setSites(towns);
        setSiteId((id) => id || towns[0]?.id || '');
      },
      (err: unknown) => setStatus({ ok: false, text: reportingErrorText(err, r) }),
    );
  }, []);
  useEffect(() => {
    if (!siteId) return;
    reportingApi.incidents({ siteId }).then(
      (list) => {
        setIncidents(list);
        setIncidentId(list[0]?.id ?? '');
      },
      (err: unknown) => setStatus({ ok: false, text: reportingErrorText(err, r) }),
    );
  }, [siteId]);
  const submit = async () => {
    setStatus(null);
    try {
      await reportingApi.conceal({ siteId, kind: 'concealed', incidentId, note: note.trim() });
      setNote('');
      setStatus({ ok: true, text: r('concealedRecorded') });
      onRecorded();
    } catch (err) {
      setStatus({ ok: false, text: reportingErrorText(err, r) });
    }
  };
  return (
    <form
      className="card rep-form no-print"
      data-testid="concealed-form"
      aria-labelledby="concealed-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="concealed-title">{r('concealedTitle')}</h3>
      <label>
        {r('site')}
        <select value={siteId} onChange={(e) => setSiteId(e.target.value)}>
          {sites.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {r('incident')}
        <select required value={incidentId} onChange={(e) => setIncidentId(e.target.value)}>
          {incidents.map((x) => (
            <option key={x.id} value={x.id}>
              {x.title}
            </option>
          ))}
        </select>
      </label>
      <label className="wide">
        {r('concealedNote')}
        <textarea required rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="wide rep-actions">
        <button type="submit" className="primary" disabled={!incidentId}>
          {r('recordConcealed')}
        </button>
      </div>
      {status && (
        <p role={status.ok ? 'status' : 'alert'} className={status.ok ? 'ok wide' : 'error wide'}>
          {status.text}
        </p>
      )}
    </form>
  );
}
