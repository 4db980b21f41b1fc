import type { ComponentHealth } from '#contracts';

export interface JobOptions {
  /** run no earlier than this many ms from now */
  delayMs?: number;
  /** de-duplication key: adding a job whose key is already queued does nothing */
  key?: string;
  /** tries before the job is marked failed; default 5 */
  attempts?: number;
}

export type JobHandler<T = unknown> = (data: T) => Promise<void>;

/**
 * The queue every app uses, whatever runs it: BullMQ on Redis in a cluster, or a table
 * in the embedded database. Delivery is at least once, so handlers must be idempotent.
 */
export abstract class JobQueue {
  abstract readonly driver: string;

  private readonly handlers = new Map<string, JobHandler>();
  private markReady!: () => void;
  // Jobs wait until every module has registered its handlers (application bootstrap).
  private readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  onApplicationBootstrap(): Promise<void> | void {
    this.markReady();
  }

  abstract add<T>(name: string, data: T, options?: JobOptions): Promise<void>;
  abstract health(): Promise<ComponentHealth>;

  /** Registers the one handler for a job name; a second registration is a start-up bug. */
  handle<T>(name: string, handler: JobHandler<T>): void {
    if (this.handlers.has(name)) throw new Error(`job "${name}" already has a handler`);
    this.handlers.set(name, handler as JobHandler);
  }

  /** True when this process has a handler for the job name (e.g. an optional delivery channel). */
  hasHandler(name: string): boolean {
    return this.handlers.has(name);
  }

  /** The job names this process has handlers for (the only ones it takes from a queue). */
  protected handledNames(): string[] {
    return [...this.handlers.keys()];
  }

  protected async run(name: string, data: unknown): Promise<void> {
    await this.ready;
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`no handler for job "${name}"`);
    await handler(data);
  }
}
