import type { DataSource } from 'typeorm';

/** More callers wait for a database connection than the bound allows: come back shortly. */
export class DatabaseBusyError extends Error {
  readonly retryAfterSeconds = 1;
  constructor(readonly waiting: number) {
    super(`the database is busy (${waiting} requests waiting); retry shortly`);
    this.name = 'DatabaseBusyError';
  }
}

type Connect = (cb?: (err: Error | undefined, client?: unknown, release?: () => void) => void) => unknown;
interface PgPool {
  waitingCount: number;
  connect: Connect;
}

/**
 * Bounds the queue of callers waiting for a pooled connection. The embedded engine has one
 * connection: under a burst every request queues for it, and an unbounded queue turns an
 * overload into minutes of waiting and then timeouts. Past the bound a caller is told at
 * once that the database is busy (503 with Retry-After), and the queue behind stays short.
 */
export function boundPoolQueue(dataSource: DataSource, maxWaiting: number): void {
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  if (!pool || typeof pool.connect !== 'function') throw new Error('the data source has no pg pool to bound');
  const connect = pool.connect.bind(pool);
  pool.connect = (cb) => {
    if (pool.waitingCount < maxWaiting) return connect(cb);
    const err = new DatabaseBusyError(pool.waitingCount);
    if (!cb) return Promise.reject(err);
    process.nextTick(() => cb(err, undefined, () => undefined));
    return undefined;
  };
}

/** Callers waiting for a pooled connection now (0 when the driver has no pool). */
export function poolWaiting(dataSource: DataSource): number {
  return (dataSource.driver as unknown as { master?: PgPool }).master?.waitingCount ?? 0;
}
