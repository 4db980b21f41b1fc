import { DAILY_REPORT_CHANNELS, DAILY_REPORT_STATES } from './reporting-events.js';

/**
 * JSON Schemas of the daily-report answers (reporting.ts: DailyRoundView, DailyReportView,
 * DailyReportPutView), for the OpenAPI document. Open objects, as in openapi-responses.ts.
 */
type Schema = Record<string, unknown>;

const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time', description: 'ISO 8601, +08:00 (Asia/Shanghai)' };
const date: Schema = { type: 'string', format: 'date', description: 'YYYY-MM-DD' };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const object = (properties: Record<string, Schema>): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
});

export const DAILY_REPORT_VIEW = object({
  siteId: uuid,
  siteName: str(),
  state: { type: 'string', enum: [...DAILY_REPORT_STATES] },
  submittedAt: nullable({ ...time, description: 'the latest version, ISO 8601 +08:00' }),
  channel: nullable({ type: 'string', enum: [...DAILY_REPORT_CHANNELS] }),
  kind: nullable({ type: 'string', enum: ['normal', 'zero'] }),
  version: nullable({ type: 'integer', description: 'the latest version: 1, 2, …' }),
  drill: { type: 'boolean', description: '演练' },
  drillId: nullable({ ...uuid, description: 'the drill whose round this is (docs/drills.md)' }),
  dueAt: { ...time, description: "the round's due time, ISO 8601 +08:00" },
});

export const DAILY_REPORT_LIST = { type: 'array', items: DAILY_REPORT_VIEW };

export const DAILY_ROUND_VIEW = object({
  date,
  dueAt: time,
  drill: { type: 'boolean' },
  drillId: nullable({ ...uuid, description: 'the drill the round belongs to' }),
  sites: { type: 'array', items: DAILY_REPORT_VIEW },
});

export const DAILY_REPORT_PUT_VIEW = object({
  state: {
    type: 'string',
    enum: ['submitted', 'zero', 'late'],
    description: 'late: after dueAt, whatever the kind',
  },
  version: {
    type: 'integer',
    description: '1 for the first report of the date; a later one is a new version',
  },
  submittedAt: time,
});
