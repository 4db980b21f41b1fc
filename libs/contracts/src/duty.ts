import { z } from 'zod';
import { DUTY_LOG_ENTRY_KINDS } from './duty-events.js';
import { boundedDateTime, multiLineText, singleLineText } from './text.js';

/**
 * Duty (issue 17): rosters, the leader on duty by roster, handover (交接班) and the duty log
 * (值班日志). Times are ISO 8601 with an offset; the hub answers in +08:00 (Asia/Shanghai).
 */
export const DUTY_SHIFT_ROLES = ['leader', 'officer'] as const;
export const DutyShiftRoleSchema = z.enum(DUTY_SHIFT_ROLES);

export const CreateShiftRequestSchema = z.strictObject({
  siteId: z.uuid(),
  userId: z.uuid(),
  role: DutyShiftRoleSchema,
  startsAt: boundedDateTime(),
  endsAt: boundedDateTime(),
});
export type CreateShiftRequest = z.infer<typeof CreateShiftRequestSchema>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (00:00-23:59)');

export const MAX_ROTATION_DAYS = 31;
export const MAX_ROTATION_SLOTS = 8;
export const MAX_SLOT_OFFICERS = 8;

export const RotationSlotSchema = z.strictObject({
  start: hhmm,
  end: hhmm,
  leader: z.uuid().optional(),
  officers: z.array(z.uuid()).max(MAX_SLOT_OFFICERS, `at most ${MAX_SLOT_OFFICERS} officers`).default([]),
});

export const CreateRotationRequestSchema = z.strictObject({
  siteId: z.uuid(),
  slots: z
    .array(RotationSlotSchema)
    .min(1, 'give at least one slot')
    .max(MAX_ROTATION_SLOTS, `at most ${MAX_ROTATION_SLOTS} slots`),
  /** the first day, YYYY-MM-DD in Asia/Shanghai */
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD (Asia/Shanghai)'),
  days: z.number().int().min(1).max(MAX_ROTATION_DAYS),
});
export type CreateRotationRequest = z.infer<typeof CreateRotationRequestSchema>;

export interface DutyShiftView {
  id: string;
  siteId: string;
  userId: string;
  name: string;
  role: 'leader' | 'officer';
  startsAt: string;
  endsAt: string;
}

export interface DutyPersonView {
  userId: string;
  name: string;
}

export interface DutyNowView {
  siteId: string;
  leader: DutyPersonView | null;
  officers: DutyPersonView[];
  /** when the first of the current shifts ends; null when nobody is rostered now */
  until: string | null;
  /** "roster", or "static" when no leader is rostered and the site's fixed leader stands in */
  leaderSource: 'roster' | 'static' | null;
}

export interface DutyGapView {
  startsAt: string;
  endsAt: string;
  leaders: number;
  officers: number;
  missingLeader: boolean;
  missingOfficers: number;
}

const siteQuery = { siteId: z.uuid() };
export const DutyNowQuerySchema = z.strictObject(siteQuery);
export const DutyWindowQuerySchema = z.strictObject({
  ...siteQuery,
  from: boundedDateTime(),
  to: boundedDateTime(),
  /** officers a stretch needs; default 2 (practice: at least 2 in the duty room) */
  minOfficers: z.coerce.number().int().min(0).max(10).default(2),
});
export type DutyWindowQuery = z.infer<typeof DutyWindowQuerySchema>;

export const CreateHandoverRequestSchema = z.strictObject({
  siteId: z.uuid(),
  toUserId: z.uuid(),
  notes: multiLineText(8192).optional(),
});
export type CreateHandoverRequest = z.infer<typeof CreateHandoverRequestSchema>;

export interface OpenItemView {
  kind: string;
  id: string;
  title: string;
  state?: string;
}

export interface HandoverView {
  id: string;
  siteId: string;
  fromUserId: string;
  toUserId: string;
  notes: string | null;
  openItems: OpenItemView[];
  createdAt: string;
  dueBy: string;
  confirmedAt: string | null;
  alertedAt: string | null;
}

export const HandoverListQuerySchema = z.strictObject(siteQuery);

export const CreateDutyLogRequestSchema = z.strictObject({
  siteId: z.uuid(),
  kind: z.enum(DUTY_LOG_ENTRY_KINDS),
  text: multiLineText(8192),
  /** call: who rang */
  caller: singleLineText(50).optional(),
  /** call, document: their unit */
  unit: singleLineText(100).optional(),
  phone: singleLineText(32).optional(),
});
export type CreateDutyLogRequest = z.infer<typeof CreateDutyLogRequestSchema>;

export const DutyLogQuerySchema = z.strictObject({
  ...siteQuery,
  from: boundedDateTime().optional(),
  to: boundedDateTime().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type DutyLogQuery = z.infer<typeof DutyLogQuerySchema>;

export interface DutyLogEntryView {
  seq: number;
  at: string;
  siteId: string;
  actorId: string | null;
  actorName: string | null;
  kind: (typeof DUTY_LOG_ENTRY_KINDS)[number];
  text: string;
  caller?: string;
  unit?: string;
  phone?: string;
}

export interface DutyLogVerifyView {
  ok: boolean;
  checked: number;
  brokenAt?: { seq: number; reason: string };
}

export interface HandoverOverduePayload {
  handoverId: string;
  siteId: string;
  siteName: string;
  fromUserId: string;
  toUserId: string;
  dueBy: string;
}
