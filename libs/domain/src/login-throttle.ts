/**
 * The slower path for a user under attack (docs/security.md, "Login throttling"): a user
 * is never locked, but attempts on them from addresses that have never logged in as them
 * wait longer the more failures the user has had in the window, up to `maxMs`. A waiting
 * request costs a timer, not a hash, and the right password still gets in.
 */
export function loginDelayMs(userFailures: number, threshold: number, maxMs: number): number {
  if (userFailures < threshold) return 0;
  // 100 ms for the threshold-th failure, doubling every further `threshold` failures
  const steps = Math.floor((userFailures - threshold) / Math.max(threshold, 1));
  return Math.min(maxMs, 100 * 2 ** Math.min(steps, 20));
}
