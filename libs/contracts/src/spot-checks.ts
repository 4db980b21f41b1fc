import { z } from 'zod';

/**
 * 查岗 spot checks: the REST, Socket.IO and job contract (docs/spot-checks.md).
 */

export const SPOT_CHECK_CHANNELS = ['console', 'terminal', 'video'] as const;
export type SpotCheckChannel = (typeof SPOT_CHECK_CHANNELS)[number];

export const SPOT_CHECK_STATES = ['pending', 'answered', 'late', 'missed'] as const;
export type SpotCheckTargetState = (typeof SPOT_CHECK_STATES)[number];

export const MIN_SPOT_CHECK_WINDOW_SECONDS = 10;
export const MAX_SPOT_CHECK_WINDOW_SECONDS = 3600;
/** sites in one check: every township of a large county and then some */
export const MAX_SPOT_CHECK_SITES = 10_000;

const windowSeconds = z
  .number({ error: 'must be a number of seconds' })
  .int('must be a whole number of seconds')
  .min(MIN_SPOT_CHECK_WINDOW_SECONDS, `must be at least ${MIN_SPOT_CHECK_WINDOW_SECONDS} s`)
  .max(MAX_SPOT_CHECK_WINDOW_SECONDS, `must be at most ${MAX_SPOT_CHECK_WINDOW_SECONDS} s (60 min)`);

const channels = z
  .array(z.enum(SPOT_CHECK_CHANNELS))
  .min(1, 'name at least one channel')
  .max(SPOT_CHECK_CHANNELS.length)
  .refine((c) => new Set(c).size === c.length, 'a channel is named twice');

const sampleCount = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_SPOT_CHECK_SITES);

export const StartSpotCheckRequestSchema = z
  .strictObject({
    siteIds: z.array(z.uuid()).min(1).max(MAX_SPOT_CHECK_SITES).optional(),
    sample: z
      .strictObject({
        count: sampleCount,
        /** draw from these sites (each in scope); default: every township in scope */
        fromSiteIds: z.array(z.uuid()).min(1).max(MAX_SPOT_CHECK_SITES).optional(),
      })
      .optional(),
    windowSeconds,
    channels,
    /** 演练: marked everywhere, left out of the monthly 通报 unless asked for */
    drill: z.boolean().optional(),
    /** started in this drill (docs/drills.md): implies drill: true; sites within the drill's */
    drillId: z.uuid().optional(),
  })
  .refine((r) => (r.siteIds ? 1 : 0) + (r.sample ? 1 : 0) === 1, {
    message: 'give either siteIds or sample',
    path: ['siteIds'],
  });
export type StartSpotCheckRequest = z.infer<typeof StartSpotCheckRequestSchema>;

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day, HH:MM');

export const SpotCheckScheduleRequestSchema = z
  .strictObject({
    /** fixed times of day, Asia/Shanghai */
    times: z.array(timeOfDay).min(1).max(48).optional(),
    randomPerDay: z
      .strictObject({
        count: z.number().int().min(1).max(24),
        between: z.tuple([timeOfDay, timeOfDay]),
      })
      .refine((r) => r.between[0] < r.between[1], {
        message: 'the window must start before it ends',
        path: ['between'],
      })
      .optional(),
    sample: z.strictObject({ count: sampleCount }),
    windowSeconds,
    channels,
    drill: z.boolean().optional(),
  })
  .refine((r) => (r.times?.length ?? 0) > 0 || r.randomPerDay !== undefined, {
    message: 'give times or randomPerDay',
    path: ['times'],
  });
export type SpotCheckScheduleRequest = z.infer<typeof SpotCheckScheduleRequestSchema>;

export const MonthlyStatsQuerySchema = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM'),
  format: z.enum(['json', 'csv']).optional(),
  includeDrill: z.enum(['true', 'false']).optional(),
});
export type MonthlyStatsQuery = z.infer<typeof MonthlyStatsQuerySchema>;

export interface SpotCheckTargetView {
  siteId: string;
  siteName: string;
  state: SpotCheckTargetState;
  answeredAt: string | null;
  latencyMs: number | null;
  channel: SpotCheckChannel | null;
  answeredBy: string | null;
  /** null: the roster could not say (no roster for that hour) */
  onRoster: boolean | null;
}

/** A board's live update of one target: the snapshot's target without the name it already has. */
export type SpotCheckTargetUpdate = Omit<SpotCheckTargetView, 'siteName'>;

/** The answer to starting a check (201): every target pending. */
export interface SpotCheckStartedView {
  id: string;
  createdAt: string;
  deadline: string;
  windowSeconds: number;
  channels: SpotCheckChannel[];
  drill: boolean;
  /** the drill it was started in (additive; null when none) */
  drillId: string | null;
  scheduleId: string | null;
  targets: { siteId: string; state: 'pending' }[];
}

export interface SpotCheckView {
  id: string;
  createdAt: string;
  deadline: string;
  windowSeconds: number;
  channels: SpotCheckChannel[];
  drill: boolean;
  /** the drill it was started in (additive; null when none) */
  drillId: string | null;
  scheduleId: string | null;
  targets: SpotCheckTargetView[];
}

/** The reply to an answer: what is recorded (the first answer stands). */
export interface SpotCheckAnswerView {
  checkId: string;
  siteId: string;
  state: SpotCheckTargetState;
  answeredAt: string | null;
  latencyMs: number | null;
  /** true: the site had answered already; nothing changed */
  duplicate: boolean;
}

export interface SpotCheckScheduleView {
  id: string;
  times: string[];
  randomPerDay: { count: number; between: [string, string] } | null;
  sample: { count: number };
  windowSeconds: number;
  channels: SpotCheckChannel[];
  drill: boolean;
  createdAt: string;
  /** false once disabled (`POST /api/v1/spot-checks/schedules/:id/disable`): it fires no more */
  active: boolean;
}

export interface MonthlyStatsRow {
  siteId: string;
  siteName: string;
  regionCode: string | null;
  checks: number;
  answeredOnTime: number;
  late: number;
  missed: number;
  medianMs: number | null;
  p90Ms: number | null;
}

export interface MonthlyStatsView {
  month: string;
  includeDrill: boolean;
  rows: MonthlyStatsRow[];
}

export interface SpotCheckPushPayload {
  checkId: string;
  deadline: string;
  drill: boolean;
}

export interface SpotCheckEscalationPayload {
  checkId: string;
  siteId: string;
  siteName: string;
  parentSiteId: string;
  misses: number;
  drill: boolean;
}

export const SocketSpotCheckRequestSchema = z.strictObject({ checkId: z.uuid() });

export const SPOT_CHECK_JOBS = {
  /** delayed to a check's deadline: its silent targets become `missed` */
  deadline: 'spotcheck.deadline',
  /** a terminal's 签收 of a spot-check message (from the bridge's receipt sink) */
  terminalAnswer: 'spotcheck.terminal-answer',
  /** a site's answer to a consultation roll call (from the SFU): answers its open video checks */
  videoAnswer: 'spotcheck.video-answer',
} as const;

export interface SpotCheckVideoAnswerJob {
  siteId: string;
  userId: string;
  rollCallId: string;
  /** when the roll call was answered */
  at: string;
}

export interface SpotCheckDeadlineJob {
  checkId: string;
}

export interface SpotCheckTerminalAnswerJob {
  checkId: string;
  siteId: string;
  terminalId: string;
  /** when the hub received the 签收 */
  at: string;
}
