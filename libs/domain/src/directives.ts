import type { DirectiveLevel, EscalationStep, RecipientState } from '#contracts';

/** Default time to 签收 by level, when the issuer gives none. */
const DEFAULT_ACK_WITHIN_SECONDS: Record<DirectiveLevel, number> = {
  red: 5 * 60,
  orange: 10 * 60,
  yellow: 15 * 60,
  blue: 30 * 60,
};

/** Time between escalation steps by level: the more severe, the faster the ladder climbs. */
const STEP_INTERVAL_SECONDS: Record<DirectiveLevel, number> = {
  red: 2 * 60,
  orange: 5 * 60,
  yellow: 10 * 60,
  blue: 15 * 60,
};

export function defaultAckWithinSeconds(level: DirectiveLevel): number {
  return DEFAULT_ACK_WITHIN_SECONDS[level];
}

/** The steps, in order, taken for a recipient that has not acknowledged by its deadline. */
export const ESCALATION_LADDER: readonly EscalationStep[] = ['redeliver', 'notify_leader', 'escalate_parent'];

/**
 * Seconds from one step to the next: the level's interval, but never longer than the
 * deadline itself (a directive due in 60 s is not escalated 15 minutes later).
 */
export function escalationIntervalSeconds(level: DirectiveLevel, ackWithinSeconds: number): number {
  return Math.max(1, Math.min(STEP_INTERVAL_SECONDS[level], ackWithinSeconds));
}

/**
 * The step taken when a recipient at `currentLevel` (0 = not yet escalated) is due, and
 * when the one after it falls due (null after the last step).
 */
export function nextEscalation(
  currentLevel: number,
  level: DirectiveLevel,
  ackWithinSeconds: number,
  now: Date,
): { step: EscalationStep; newLevel: number; nextAt: Date | null } | null {
  const step = ESCALATION_LADDER[currentLevel];
  if (!step) return null;
  const newLevel = currentLevel + 1;
  const nextAt =
    newLevel < ESCALATION_LADDER.length
      ? new Date(now.getTime() + escalationIntervalSeconds(level, ackWithinSeconds) * 1000)
      : null;
  return { step, newLevel, nextAt };
}

/** States from which 签收 is accepted. */
export const ACKABLE_STATES: readonly RecipientState[] = ['pending', 'delivered', 'failed'];
/** States in which a recipient is still waited for (escalation applies). */
export const AWAITING_ACK_STATES: readonly RecipientState[] = ['pending', 'delivered', 'failed'];
/** States that end a recipient's part of the loop. */
export const FINAL_STATES: readonly RecipientState[] = ['completed', 'expired'];

/**
 * A directive's validity (optional): at `expiresAt` and after, it is expired. Unacknowledged
 * recipients then become `expired`, 签收 is refused and no channel delivers it late.
 */
export function isExpired(expiresAt: Date | string | null, now: Date): boolean {
  if (expiresAt === null) return false;
  return new Date(expiresAt).getTime() <= now.getTime();
}

/** Year of a serial in China Standard Time (UTC+8, no DST): a directive at 00:30 on 1 Jan belongs to the new year. */
export function serialYear(at: Date): number {
  return new Date(at.getTime() + 8 * 3600 * 1000).getUTCFullYear();
}

/** "2026-0001": year and a per-year counter, at least four digits. */
export function formatSerial(year: number, n: number): string {
  return `${year}-${String(n).padStart(4, '0')}`;
}
