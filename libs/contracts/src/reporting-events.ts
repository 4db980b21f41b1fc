/**
 * 信息报送's event names and lists the console uses, in a module of their own without zod
 * (a value import from a module that builds schemas pulls zod into the console's first load).
 */
export const INCIDENT_LEVELS = ['I', 'II', 'III', 'IV', 'unrated'] as const;
export type IncidentLevel = (typeof INCIDENT_LEVELS)[number];

export const REPORT_KINDS = ['phone', 'initial', 'followup', 'final'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const FINDING_KINDS = ['late', 'missed', 'concealed'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const DAILY_REPORT_STATES = ['pending', 'submitted', 'zero', 'late', 'missing'] as const;
export type DailyReportState = (typeof DAILY_REPORT_STATES)[number];

/** where a daily report came from */
export const DAILY_REPORT_CHANNELS = ['console', 'terminal', 'api'] as const;
export type DailyReportChannel = (typeof DAILY_REPORT_CHANNELS)[number];

export const REPORTING_EVENTS = {
  /**
   * server → the site's duty consoles and the county dispatchers: a report falls due soon
   * (`ReportDuePayload`); also sent for a daily report round still open near its due time
   */
  due: 'report.due',
  /** server → the same people, and the site's leader on duty: a report is past its deadline */
  overdue: 'report.overdue',
} as const;

/** which report an alert is about: an incident's (phone/initial/followup) or a daily report */
export type ReportDueSubject =
  { type: 'incident'; incidentId: string; kind: ReportKind; title: string } | { type: 'daily'; date: string };

export interface ReportDuePayload {
  siteId: string;
  siteName: string;
  subject: ReportDueSubject;
  dueAt: string;
  /** seconds past dueAt (0 or less: not yet due) */
  overdueSeconds: number;
  drill: boolean;
  /** the drill of the daily round (additive; absent when none) */
  drillId?: string;
  /**
   * set on the second overdue step (escalation, like a directive's): the parent site whose
   * consoles and leader on duty are now told (added by rep-core)
   */
  escalatedTo?: { siteId: string; siteName: string };
}
