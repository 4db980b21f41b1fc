/** Which way a device's clock was off, when it was off by more than the tolerance. */
export type ClockSkew = 'ahead' | 'behind';

export interface PressTime {
  /** when the 签收 was pressed, as far as the hub can vouch for it */
  at: Date;
  /** set when the device's time was clamped by more than the tolerance */
  skew: ClockSkew | null;
}

/**
 * Earliest and latest device times the database is asked to store (`timestamptz` refuses
 * year 0, which ISO 8601 allows). Anything outside is clamped here already and then
 * flagged by pressTime against the directive's own bounds.
 */
const STORABLE_MIN_MS = Date.UTC(2000, 0, 1);
const STORABLE_MAX_MS = Date.UTC(9999, 11, 31);

/** A device's `at` (ISO 8601, validated by the contract) as a time the database can store. */
export function storableDeviceTime(iso: string): string | null {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return new Date(Math.min(Math.max(ms, STORABLE_MIN_MS), STORABLE_MAX_MS)).toISOString();
}

/**
 * When a person pressed 签收, by the device's clock, bounded by what the hub itself knows:
 * never before the directive was issued (no device may back-date a 签收 before there was
 * anything to sign), never after the hub received it. Inside the bounds the device's time
 * stands (a 签收 pressed during an outage and reported when the link returned keeps its
 * moment). Outside them it is clamped to the bound, and flagged when it was out by more
 * than `toleranceMs` (a device clock that is wrong, or a device that lies); a smaller
 * excess is ordinary clock drift and only clamped.
 */
export function pressTime(
  claimed: Date | null,
  bounds: { issuedAt: Date; receivedAt: Date },
  toleranceMs: number,
): PressTime {
  const { issuedAt, receivedAt } = bounds;
  // a hub whose own clock stepped back between issue and receipt: receipt wins
  const earliest = issuedAt.getTime() > receivedAt.getTime() ? receivedAt : issuedAt;
  if (!claimed || Number.isNaN(claimed.getTime())) return { at: receivedAt, skew: null };
  if (claimed.getTime() > receivedAt.getTime()) {
    const ahead = claimed.getTime() - receivedAt.getTime() > toleranceMs;
    return { at: receivedAt, skew: ahead ? 'ahead' : null };
  }
  if (claimed.getTime() < earliest.getTime()) {
    const behind = earliest.getTime() - claimed.getTime() > toleranceMs;
    return { at: earliest, skew: behind ? 'behind' : null };
  }
  return { at: claimed, skew: null };
}
