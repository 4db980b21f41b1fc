/**
 * Reconnect delays: exponential from `minMs` to `maxMs` with jitter, so a county's gateways
 * coming back after a power cut do not all knock at once. (The same rule as push-terminal's;
 * a gateway may not import another gateway, and this is too small for a lib of its own.)
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs = 1000,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}
