/**
 * JSON Schemas of the drill answers (drills.ts), for the OpenAPI document. Open objects, as
 * in openapi-responses.ts: an added field is not a breaking change.
 */
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const list = (items: Schema): Schema => ({ type: 'array', items });
const object = (properties: Record<string, Schema>): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
});

export const DRILL_VIEW = object({
  id: uuid,
  name: str,
  kind: { type: 'string', enum: ['tabletop', 'functional', 'full', 'no-notice'] },
  state: { type: 'string', enum: ['scheduled', 'running', 'ended'] },
  sites: list(object({ id: uuid, name: str })),
  startsAt: time,
  endsAt: time,
  endedAt: nullable(time),
  endedBy: nullable(uuid),
  createdAt: time,
  createdBy: uuid,
  creatorSiteId: uuid,
});

const seconds = object({ values: list(int), median: nullable(int), max: nullable(int) });

const figures = {
  directives: object({
    sent: int,
    delivered: int,
    acknowledged: int,
    ackSeconds: seconds,
    answered: int,
    answerSeconds: seconds,
  }),
  spotChecks: object({
    sent: int,
    onTime: int,
    late: int,
    missed: int,
    pending: int,
    answerSeconds: seconds,
  }),
  reports: object({ incidents: int, submitted: int, late: int }),
  warnings: object({ sent: int, delivered: int, acknowledged: int }),
  dailyReports: object({
    sent: int,
    submitted: int,
    late: int,
    missing: int,
    pending: int,
    submitSeconds: seconds,
  }),
  consultations: object({ invited: int, joined: int, joinSeconds: seconds }),
};

const consultation = object({
  id: uuid,
  title: str,
  state: { type: 'string', enum: ['scheduled', 'live', 'ended'] },
  createdAt: time,
  scheduledAt: nullable(time),
  invitedAt: time,
  startedAt: nullable(time),
  endedAt: nullable(time),
  invited: int,
  joined: int,
  sites: list(object({ siteId: uuid, siteName: str, joinedAt: nullable(time), joinSeconds: nullable(int) })),
});

export const DRILL_REPORT_VIEW = object({
  drill: DRILL_VIEW,
  generatedAt: time,
  sites: list(object({ siteId: uuid, siteName: str, ...figures, silent: bool })),
  totals: object(figures),
  consultations: list(consultation),
  missed: object({
    acknowledgement: list(uuid),
    feedback: list(uuid),
    spotCheck: list(uuid),
    dailyReport: list(uuid),
    silent: list(uuid),
  }),
});
