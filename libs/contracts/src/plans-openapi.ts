/**
 * JSON Schemas of the plan and response answers (plans.ts), for the OpenAPI document. Open
 * objects: an added field is not a breaking change.
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
const level: Schema = { type: 'string', enum: ['I', 'II', 'III', 'IV'] };
const hazard: Schema = {
  type: 'string',
  enum: ['flood', 'forest-fire', 'geologic', 'hazmat', 'earthquake', 'weather', 'other'],
};
/** an action as written in the plan (see the request schema) */
const action: Schema = { type: 'object', properties: { kind: str } };

export const PLAN_CREATED_VIEW = object({ id: uuid, version: int });

export const PLAN_VIEW = object({
  id: uuid,
  siteId: uuid,
  siteName: str,
  name: str,
  hazard,
  version: int,
  latestVersion: int,
  levels: list(object({ level, actions: list(action) })),
  versions: list(object({ version: int, createdAt: time, createdBy: uuid })),
  createdAt: time,
  updatedAt: time,
});

export const PLAN_SUMMARY_VIEW = object({
  id: uuid,
  siteId: uuid,
  siteName: str,
  name: str,
  hazard,
  latestVersion: int,
  levels: list(level),
  updatedAt: time,
});

export const START_RESPONSE_VIEW = object({
  id: uuid,
  directiveIds: list(uuid),
  consultationId: nullable(uuid),
  teamAlerts: list(object({ teamId: uuid, directiveId: uuid })),
  failed: list(object({ actionId: uuid, kind: str, reason: str })),
});

const counts = object({ sent: int, delivered: int, acknowledged: int, answered: int });

export const RESPONSE_VIEW = object({
  id: uuid,
  planId: uuid,
  planName: str,
  planVersion: int,
  hazard,
  level,
  state: { type: 'string', enum: ['active', 'ended'] },
  incidentId: nullable(uuid),
  drill: bool,
  drillId: nullable(uuid),
  consultationId: nullable(uuid),
  startedAt: time,
  startedBy: uuid,
  elapsedSeconds: int,
  endedAt: nullable(time),
  summary: nullable(str),
  levels: list(object({ level, at: time, by: uuid })),
  actions: list(
    object({
      id: uuid,
      level,
      kind: str,
      state: { type: 'string', enum: ['pending', 'started', 'failed', 'interrupted'] },
      reason: nullable(str),
      title: str,
      directiveId: nullable(uuid),
      counts: nullable(counts),
      consultation: nullable(object({ id: uuid, state: str })),
      warningId: nullable(uuid),
      teams: list(object({ id: uuid, name: str, status: str })),
      createdAt: time,
    }),
  ),
  problems: int,
});

export const RESPONSE_SUMMARY_VIEW = object({
  id: uuid,
  planId: uuid,
  planName: str,
  level,
  state: { type: 'string', enum: ['active', 'ended'] },
  drill: bool,
  incidentId: nullable(uuid),
  startedAt: time,
  endedAt: nullable(time),
});
