import type { MessagePort } from 'node:worker_threads';

/** What the engine's thread answers for a statement of `count` items (see the worker). */
type LaneReply = { name: string; count: number; rows?: Record<string, unknown>[]; error?: string };

export interface LaneBatchOptions<T, R> {
  /** one name per statement: what waits under it is merged into one statement */
  name: string;
  /**
   * The statement. Its parameters are the columns, in order, each bound as a text array
   * literal: cast them (`$1::uuid[]`). Items posted apart may share a statement, so it must
   * accept the same key twice.
   */
  sql: string;
  /** the items' values, column by column */
  columns: (item: T) => unknown[];
  /** items per statement at most */
  max: number;
  /** the statement's rows and the items it covered; called in order, one at a time */
  done: (rows: R[], items: T[]) => void | Promise<void>;
  failed: (err: Error, items: T[]) => void;
}

const stoppedError = () => new Error('the embedded database stopped');

/** items a post carries at most: a burst goes to the engine as it arrives, not after it */
const POST_EVERY = 256;

/**
 * Batch statements that run on the embedded engine's own thread (EmbeddedPostgres). The
 * main thread posts items and goes on; the engine's thread runs one statement after
 * another over whatever has arrived, with no turn of the main thread's event loop between
 * them.
 */
export class StatementLane {
  private readonly batches = new Map<string, LaneBatch<any, any>>();
  private readonly queries = new Map<
    string,
    { resolve: (rows: any[]) => void; reject: (e: Error) => void }
  >();
  private lastQuery = 0;
  private closed = false;

  constructor(private readonly port: MessagePort) {
    port.on('message', (reply: LaneReply) => {
      const query = this.queries.get(reply.name);
      if (!query) return this.batches.get(reply.name)?.reply(reply);
      this.queries.delete(reply.name);
      if (reply.error !== undefined) query.reject(new Error(reply.error));
      else query.resolve(reply.rows ?? []);
    });
  }

  /** One statement, run after whatever was posted before it (columns as text arrays, then scalars). */
  query<R>(sql: string, columns: unknown[][], scalars: (string | null)[] = []): Promise<R[]> {
    const name = `query:${++this.lastQuery}`;
    if (this.closed) return Promise.reject(stoppedError());
    return new Promise<R[]>((resolve, reject) => {
      this.queries.set(name, { resolve, reject });
      this.port.postMessage({ name, sql, max: Number.MAX_SAFE_INTEGER, columns, scalars });
    });
  }

  batch<T, R>(options: LaneBatchOptions<T, R>): LaneBatch<T, R> {
    if (this.batches.has(options.name)) throw new Error(`lane batch ${options.name} exists already`);
    const batch = new LaneBatch<T, R>(options, (columns) => {
      // a closed port drops what is posted, and nothing would ever answer it
      if (this.closed) return false;
      this.port.postMessage({ name: options.name, sql: options.sql, max: options.max, columns });
      return true;
    });
    this.batches.set(options.name, batch);
    return batch;
  }

  close(): void {
    this.closed = true;
    const stopped = stoppedError();
    for (const batch of this.batches.values()) batch.abandon(stopped);
    for (const query of this.queries.values()) query.reject(stopped);
    this.queries.clear();
    this.port.close();
  }
}

export class LaneBatch<T, R> {
  private buffered: T[] = [];
  private readonly posted: T[] = [];
  private scheduled = false;
  private handling: Promise<void> = Promise.resolve();
  private idle: (() => void)[] = [];

  constructor(
    private readonly options: LaneBatchOptions<T, R>,
    /** false: the engine is gone (the items are failed here) */
    private readonly post: (columns: unknown[][]) => boolean,
  ) {}

  add(item: T): void {
    this.buffered.push(item);
    if (this.buffered.length >= POST_EVERY) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  async drain(): Promise<void> {
    for (this.flush(); this.posted.length; this.flush())
      await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.handling;
  }

  private flush(): void {
    this.scheduled = false;
    if (!this.buffered.length) return;
    const items = this.buffered;
    this.buffered = [];
    // columns() is read once per item (the caller may take the item's state at this moment)
    const rows = items.map((item) => this.options.columns(item));
    const columns = rows[0]!.map((_, c) => rows.map((row) => row[c]));
    if (!this.post(columns)) return this.options.failed(stoppedError(), items);
    for (const item of items) this.posted.push(item);
  }

  reply(reply: LaneReply): void {
    const items = this.posted.splice(0, reply.count);
    const { done, failed } = this.options;
    this.handling = this.handling.then(async () => {
      try {
        if (reply.error !== undefined) failed(new Error(reply.error), items);
        else await done((reply.rows ?? []) as R[], items);
      } catch (err) {
        failed(err as Error, items);
      }
    });
    if (!this.posted.length) for (const resolve of this.idle.splice(0)) resolve();
  }

  abandon(err: Error): void {
    const items = this.posted.splice(0);
    if (items.length) this.options.failed(err, items);
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
