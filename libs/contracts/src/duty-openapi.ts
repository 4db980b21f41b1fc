/**
 * JSON Schemas of the duty answers (duty.ts), for the OpenAPI document. Open objects, as in
 * openapi-responses.ts: an added field is not a breaking change.
 */
type Schema = Record<string, unknown>;

const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time', description: 'ISO 8601, +08:00 (Asia/Shanghai)' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const list = (items: Schema): Schema => ({ type: 'array', items });
const object = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});

export const DUTY_SHIFT_VIEW = object({
  id: uuid,
  siteId: uuid,
  userId: uuid,
  name: str('display name, else username'),
  role: { type: 'string', enum: ['leader', 'officer'] },
  startsAt: time,
  endsAt: time,
});

const person = object({ userId: uuid, name: str() });

export const DUTY_NOW_VIEW = object({
  siteId: uuid,
  leader: nullable(person),
  officers: list(person),
  until: nullable(time),
  leaderSource: nullable({ type: 'string', enum: ['roster', 'static'] }),
});

export const DUTY_GAP_VIEW = object({
  startsAt: time,
  endsAt: time,
  leaders: int,
  officers: int,
  missingLeader: bool,
  missingOfficers: int,
});

const openItem = object(
  { kind: str('directive, spot_check, report, ...'), id: str(), title: str(), state: str() },
  ['state'],
);

export const HANDOVER_VIEW = object({
  id: uuid,
  siteId: uuid,
  fromUserId: uuid,
  toUserId: uuid,
  notes: nullable(str()),
  openItems: list(openItem),
  createdAt: time,
  dueBy: time,
  confirmedAt: nullable(time),
  alertedAt: nullable(time),
});

export const DUTY_LOG_ENTRY_VIEW = object(
  {
    seq: int,
    at: time,
    siteId: uuid,
    actorId: nullable(uuid),
    actorName: nullable(str()),
    kind: { type: 'string', enum: ['call', 'document', 'instruction', 'handling', 'note'] },
    text: str(),
    caller: str(),
    unit: str(),
    phone: str(),
  },
  ['caller', 'unit', 'phone'],
);

export const DUTY_LOG_VERIFY_VIEW = object(
  { ok: bool, checked: int, brokenAt: object({ seq: int, reason: str() }) },
  ['brokenAt'],
);

export { list as dutyList };

// ---- spot checks (spot-checks.ts) ----

const channel = { type: 'string', enum: ['console', 'terminal', 'video'] };
const targetState = { type: 'string', enum: ['pending', 'answered', 'late', 'missed'] };
const checkHead = {
  id: uuid,
  createdAt: time,
  deadline: time,
  windowSeconds: int,
  channels: list(channel),
  drill: bool,
  drillId: nullable(uuid),
  scheduleId: nullable(uuid),
};

export const SPOT_CHECK_STARTED_VIEW = object({
  ...checkHead,
  targets: list(object({ siteId: uuid, state: { type: 'string', enum: ['pending'] } })),
});

export const SPOT_CHECK_VIEW = object({
  ...checkHead,
  targets: list(
    object({
      siteId: uuid,
      siteName: str(),
      state: targetState,
      answeredAt: nullable(time),
      latencyMs: nullable(int),
      channel: nullable(channel),
      answeredBy: nullable(uuid),
      onRoster: nullable({ ...bool, description: 'whether the person who answered was rostered then' }),
    }),
  ),
});

export const SPOT_CHECK_ANSWER_VIEW = object({
  checkId: uuid,
  siteId: uuid,
  state: targetState,
  answeredAt: nullable(time),
  latencyMs: nullable(int),
  duplicate: { ...bool, description: 'true: the site had answered already; the first answer stands' },
});

export const SPOT_CHECK_SCHEDULE_VIEW = object({
  id: uuid,
  times: list(str('HH:MM, Asia/Shanghai')),
  randomPerDay: nullable(object({ count: int, between: list(str('HH:MM')) })),
  sample: object({ count: int }),
  windowSeconds: int,
  channels: list(channel),
  drill: bool,
  createdAt: time,
  active: { ...bool, description: 'false once disabled: it fires no more' },
});

export const MONTHLY_STATS_VIEW = object({
  month: str('YYYY-MM'),
  includeDrill: bool,
  rows: list(
    object({
      siteId: uuid,
      siteName: str(),
      regionCode: nullable(str()),
      checks: int,
      answeredOnTime: int,
      late: int,
      missed: int,
      medianMs: nullable(int),
      p90Ms: nullable(int),
    }),
  ),
});
