/**
 * JSON Schemas of the warning answers (warnings.ts), for the OpenAPI document. Open objects,
 * as in openapi-responses.ts: an added field is not a breaking change.
 */
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const bool: Schema = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const list = (items: Schema): Schema => ({ type: 'array', items });
const object = (properties: Record<string, Schema>): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
});
const state: Schema = {
  type: 'string',
  enum: ['draft', 'review', 'approved', 'published', 'superseded', 'cancelled', 'expired'],
};
const level: Schema = { type: 'string', enum: ['red', 'orange', 'yellow', 'blue'] };

export const WARNING_CREATED_VIEW = object({
  id: uuid,
  identifier: { type: 'string', description: 'GB/T 35965.1: ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N' },
  state: { type: 'string', enum: ['draft'] },
});

export const WARNING_SUMMARY_VIEW = object({
  id: uuid,
  identifier: str,
  state,
  msgType: { type: 'string', enum: ['Alert', 'Update', 'Cancel'] },
  status: { type: 'string', enum: ['Actual', 'Exercise', 'Test'] },
  event: str,
  level,
  headline: str,
  onset: time,
  expires: time,
  publishedAt: nullable(time),
  directiveId: nullable(uuid),
  emergency: bool,
  createdAt: time,
});

const step = object({
  step: str,
  at: time,
  actorId: nullable(uuid),
  actorName: nullable(str),
  reason: nullable(str),
});

export const WARNING_VIEW: Schema = {
  ...WARNING_SUMMARY_VIEW,
  properties: {
    ...(WARNING_SUMMARY_VIEW.properties as Record<string, Schema>),
    sender: str,
    description: str,
    instruction: str,
    en: nullable({ type: 'object' }),
    areas: object({ regionCodes: list(str), polygons: list(str) }),
    sent: time,
    drillId: nullable(uuid),
    references: list(object({ sender: str, identifier: str, sent: time })),
    previousId: nullable(uuid),
    supersededById: nullable(uuid),
    issuerSiteId: uuid,
    importedFrom: nullable(object({ identifier: str, sender: str })),
    createdBy: nullable(uuid),
    submittedAt: nullable(time),
    approvedAt: nullable(time),
    approvedBy: nullable(uuid),
    rejectReason: nullable(str),
    publishedBy: nullable(uuid),
    cancelledAt: nullable(time),
    cancelReason: nullable(str),
    history: list(step),
    selfApprovalAllowed: bool,
  },
};

export const WARNING_COVERAGE_VIEW = object({
  targets: int,
  delivered: int,
  acknowledged: int,
  byChannel: object({ console: int, terminal: int, radio: int }),
  deliveredWithinSeconds: object({ p50: nullable(num), p95: nullable(num) }),
  leadTimeSeconds: nullable(int),
  leadTimeShort: bool,
});
