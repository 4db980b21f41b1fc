import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { DataDirLock } from './data-dir-lock.js';
import { EMBEDDED_POSTGRES_WORKER } from './embedded-postgres-worker.js';
import { StatementLane } from './statement-lane.js';

type WorkerReply = {
  ready?: true;
  stopped?: true;
  error?: string;
  pong?: number;
  answered?: number;
  inRequest?: number;
};

/** Whether the engine itself is alive, asked of its thread rather than through the pool. */
export type EngineProbe =
  | { up: true; /** socket requests answered since start */ answered: number; inFlight: number }
  | { up: false; reason: string };

/**
 * A real PostgreSQL engine (PGlite) persisted under DATA_DIR and served on the wire
 * protocol over a private unix socket, so TypeORM and pg use the same code path as
 * against a PostgreSQL server.
 *
 * PGlite runs on a worker thread of this process: its WebAssembly engine is CPU-bound,
 * and on the main thread every statement stopped the MQTT broker and the HTTP server
 * (10,000 terminal messages and their acks cost the one thread ~1.8 s). The data, the
 * data-dir lock and kill -9 behave as before: the thread dies with the process.
 *
 * PGlite has ONE session behind its socket: every connection shares it. The data source
 * therefore uses a pool of one connection in embedded mode, so a transaction can never
 * interleave with another caller's statements (see STACK.md).
 */
export class EmbeddedPostgres {
  /** `failed`: the thread died under us; stop() still releases the lock and the socket */
  private state: 'running' | 'failed' | 'stopped' = 'running';
  private readonly pongs = new Map<number, (reply: WorkerReply) => void>();
  private lastPing = 0;

  private constructor(
    private readonly worker: Worker,
    private readonly lock: DataDirLock,
    /** directory holding the socket file; pg's `host` */
    readonly socketDir: string,
    readonly dataPath: string,
    /** batch statements run on the engine's thread (see StatementLane) */
    readonly lane: StatementLane,
  ) {
    worker.on('message', (m: WorkerReply) => {
      if (m.pong === undefined) return;
      this.pongs.get(m.pong)?.(m);
      this.pongs.delete(m.pong);
    });
  }

  /**
   * Asks the engine's thread directly. Under load every pooled connection (there is one)
   * is queued for, so a `SELECT 1` through the pool can wait seconds while the engine is
   * working fine; the thread answers between two statements.
   */
  async probe(timeoutMs: number): Promise<EngineProbe> {
    if (this.state === 'stopped') return { up: false, reason: 'the embedded database is stopped' };
    if (this.state === 'failed') return { up: false, reason: 'the embedded database thread died' };
    const id = ++this.lastPing;
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<WorkerReply | undefined>((resolve) => {
      this.pongs.set(id, resolve);
      timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.worker.postMessage({ ping: id });
    });
    clearTimeout(timer);
    this.pongs.delete(id);
    if (!reply) return { up: false, reason: `the embedded database did not answer within ${timeoutMs} ms` };
    return { up: true, answered: reply.answered ?? 0, inFlight: reply.inRequest ?? 0 };
  }

  /**
   * `warmUp`: run a directive's worth of statements on a throw-away table first (see the
   * worker), so the first real one does not pay the engine's compilation.
   * `onFailure`: the engine's thread died while in use (the database is gone; the caller
   * should stop, and a restart recovers from the data dir as after kill -9).
   * `trace`: the thread marks lane statements that waited (YIHU_TRACE, see fanout-trace.ts).
   */
  static async start(
    dataDir: string,
    onFailure?: (err: Error) => void,
    options: { warmUp?: boolean; trace?: boolean } = {},
  ): Promise<EmbeddedPostgres> {
    const lock = DataDirLock.acquire(dataDir);
    let worker: Worker | undefined;
    const { port1, port2 } = new MessageChannel();
    try {
      const dataPath = join(dataDir, 'pgdata');
      // Unix socket paths are limited to ~107 bytes, so the socket lives in a short,
      // private directory derived from the data dir rather than inside it.
      const socketDir = join(
        tmpdir(),
        `yihu-pg-${createHash('sha1').update(dataDir).digest('hex').slice(0, 12)}`,
      );
      rmSync(socketDir, { recursive: true, force: true });
      mkdirSync(socketDir, { recursive: true, mode: 0o700 });
      const require = createRequire(import.meta.url);
      worker = new Worker(EMBEDDED_POSTGRES_WORKER, {
        eval: true,
        workerData: {
          pglite: require.resolve('@electric-sql/pglite'),
          socket: require.resolve('@electric-sql/pglite-socket'),
          dataPath,
          socketPath: join(socketDir, '.s.PGSQL.5432'),
          warmUp: options.warmUp ?? false,
          trace: options.trace ?? false,
          lanePort: port2,
        },
        transferList: [port2],
      });
      await reply(worker, 'ready');
      const pg = new EmbeddedPostgres(worker, lock, socketDir, dataPath, new StatementLane(port1));
      worker.on('error', (err) => pg.failed(err, onFailure));
      worker.on('exit', (code) =>
        pg.failed(new Error(`embedded database thread exited (${code})`), onFailure),
      );
      return pg;
    } catch (err) {
      port1.close();
      await worker?.terminate();
      lock.release();
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const alive = this.state === 'running';
    this.state = 'stopped';
    try {
      if (alive) {
        this.worker.postMessage('stop');
        await reply(this.worker, 'stopped');
      }
    } finally {
      this.lane.close();
      await this.worker.terminate();
      rmSync(this.socketDir, { recursive: true, force: true });
      this.lock.release();
    }
  }

  private failed(err: Error, onFailure?: (err: Error) => void): void {
    if (this.state !== 'running') return; // a stop's own exit, or the exit after an error
    this.state = 'failed';
    this.lane.close();
    onFailure?.(err);
  }
}

/** Waits for the worker's `ready` or `stopped`; its error, or its death, rejects. */
function reply(worker: Worker, what: 'ready' | 'stopped'): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      fn();
    };
    const onMessage = (m: WorkerReply) => {
      if (m.error && !m.stopped) done(() => reject(new Error(m.error)));
      else if (m[what]) done(resolve);
    };
    const onError = (err: Error) => done(() => reject(err));
    const onExit = (code: number) =>
      done(() => reject(new Error(`embedded database thread exited (${code})`)));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
