import type { IncidentLevel, ReportKind } from '#contracts';

/**
 * 信息报送's pure rules (issue 18, docs/reporting.md): the deadlines an incident's reports
 * owe, how late a report is, which reports count, the 约谈 flag and the monthly 通报.
 */

/** One level's limits in seconds; null: the level has no such limit. */
export interface RuleLimits {
  phoneWithinSeconds: number | null;
  writtenWithinSeconds: number | null;
  followupEverySeconds: number | null;
}

/** The seeded table (the national rule; local rules change it with PUT /reporting/rules). */
export const DEFAULT_REPORTING_RULES: Record<IncidentLevel, RuleLimits> = {
  I: { phoneWithinSeconds: 1800, writtenWithinSeconds: 3600, followupEverySeconds: 86_400 },
  II: { phoneWithinSeconds: 1800, writtenWithinSeconds: 3600, followupEverySeconds: 86_400 },
  III: { phoneWithinSeconds: null, writtenWithinSeconds: 7200, followupEverySeconds: 86_400 },
  IV: { phoneWithinSeconds: null, writtenWithinSeconds: 7200, followupEverySeconds: 86_400 },
  unrated: { phoneWithinSeconds: null, writtenWithinSeconds: 7200, followupEverySeconds: 86_400 },
};

/** What the deadline rules read of a report. */
export interface ReportFact {
  kind: ReportKind;
  submittedAt: Date;
  signedAt: Date | null;
}

/** A deadline an incident owes: the phone report, the 初报, or the next 续报. */
export type DeadlineSlot = 'phone' | 'initial' | 'followup';

export interface Deadlines {
  phoneBy: Date | null;
  writtenBy: Date | null;
  nextFollowupBy: Date | null;
}

const plus = (at: Date, seconds: number | null) =>
  seconds === null ? null : new Date(at.getTime() + seconds * 1000);

export const isWritten = (kind: ReportKind) => kind !== 'phone';

/**
 * When a report counts: a phone report when made, a written one when its leader signs it
 * (签发); null while a written report waits for its signature.
 */
export function countedAt(r: ReportFact): Date | null {
  return isWritten(r.kind) ? r.signedAt : r.submittedAt;
}

/** Open until a signed 终报. */
export function isClosed(reports: readonly ReportFact[]): boolean {
  return reports.some((r) => r.kind === 'final' && r.signedAt !== null);
}

/**
 * The incident's deadlines from its rules and 接报时间 (`learnedAt`): the phone report and
 * the 初报 by their limits; while open, a 续报 every `followupEverySeconds` after the last
 * counted 初报 or 续报 (none before the 初报 counts, none after a signed 终报).
 */
export function incidentDeadlines(
  rule: RuleLimits,
  learnedAt: Date,
  reports: readonly ReportFact[],
): Deadlines {
  const phoneBy = plus(learnedAt, rule.phoneWithinSeconds);
  const writtenBy = plus(learnedAt, rule.writtenWithinSeconds);
  if (isClosed(reports) || rule.followupEverySeconds === null)
    return { phoneBy, writtenBy, nextFollowupBy: null };
  const anchors = reports
    .filter((r) => r.kind === 'initial' || r.kind === 'followup')
    .map(countedAt)
    .filter((d): d is Date => d !== null)
    .map((d) => d.getTime());
  const nextFollowupBy = anchors.length
    ? plus(new Date(Math.max(...anchors)), rule.followupEverySeconds)
    : null;
  return { phoneBy, writtenBy, nextFollowupBy };
}

/** Whether a slot is answered: a phone report made, a 初报 signed, a 续报 (or 终报) counted after `since`. */
export function slotAnswered(
  slot: DeadlineSlot,
  reports: readonly ReportFact[],
  since: Date | null = null,
): boolean {
  if (slot === 'phone') return reports.some((r) => r.kind === 'phone');
  if (slot === 'initial') return reports.some((r) => r.kind === 'initial' && r.signedAt !== null);
  return reports.some((r) => {
    const at = countedAt(r);
    return (r.kind === 'followup' || r.kind === 'final') && at !== null && (since === null || at > since);
  });
}

/** The deadline a report of this kind answers, given the incident's deadlines when it is made. */
export function dueFor(kind: ReportKind, d: Deadlines): { slot: DeadlineSlot; dueAt: Date } | null {
  if (kind === 'phone') return d.phoneBy && { slot: 'phone', dueAt: d.phoneBy };
  if (kind === 'initial') return d.writtenBy && { slot: 'initial', dueAt: d.writtenBy };
  return d.nextFollowupBy && { slot: 'followup', dueAt: d.nextFollowupBy };
}

/** Whole seconds past the deadline; 0 when on time or when no deadline applied. */
export function lateBySeconds(dueAt: Date | null, at: Date): number {
  if (!dueAt) return 0;
  return Math.max(0, Math.floor((at.getTime() - dueAt.getTime()) / 1000));
}

/** The next report owed, for a countdown: the earliest unanswered deadline. */
export function nextDue(
  d: Deadlines,
  reports: readonly ReportFact[],
): { kind: ReportKind; dueAt: Date } | null {
  if (isClosed(reports)) return null;
  const owed: { kind: ReportKind; dueAt: Date }[] = [];
  if (d.phoneBy && !slotAnswered('phone', reports)) owed.push({ kind: 'phone', dueAt: d.phoneBy });
  if (d.writtenBy && !slotAnswered('initial', reports)) owed.push({ kind: 'initial', dueAt: d.writtenBy });
  if (d.nextFollowupBy) owed.push({ kind: 'followup', dueAt: d.nextFollowupBy });
  owed.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  return owed[0] ?? null;
}

/**
 * The warning lead before a deadline (`report.due`): the setting, but never more than half
 * the limit, so a short limit still gets its warning after the clock starts.
 */
export function warningLeadSeconds(settingSeconds: number, limitSeconds: number): number {
  return Math.max(0, Math.min(settingSeconds, Math.floor(limitSeconds / 2)));
}

/** The wait after `report.overdue` before the parent's leader is told: the setting, at most the limit. */
export function escalateAfterSeconds(settingSeconds: number, limitSeconds: number): number {
  return Math.max(1, Math.min(settingSeconds, limitSeconds));
}

/** Findings that count toward a 约谈. */
export interface FindingFact {
  kind: 'late' | 'missed' | 'concealed';
  at: Date;
}

export const INTERVIEW_THRESHOLD = 3;
const YEAR_MS = 365 * 86_400_000;

/** 约谈: three or more late or missed findings in the 12 months to `now`, or any concealment then. */
export function interviewDue(findings: readonly FindingFact[], now: Date): boolean {
  const recent = findings.filter((f) => f.at.getTime() > now.getTime() - YEAR_MS && f.at <= now);
  if (recent.some((f) => f.kind === 'concealed')) return true;
  return recent.filter((f) => f.kind === 'late' || f.kind === 'missed').length >= INTERVIEW_THRESHOLD;
}

/** A report with a deadline, for the month's count. */
export interface DueReportFact {
  siteId: string;
  lateBySeconds: number;
}

export interface MonthlyReportingCounts {
  siteId: string;
  reportsDue: number;
  onTime: number;
  late: number;
  missed: number;
  concealed: number;
}

/**
 * The month's 通报 per site: reports made against a deadline that fell in the month, plus
 * each 漏报 (a report owed and never made); late ones are those with a `late` finding or a
 * late submission, whichever is more; on time the rest.
 */
export function monthlyReporting(
  siteIds: readonly string[],
  dueReports: readonly DueReportFact[],
  findings: readonly (FindingFact & { siteId: string })[],
): MonthlyReportingCounts[] {
  return siteIds.map((siteId) => {
    const made = dueReports.filter((r) => r.siteId === siteId);
    const own = findings.filter((f) => f.siteId === siteId);
    const missed = own.filter((f) => f.kind === 'missed').length;
    const late = Math.min(
      made.length,
      Math.max(own.filter((f) => f.kind === 'late').length, made.filter((r) => r.lateBySeconds > 0).length),
    );
    const reportsDue = made.length + missed;
    return {
      siteId,
      reportsDue,
      onTime: made.length - late,
      late,
      missed,
      concealed: own.filter((f) => f.kind === 'concealed').length,
    };
  });
}

/** Why `learnedAt` is not acceptable (before `occurredAt`, or ahead of the clock), or null. */
export function learnedAtDenial(
  occurredAt: Date,
  learnedAt: Date,
  now: Date,
  skewMs = 60_000,
): string | null {
  if (learnedAt < occurredAt) return 'learnedAt must not be before occurredAt';
  if (learnedAt.getTime() > now.getTime() + skewMs) return 'learnedAt must not be in the future';
  if (occurredAt.getTime() > now.getTime() + skewMs) return 'occurredAt must not be in the future';
  return null;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell as the console writes it: always quoted, a would-be formula kept as text. */
export function quotedCsvCell(value: string | number | boolean | null): string {
  if (value === null) return '""';
  if (typeof value === 'number') return Number.isFinite(value) ? `"${value}"` : '""';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replaceAll('"', '""')}"`;
}

/** CSV for Excel: UTF-8 BOM, CRLF lines, every cell quoted (the console's csv.ts, server side). */
export function toQuotedCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | null)[])[],
): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(quotedCsvCell).join(',')).join('\r\n')}\r\n`;
}
