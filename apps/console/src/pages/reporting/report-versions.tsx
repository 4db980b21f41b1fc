import { useState } from 'react';
import type { IncidentView, ReportKind, ReportView } from '#contracts';
import { useRep } from '../../i18n/reporting.js';
import { KINDS, reportingApi, reportSignals } from '../../lib/reporting-api.js';
import { formatTime } from '../../lib/time.js';
import { isWritten, KIND_KEY } from './labels.js';
import { reportingErrorText } from './reporting-errors.js';
import { formatLate } from './reporting-model.js';

/** The report the incident owes next: a phone report first when a phone limit applies. */
export function owedKind(view: IncidentView): ReportKind {
  const has = (k: ReportKind) => view.reports.some((x) => x.kind === k);
  if (view.deadlines.phoneBy && !has('phone')) return 'phone';
  if (!has('initial')) return 'initial';
  return 'followup';
}

/** 提交报告: a new version; a correction names the report it corrects and never edits it. */
export function ReportForm({
  view,
  corrects,
  onClearCorrects,
  onDone,
}: {
  view: IncidentView;
  corrects: ReportView | null;
  onClearCorrects: () => void;
  onDone: () => void;
}) {
  const { r } = useRep();
  const [kind, setKind] = useState<ReportKind>(() => corrects?.kind ?? owedKind(view));
  const [content, setContent] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await reportingApi.report(view.id, {
        kind,
        content: content.trim(),
        ...(corrects ? { corrects: corrects.id } : {}),
      });
      setContent('');
      reportSignals.answered({ type: 'incident', incidentId: view.id });
      onClearCorrects();
      onDone();
    } catch (err) {
      setError(reportingErrorText(err, r));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card rep-form rep-report-form"
      data-testid="report-form"
      aria-labelledby="report-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id="report-form-title">{corrects ? `${r('correct')} #${corrects.seq}` : r('submitReport')}</h3>
      <label>
        {r('reportKind')}
        <select
          value={kind}
          onChange={(e) => setKind(e.target.value as ReportKind)}
          data-testid="report-kind"
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {r(KIND_KEY[k])}
            </option>
          ))}
        </select>
      </label>
      <label className="wide">
        {r('content')}
        <textarea
          required
          rows={4}
          maxLength={20_000}
          value={content}
          onChange={(e) => setContent(e.target.value)}
          placeholder={kind === 'phone' ? r('phoneHint') : r('writtenHint')}
        />
      </label>
      {error && (
        <p role="alert" className="error wide">
          {error}
        </p>
      )}
      <div className="wide rep-actions">
        <button type="submit" className="primary" disabled={busy} data-testid="report-submit">
          {r('submit')}
        </button>
        {corrects && (
          <button type="button" onClick={onClearCorrects}>
            {r('cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

/** The reports as linked versions, oldest first; 签发 on written ones for whoever may sign. */
export function ReportVersions({
  view,
  canSign,
  onCorrect,
  onChanged,
}: {
  view: IncidentView;
  canSign: boolean;
  onCorrect: (r: ReportView) => void;
  onChanged: () => void;
}) {
  const { r, lang } = useRep();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const sign = async (rep: ReportView) => {
    setBusy(rep.id);
    setError(null);
    try {
      await reportingApi.sign(view.id, rep.id);
      onChanged();
    } catch (err) {
      setError(reportingErrorText(err, r));
    } finally {
      setBusy(null);
    }
  };
  const seqOf = (id: string | null) => view.reports.find((x) => x.id === id)?.seq;
  return (
    <section className="card" aria-labelledby="versions-title">
      <h3 id="versions-title">{r('reports')}</h3>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {view.reports.length === 0 ? (
        <p className="hint">{r('noReports')}</p>
      ) : (
        <ol className="rep-versions" data-testid="report-versions">
          {view.reports.map((rep) => (
            <li key={rep.id} data-testid="report-version" data-kind={rep.kind} data-seq={rep.seq}>
              <p className="rep-version-head">
                <strong>
                  #{rep.seq} {r(KIND_KEY[rep.kind])}
                </strong>
                {rep.corrects && (
                  <span className="badge">
                    {r('corrects')} #{seqOf(rep.corrects) ?? '?'}
                  </span>
                )}
                <span>{formatTime(rep.submittedAt)}</span>
                <span
                  className={rep.lateBySeconds > 0 ? 'rep-late' : 'rep-ontime'}
                  data-testid="report-timeliness"
                >
                  {rep.dueAt === null
                    ? r('noDeadline')
                    : rep.lateBySeconds > 0
                      ? `${r('reportedLate')} ${formatLate(rep.lateBySeconds, lang)}`
                      : r('reportedOnTime')}
                </span>
                {isWritten(rep.kind) &&
                  (rep.signedAt ? (
                    <span className="rep-signed" data-testid="report-signed">
                      {r('signedAt')} {formatTime(rep.signedAt)}
                    </span>
                  ) : (
                    <span className="rep-unsigned">{r('awaitingSign')}</span>
                  ))}
              </p>
              <p className="rep-content">{rep.content}</p>
              <p className="rep-actions">
                {isWritten(rep.kind) && !rep.signedAt && canSign && (
                  <button
                    type="button"
                    className="primary"
                    disabled={busy === rep.id}
                    onClick={() => void sign(rep)}
                  >
                    {r('sign')}
                  </button>
                )}
                <button type="button" onClick={() => onCorrect(rep)}>
                  {r('correct')}
                </button>
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
