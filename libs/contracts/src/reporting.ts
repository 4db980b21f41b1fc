import { z } from 'zod';
import {
  INCIDENT_LEVELS,
  REPORT_KINDS,
  type DailyReportChannel,
  type DailyReportState,
  type FindingKind,
  type IncidentLevel,
  type ReportKind,
} from './reporting-events.js';
import { boundedDateTime, multiLineText, singleLineText } from './text.js';

/**
 * 信息报送 (issue 18): incidents and their reports with legal deadlines, daily/nil reports,
 * 迟报/漏报/瞒报 findings and the monthly 通报. The REST, MQTT and job contract; event names
 * and enums live in reporting-events.ts (zod-free, for the console).
 */

/** a rule limit: at least a minute (tests use seconds-long limits via this floor), at most 30 days */
const limitSeconds = z
  .number({ error: 'must be a number of seconds' })
  .int('must be a whole number of seconds')
  .min(1, 'must be at least 1 s')
  .max(30 * 86_400, 'must be at most 30 days');

export const ReportingRuleSchema = z.strictObject({
  level: z.enum(INCIDENT_LEVELS),
  phoneWithinSeconds: limitSeconds.optional(),
  writtenWithinSeconds: limitSeconds.optional(),
  followupEverySeconds: limitSeconds.optional(),
});
export type ReportingRule = z.infer<typeof ReportingRuleSchema>;

export const PutReportingRulesRequestSchema = z.strictObject({
  rules: z
    .array(ReportingRuleSchema)
    .min(1, 'give at least one rule')
    .max(INCIDENT_LEVELS.length)
    .refine((r) => new Set(r.map((x) => x.level)).size === r.length, 'a level is named twice'),
});
export type PutReportingRulesRequest = z.infer<typeof PutReportingRulesRequestSchema>;

export interface ReportingRulesView {
  rules: ReportingRule[];
  /** when the table last changed; incidents opened before keep the rules they were opened under */
  updatedAt: string;
  version: number;
}

// bounded (years 2000..2100), as every client date: PostgreSQL refuses some years JavaScript accepts
const isoTime = boundedDateTime('must be an ISO 8601 time with an offset');

export const MAX_INCIDENT_TITLE = 200;
export const MAX_INCIDENT_TEXT = 10_000;
export const MAX_REPORT_CONTENT = 20_000;

export const CreateIncidentRequestSchema = z
  .strictObject({
    siteId: z.uuid(),
    title: singleLineText(MAX_INCIDENT_TITLE),
    /** free text kept short: 自然灾害/事故灾难/公共卫生/社会安全 or a finer category */
    category: singleLineText(50),
    level: z.enum(INCIDENT_LEVELS, { error: 'must be one of I, II, III, IV, unrated' }),
    occurredAt: isoTime,
    learnedAt: isoTime,
    location: singleLineText(500),
    // the text rule (docs/input-validation.md): no NUL or control characters reach the database
    summary: multiLineText(MAX_INCIDENT_TEXT * 3, { allowEmpty: true }),
    casualties: z
      .strictObject({
        dead: z.number().int().min(0).max(1_000_000).optional(),
        missing: z.number().int().min(0).max(1_000_000).optional(),
        injured: z.number().int().min(0).max(1_000_000).optional(),
        trapped: z.number().int().min(0).max(1_000_000).optional(),
      })
      .optional(),
    drill: z.boolean().optional(),
    /** opened in this drill (docs/drills.md): implies drill: true; the site within the drill's */
    drillId: z.uuid().optional(),
  })
  .refine((r) => Date.parse(r.learnedAt) >= Date.parse(r.occurredAt), {
    message: 'learnedAt must not be before occurredAt',
    path: ['learnedAt'],
  });
export type CreateIncidentRequest = z.infer<typeof CreateIncidentRequestSchema>;

export interface IncidentDeadlinesView {
  /** null: the level's rule has no phone limit */
  phoneBy: string | null;
  writtenBy: string | null;
  /** the next 续报 due while the incident is open (null before the 初报 and after the 终报) */
  nextFollowupBy: string | null;
}

export interface IncidentCreatedView {
  id: string;
  deadlines: IncidentDeadlinesView;
}

export const CreateReportRequestSchema = z.strictObject({
  kind: z.enum(REPORT_KINDS, { error: 'must be one of phone, initial, followup, final' }),
  content: multiLineText(MAX_REPORT_CONTENT * 3),
  /** a correction of an earlier report of this incident: a new version, never an edit */
  corrects: z.uuid().optional(),
});
export type CreateReportRequest = z.infer<typeof CreateReportRequestSchema>;

export interface ReportView {
  id: string;
  incidentId: string;
  /** 1, 2, 3 … per incident, in submission order */
  seq: number;
  kind: ReportKind;
  content: string;
  corrects: string | null;
  submittedAt: string;
  submittedBy: string;
  /** the deadline this report answered (null: none applied, e.g. a correction) */
  dueAt: string | null;
  /** 0 when on time */
  lateBySeconds: number;
  /** written reports count once signed off (签发) */
  signedAt: string | null;
  signedBy: string | null;
}

export interface FindingView {
  id: string;
  siteId: string;
  kind: FindingKind;
  incidentId: string | null;
  /** a daily report's date (YYYY-MM-DD) for daily findings */
  date: string | null;
  /** how late, for `late` */
  seconds: number | null;
  note: string | null;
  at: string;
  drill: boolean;
}

export interface IncidentTimelineEntry {
  at: string;
  /** e.g. incident.opened, report.submitted, report.signed, report.overdue, finding.made */
  action: string;
  actorName: string | null;
  detail: Record<string, unknown>;
}

export interface IncidentView {
  id: string;
  siteId: string;
  siteName: string;
  title: string;
  category: string;
  level: IncidentLevel;
  occurredAt: string;
  learnedAt: string;
  location: string;
  summary: string;
  casualties: { dead?: number; missing?: number; injured?: number; trapped?: number } | null;
  drill: boolean;
  /** the drill it was opened in (additive; null when none) */
  drillId: string | null;
  /** open until a signed 终报 */
  state: 'open' | 'closed';
  /** externally registered (the county learned of it elsewhere) */
  external: { source: string; registeredAt: string } | null;
  createdAt: string;
  deadlines: IncidentDeadlinesView;
  reports: ReportView[];
  findings: FindingView[];
  timeline: IncidentTimelineEntry[];
}

export const IncidentListQuerySchema = z.strictObject({
  siteId: z.uuid().optional(),
  state: z.enum(['open', 'closed']).optional(),
  includeDrill: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type IncidentListQuery = z.infer<typeof IncidentListQuerySchema>;

/** one row of the county's reporting board */
export interface IncidentSummaryView {
  id: string;
  siteId: string;
  siteName: string;
  title: string;
  level: IncidentLevel;
  learnedAt: string;
  state: 'open' | 'closed';
  drill: boolean;
  deadlines: IncidentDeadlinesView;
  /** the next report owed and when, for the countdown; null when nothing is owed */
  nextDue: { kind: ReportKind; dueAt: string } | null;
  reports: number;
  findings: number;
}

export const RegisterExternalIncidentRequestSchema = z.strictObject({
  siteId: z.uuid(),
  title: singleLineText(MAX_INCIDENT_TITLE),
  level: z.enum(INCIDENT_LEVELS, { error: 'must be one of I, II, III, IV, unrated' }),
  learnedAt: isoTime,
  /** where the county heard of it: 110 转警, 媒体, 群众来电 … */
  source: singleLineText(200),
  /** an incident the site did report, if the county links them (no finding then if in time) */
  incidentId: z.uuid().optional(),
});
export type RegisterExternalIncidentRequest = z.infer<typeof RegisterExternalIncidentRequestSchema>;

export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const date = z.string().regex(DATE_PATTERN, 'must be a date, YYYY-MM-DD');

export const OpenDailyRoundRequestSchema = z.strictObject({
  date,
  dueAt: isoTime,
  /** default: every township in the actor's scope */
  siteIds: z.array(z.uuid()).min(1).max(10_000).optional(),
  drill: z.boolean().optional(),
  /**
   * the drill the round belongs to (additive, docs/drills.md): implies drill: true; without
   * siteIds the round names the drill's sites; it stands beside the real round of the date
   */
  drillId: z.uuid().optional(),
});
export type OpenDailyRoundRequest = z.infer<typeof OpenDailyRoundRequestSchema>;

export interface DailyRoundView {
  date: string;
  dueAt: string;
  drill: boolean;
  /** the drill it belongs to (additive; null when none) */
  drillId: string | null;
  sites: DailyReportView[];
}

export const MAX_DAILY_REPORT_TEXT = 10_000;

export const PutDailyReportRequestSchema = z
  .strictObject({
    kind: z.enum(['normal', 'zero'], { error: 'must be normal or zero' }),
    text: multiLineText(MAX_DAILY_REPORT_TEXT * 3, { allowEmpty: true }).optional(),
    /** the drill's round of the date (additive); without it, the real round */
    drillId: z.uuid().optional(),
  })
  .refine((r) => r.kind === 'zero' || (r.text !== undefined && r.text.length > 0), {
    message: 'a normal daily report needs its text',
    path: ['text'],
  });
export type PutDailyReportRequest = z.infer<typeof PutDailyReportRequestSchema>;

export interface DailyReportPutView {
  state: 'submitted' | 'zero' | 'late';
  /** 1 for the first report of the date, 2 … for later versions (never an overwrite) */
  version: number;
  submittedAt: string;
}

export interface DailyReportView {
  siteId: string;
  siteName: string;
  state: DailyReportState;
  submittedAt: string | null;
  channel: DailyReportChannel | null;
  kind: 'normal' | 'zero' | null;
  version: number | null;
  /** 演练 (additive): a drill round's row, or a round opened with drill: true */
  drill: boolean;
  /** the drill whose round this row is (additive; null when none) */
  drillId: string | null;
  /** the round's due time, ISO 8601 +08:00 (additive: a site in two rounds of a date has two) */
  dueAt: string;
}

/**
 * Without drillId or includeDrill: the real rounds' rows (one per site); drillId: that
 * drill's round; includeDrill=true: every round of the date (a site may then have two rows).
 */
export const DailyReportQuerySchema = z.strictObject({
  date,
  drillId: z.uuid().optional(),
  includeDrill: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
});
export type DailyReportQuery = z.infer<typeof DailyReportQuerySchema>;

export const FindingsQuerySchema = z.strictObject({
  siteId: z.uuid().optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  includeDrill: z.enum(['true', 'false']).optional(),
});
export type FindingsQuery = z.infer<typeof FindingsQuerySchema>;

export const CreateConcealedFindingRequestSchema = z.strictObject({
  siteId: z.uuid(),
  kind: z.literal('concealed', { error: 'only concealed findings are recorded by hand' }),
  incidentId: z.uuid(),
  note: multiLineText(6000),
});
export type CreateConcealedFindingRequest = z.infer<typeof CreateConcealedFindingRequestSchema>;

export interface SiteFindingsView {
  siteId: string;
  siteName: string;
  findings: FindingView[];
  /** 3+ late or missed findings in the last 12 months, or any concealment: a 约谈 is due */
  interviewDue: boolean;
}

export interface FindingsView {
  sites: SiteFindingsView[];
}

export const ReportingMonthlyQuerySchema = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM'),
  format: z.enum(['json', 'csv']).optional(),
  includeDrill: z.enum(['true', 'false']).optional(),
});
export type ReportingMonthlyQuery = z.infer<typeof ReportingMonthlyQuerySchema>;

export interface ReportingMonthlyRow {
  siteId: string;
  siteName: string;
  regionCode: string | null;
  /** incident reports that fell due in the month */
  reportsDue: number;
  onTime: number;
  late: number;
  missed: number;
  concealed: number;
  dailyDue: number;
  dailyMissing: number;
  dailyLate: number;
  interviewDue: boolean;
}

export interface ReportingMonthlyView {
  month: string;
  includeDrill: boolean;
  rows: ReportingMonthlyRow[];
}

/**
 * MQTT (device protocol v1 addition): a terminal publishes
 * `yihu/v1/terminals/{id}/reports` (QoS 1) for its site's nil report.
 */
export const TerminalDailyReportSchema = z.strictObject({
  date,
  kind: z.literal('zero'),
  /** the device's clock; the hub records its own receive time too */
  at: isoTime,
});
export type TerminalDailyReport = z.infer<typeof TerminalDailyReportSchema>;

export const REPORTING_JOBS = {
  /** delayed to an incident report's deadline (and a warning lead before it) */
  incidentDeadline: 'reporting.incident-deadline',
  /** delayed to a daily round's due time: pending sites become late-able/missing */
  dailyDue: 'reporting.daily-due',
  /** a terminal's nil report from the bridge: `{terminalId, siteId, date, at, receivedAt}` */
  terminalDaily: 'reporting.terminal-daily',
} as const;

export interface TerminalDailyReportJob {
  terminalId: string;
  siteId: string;
  date: string;
  at: string;
  receivedAt: string;
}

/** `REPORTING_JOBS.incidentDeadline`'s data: one step of one deadline (added by rep-core) */
export interface IncidentDeadlineJob {
  incidentId: string;
  /** which deadline; `external`: the 漏报 check of an external registration */
  slot: 'phone' | 'initial' | 'followup' | 'external';
  dueAt: string;
  stage: 'due' | 'overdue' | 'escalated' | 'missed';
}
