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
 */
export class Batcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly options: { delayMs: number; max: number },
    private readonly onError: (err: unknown, items: T[]) => void,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.running) return; // taken when the running flush ends
    if (this.items.length >= this.options.max) this.start();
    else this.timer ??= setTimeout(() => this.start(), this.options.delayMs);
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
    while (this.items.length) {
      const batch = this.items.splice(0, this.options.max);
      try {
        await this.flush(batch);
      } catch (err) {
        this.onError(err, batch);
      }
    }
  }
}
