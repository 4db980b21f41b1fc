import type { FindingView, IncidentDeadlinesView, ReportView } from '#contracts';
import { incidentDeadlines, type ReportFact, type RuleLimits } from '#domain';
import type { FindingRow } from './findings.repository.js';
import type { IncidentRow, ReportRow } from './incidents.repository.js';

export const ruleOf = (i: IncidentRow): RuleLimits => ({
  phoneWithinSeconds: i.phone_within_s,
  writtenWithinSeconds: i.written_within_s,
  followupEverySeconds: i.followup_every_s,
});

export const factOf = (r: ReportRow): ReportFact => ({
  kind: r.kind,
  submittedAt: r.submitted_at,
  signedAt: r.signed_at,
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function deadlinesView(i: IncidentRow, reports: ReportRow[]): IncidentDeadlinesView {
  const d = incidentDeadlines(ruleOf(i), i.learned_at, reports.map(factOf));
  return { phoneBy: iso(d.phoneBy), writtenBy: iso(d.writtenBy), nextFollowupBy: iso(d.nextFollowupBy) };
}

export const reportView = (r: ReportRow): ReportView => ({
  id: r.id,
  incidentId: r.incident_id,
  seq: r.seq,
  kind: r.kind,
  content: r.content,
  corrects: r.corrects,
  submittedAt: r.submitted_at.toISOString(),
  submittedBy: r.submitted_by,
  dueAt: iso(r.due_at),
  lateBySeconds: r.late_by_s,
  signedAt: iso(r.signed_at),
  signedBy: r.signed_by,
});

export const findingView = (f: FindingRow): FindingView => ({
  id: f.id,
  siteId: f.site_id,
  kind: f.kind,
  incidentId: f.incident_id,
  date: f.date,
  seconds: f.seconds,
  note: f.note,
  at: f.at.toISOString(),
  drill: f.drill,
});
