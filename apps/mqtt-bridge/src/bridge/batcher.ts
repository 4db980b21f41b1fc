/**
 * Group commit: collects items and hands them to one flush at a time. The first item
 * waits at most `delayMs` (or none, once `max` have piled up); while a flush runs, what
 * arrives piles up and becomes the next batch the moment it ends. 10,000 devices acking
 * within a second become a few statements instead of 10,000 (the embedded database
 * serves one session).
 *
 * A batch is cut when its flush starts, not when its timer fires: cut at the timer, a
 * slow flush left dozens of 10 ms batches queued behind it, each a statement of its own,
 * and acks waited two seconds in line for a database that was mostly idle.
 *
 * `retry`: a batch whose flush failed in a way that passes (the database restarting) goes
 * back in front of what arrived since, and is flushed again after a pause (doubling to
 * `maxDelayMs`), for as long as the failure passes; other failures go to `onError`. What
 * waits is bounded by `maxWaiting`: past it the oldest are given up (`onError`), so a long
 * outage cannot take the process's memory with it.
 */
export interface BatcherRetry {
  when: (err: unknown) => boolean;
  firstDelayMs: number;
  maxDelayMs: number;
  maxWaiting: number;
}

export class Batcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private retrying = true;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly options: { delayMs: number; max: number },
    private readonly onError: (err: unknown, items: T[]) => void,
    private readonly retry?: BatcherRetry,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.running) return; // taken when the running flush ends
    if (this.items.length >= this.options.max) this.start();
    else this.timer ??= setTimeout(() => this.start(), this.options.delayMs);
  }

  /** at shutdown: a failed flush is not tried again (a database that stays down must not hold the stop) */
  stopRetrying(): void {
    this.retrying = false;
  }

  /** flushes what is waiting and resolves when nothing is waiting or running */
  async drain(): Promise<void> {
    this.start();
    while (this.running) await this.running;
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || !this.items.length) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
      // added after the loop's last look (between its end and this callback)
      if (this.items.length) this.start();
    });
  }

  private async run(): Promise<void> {
    let delayMs = this.retry?.firstDelayMs ?? 0;
    while (this.items.length) {
      const batch = this.items.splice(0, this.options.max);
      try {
        await this.flush(batch);
        delayMs = this.retry?.firstDelayMs ?? 0;
      } catch (err) {
        if (!this.retry || !this.retrying || !this.retry.when(err)) {
          this.onError(err, batch);
          continue;
        }
        // in front of what came since: a later item for the same key must stay later
        this.items.unshift(...batch);
        const over = this.items.length - this.retry.maxWaiting;
        if (over > 0) this.onError(err, this.items.splice(0, over));
        await new Promise((r) => setTimeout(r, delayMs).unref());
        delayMs = Math.min(delayMs * 2, this.retry.maxDelayMs);
      }
    }
  }
}
