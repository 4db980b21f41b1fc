/**
 * Collects items and hands them to one flush at a time: after `delayMs`, or at once when
 * `max` have piled up. 10,000 devices acking within a second become a few dozen
 * statements instead of 10,000 (the embedded database serves one session).
 */
export class Batcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly options: { delayMs: number; max: number },
    private readonly onError: (err: unknown, items: T[]) => void,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.options.max) this.kick();
    else if (!this.timer) this.timer = setTimeout(() => this.kick(), this.options.delayMs);
  }

  /** flushes what is waiting and resolves when every flush so far has finished */
  async drain(): Promise<void> {
    if (this.items.length) this.kick();
    await this.running;
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.items;
    if (!batch.length) return;
    this.items = [];
    this.running = this.running
      .then(() => this.flush(batch))
      .catch((err: unknown) => this.onError(err, batch));
  }
}
