/**
 * A fan-out's timeline, for the benchmark (`YIHU_TRACE=1 npm run bench:mqtt` prints it
 * from the issue): when the outbox chunks commit, when the bridge hands them to the broker,
 * when device acks are read and recorded. Off by default; then each mark is one check.
 * Lines go to stderr as `yihu-trace <epoch ms> <step> <json>`.
 *
 * Module state rather than a provider: one setting per process, fixed at start-up (startApp
 * calls enableFanoutTrace with the validated YIHU_TRACE), and the marks in the outbox and
 * the bridge need no constructor parameter each.
 */
let enabled = false;
const counts = new Map<string, number>();

export function enableFanoutTrace(on: boolean): void {
  enabled = on;
}

export function trace(step: string, detail?: Record<string, number>): void {
  if (!enabled) return;
  process.stderr.write(`yihu-trace ${Date.now()} ${step}${detail ? ` ${JSON.stringify(detail)}` : ''}\n`);
}

/** marks the 1st, (every + 1)th, (2 × every + 1)th, ... occurrence of a step */
export function traceCount(step: string, every: number): void {
  if (!enabled) return;
  const n = (counts.get(step) ?? 0) + 1;
  counts.set(step, n);
  if (n % every === 1) trace(step, { n });
}
