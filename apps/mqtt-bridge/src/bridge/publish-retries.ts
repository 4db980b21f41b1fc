/** after a failed publish, the terminal's outbox is replayed in order after this, doubling to the max */
export const RETRY_FIRST_MS = 5000;
export const RETRY_MAX_MS = 300_000;

/**
 * Terminals whose last publish failed, until a publish to them succeeds: nothing is sent to
 * them while their retry waits (a later message must not overtake the one that failed); the
 * retry replays everything unacknowledged in order. The delay doubles while publishes keep
 * failing, and starts again from the first after one succeeds.
 */
export class PublishRetries {
  private readonly retries = new Map<string, { timer: NodeJS.Timeout | undefined; delayMs: number }>();

  /** `fire` asks for the terminal's replay when its retry is due */
  constructor(private readonly fire: (terminalId: string) => void) {}

  /** a retry is waiting: what comes for the terminal meanwhile is left to it */
  waiting(terminalId: string): boolean {
    return !!this.retries.get(terminalId)?.timer;
  }

  /** failed and not yet published to since: waiting, or its retry is sending */
  failing(terminalId: string): boolean {
    return this.retries.has(terminalId);
  }

  succeeded(terminalId: string): void {
    this.retries.delete(terminalId);
  }

  /** a retry after the terminal's next delay, unless one is waiting already */
  failed(terminalId: string): void {
    const previous = this.retries.get(terminalId);
    if (previous?.timer) return;
    const delayMs = previous ? Math.min(previous.delayMs * 2, RETRY_MAX_MS) : RETRY_FIRST_MS;
    const retry = { timer: undefined as NodeJS.Timeout | undefined, delayMs };
    retry.timer = setTimeout(() => {
      retry.timer = undefined; // sending again; the delay stays for a next failure
      this.fire(terminalId);
    }, delayMs);
    retry.timer.unref();
    this.retries.set(terminalId, retry);
  }

  /** no retry for the terminal (gone offline: its reconnect replays everything) */
  cancel(terminalId: string): void {
    clearTimeout(this.retries.get(terminalId)?.timer);
    this.retries.delete(terminalId);
  }

  /** no more retries (shutdown) */
  stop(): void {
    for (const r of this.retries.values()) clearTimeout(r.timer);
  }
}
