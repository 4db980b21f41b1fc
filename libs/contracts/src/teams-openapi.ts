/**
 * JSON Schemas of the team answers (teams.ts), for the OpenAPI document. Open objects, as
 * in openapi-responses.ts: an added field is not a breaking change.
 */
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };
const int: Schema = { type: 'integer' };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const object = (properties: Record<string, Schema>): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
});

export const TEAM_ALERT_RESULT = object({ teamId: uuid, directiveId: uuid });

export const TEAM_VIEW = object({
  id: uuid,
  name: str,
  kind: {
    type: 'string',
    enum: ['general', 'flood', 'forest-fire', 'hazmat', 'medical', 'village-shock', 'other'],
  },
  siteId: uuid,
  siteName: str,
  leaderName: str,
  leaderPhone: str,
  leaderUserId: nullable(uuid),
  headcount: int,
  equipment: { type: 'array', items: str },
  assembleMinutes: int,
  status: { type: 'string', enum: ['available', 'alerted', 'deployed', 'unavailable'] },
  lastVerifiedAt: nullable(time),
  lastAlert: nullable(
    object({
      id: uuid,
      directiveId: uuid,
      responseId: nullable(uuid),
      drillId: nullable(uuid),
      incidentId: nullable(uuid),
      createdAt: time,
      releasedAt: nullable(time),
    }),
  ),
  createdAt: time,
  updatedAt: time,
});

export const TEAM_IMPORT_RESULT = object({ created: int, updated: int });
