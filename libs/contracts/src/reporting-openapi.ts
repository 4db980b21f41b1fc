/**
 * JSON Schemas of 信息报送's answers (reporting.ts), for the OpenAPI document. Open objects,
 * as in duty-openapi.ts: an added field is not a breaking change.
 */
type Schema = Record<string, unknown>;

const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const list = (items: Schema): Schema => ({ type: 'array', items });
const object = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});
const level: Schema = { type: 'string', enum: ['I', 'II', 'III', 'IV', 'unrated'] };
const reportKind: Schema = { type: 'string', enum: ['phone', 'initial', 'followup', 'final'] };
const findingKind: Schema = { type: 'string', enum: ['late', 'missed', 'concealed'] };
const state: Schema = { type: 'string', enum: ['open', 'closed'] };

export const REPORTING_RULES_VIEW = object({
  rules: list(
    object({ level, phoneWithinSeconds: int, writtenWithinSeconds: int, followupEverySeconds: int }, [
      'phoneWithinSeconds',
      'writtenWithinSeconds',
      'followupEverySeconds',
    ]),
  ),
  updatedAt: time,
  version: int,
});

const deadlines = object({
  phoneBy: nullable(time),
  writtenBy: nullable(time),
  nextFollowupBy: nullable(time),
});

export const INCIDENT_CREATED_VIEW = object({ id: uuid, deadlines });

export const REPORT_VIEW = object({
  id: uuid,
  incidentId: uuid,
  seq: int,
  kind: reportKind,
  content: str(),
  corrects: nullable(uuid),
  submittedAt: time,
  submittedBy: uuid,
  dueAt: nullable(time),
  lateBySeconds: { ...int, description: '0 when on time' },
  signedAt: nullable(time),
  signedBy: nullable(uuid),
});

export const FINDING_VIEW = object({
  id: str(),
  siteId: uuid,
  kind: findingKind,
  incidentId: nullable(uuid),
  date: nullable(str('YYYY-MM-DD, for daily reports')),
  seconds: nullable(int),
  note: nullable(str()),
  at: time,
  drill: bool,
});

export const INCIDENT_VIEW = object({
  id: uuid,
  siteId: uuid,
  siteName: str(),
  title: str(),
  category: str(),
  level,
  occurredAt: time,
  learnedAt: time,
  location: str(),
  summary: str(),
  casualties: nullable({ type: 'object' }),
  drill: bool,
  drillId: nullable(uuid),
  state,
  external: nullable(object({ source: str(), registeredAt: time })),
  createdAt: time,
  deadlines,
  reports: list(REPORT_VIEW),
  findings: list(FINDING_VIEW),
  timeline: list(object({ at: time, action: str(), actorName: nullable(str()), detail: { type: 'object' } })),
});

export const INCIDENT_SUMMARY_LIST = list(
  object({
    id: uuid,
    siteId: uuid,
    siteName: str(),
    title: str(),
    level,
    learnedAt: time,
    state,
    drill: bool,
    deadlines,
    nextDue: nullable(object({ kind: reportKind, dueAt: time })),
    reports: int,
    findings: int,
  }),
);

export const FINDINGS_VIEW = object({
  sites: list(object({ siteId: uuid, siteName: str(), findings: list(FINDING_VIEW), interviewDue: bool })),
});

export const REPORTING_MONTHLY_VIEW = object({
  month: str('YYYY-MM'),
  includeDrill: bool,
  rows: list(
    object({
      siteId: uuid,
      siteName: str(),
      regionCode: nullable(str()),
      reportsDue: int,
      onTime: int,
      late: int,
      missed: int,
      concealed: int,
      dailyDue: int,
      dailyMissing: int,
      dailyLate: int,
      interviewDue: bool,
    }),
  ),
});
