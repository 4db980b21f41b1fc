/**
 * 预警信息发布: the zod-free names of warnings (states, levels, statuses, Socket.IO events),
 * in a module of their own: the console imports them, and a value import from a module that
 * builds schemas pulls zod into its first load. See docs/warnings.md.
 */

/** draft (制作) → review (审核) → approved (签发) → published (发布) → superseded / cancelled / expired */
export const WARNING_STATES = [
  'draft',
  'review',
  'approved',
  'published',
  'superseded',
  'cancelled',
  'expired',
] as const;
export type WarningState = (typeof WARNING_STATES)[number];

/** 红 橙 黄 蓝: CAP severity Extreme, Severe, Moderate, Minor */
export const WARNING_LEVELS = ['red', 'orange', 'yellow', 'blue'] as const;
export type WarningLevelName = (typeof WARNING_LEVELS)[number];

/** CAP `status`: Exercise for drills (演练), Test for tests; never shown as real */
export const WARNING_STATUSES = ['Actual', 'Exercise', 'Test'] as const;
export type WarningStatus = (typeof WARNING_STATUSES)[number];

/** CAP `msgType` of each message: the first is an Alert, 变更 an Update, 解除 a Cancel */
export const WARNING_MSG_TYPES = ['Alert', 'Update', 'Cancel'] as const;
export type WarningMsgType = (typeof WARNING_MSG_TYPES)[number];

/** The step of the workflow a history entry records. */
export const WARNING_STEPS = [
  'created',
  'imported',
  'submitted',
  'approved',
  'rejected',
  'published',
  'emergency_published',
  'updated',
  'cancelled',
  'expired',
] as const;
export type WarningStep = (typeof WARNING_STEPS)[number];

/** A warning whose onset is less than this after publication is flagged `leadTimeShort`. */
export const WARNING_MIN_LEAD_SECONDS = 1800;

/**
 * Socket.IO: a published warning reaches duty consoles as a directive (event `directive`,
 * with `warningId` and `kind: "warning"`) and is acknowledged (签收) like one. The events
 * below tell dispatch consoles that a warning changed so lists refresh.
 */
export const WARNING_EVENTS = {
  /** server → dispatch consoles in scope: `{id, identifier, state, at}` after every step */
  changed: 'warning.changed',
} as const;

export interface WarningChangedPayload {
  id: string;
  identifier: string;
  state: WarningState;
  at: string;
}
