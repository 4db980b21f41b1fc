/**
 * Per gateway and leaf, how many radio messages a second the bridge takes: a COR change
 * is a few a second at most (a squelch tail), DTMF and emergency are rarer, and a join
 * comes once per connect. The limit absorbs a burst of that size and drops the rest.
 */
export const RADIO_RATE_PER_SECOND: Record<'join' | 'state' | 'events', number> = {
  join: 5,
  state: 20,
  events: 10,
};

/**
 * Token buckets by key: each holds up to `rate` tokens and refills `rate` a second, so a
 * sender may burst `rate` messages and then keep to `rate` a second. Pure (the clock is
 * passed in) so the rule is unit-tested without waiting.
 */
export class RateBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly maxKeys = 100_000) {}

  /** takes one token for `key`; false when the bucket is empty */
  take(key: string, rate: number, nowMs: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= this.maxKeys) this.buckets.clear();
      b = { tokens: rate, at: nowMs };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(rate, b.tokens + ((nowMs - b.at) / 1000) * rate);
    b.at = nowMs;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  forget(prefix: string): void {
    for (const key of this.buckets.keys()) if (key.startsWith(prefix)) this.buckets.delete(key);
  }
}
