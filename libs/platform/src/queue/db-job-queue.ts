import type { OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ComponentHealth } from '#contracts';
import { JobQueue, type JobOptions } from './job-queue.js';

interface ClaimedJob {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  max_attempts: number;
}

const LEASE_SECONDS = 60;
const BATCH = 50;
const IDLE_POLL_MS = 5000;

/**
 * The in-process queue: jobs live in the `jobs` table, so a job accepted before a crash
 * runs after the restart. Claims use FOR UPDATE SKIP LOCKED with a lease, so the same
 * table also works if several instances share one PostgreSQL without Redis. A process
 * claims only jobs it has handlers for, so processes with different apps can share it.
 */
export class DbJobQueue extends JobQueue implements OnApplicationShutdown {
  readonly driver = 'postgres-table';

  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private pumping: Promise<void> | null = null;
  private wakeAgain = false;
  private stopped = true;
  private processed = 0;
  private failures = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    /** this process owns the data dir (embedded mode): leases of a dead predecessor can go */
    private readonly soleOwner: boolean,
  ) {
    super();
  }

  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    if (this.soleOwner)
      await this.dataSource.query('UPDATE jobs SET locked_until = NULL WHERE locked_until IS NOT NULL');
    this.stopped = false;
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pumping;
  }

  async add<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO jobs (job_key, name, data, run_at, max_attempts)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5)
       ON CONFLICT (job_key) DO NOTHING`,
      [
        options.key ?? null,
        name,
        JSON.stringify(data ?? null),
        (options.delayMs ?? 0) / 1000,
        options.attempts ?? 5,
      ],
    );
    this.wake();
  }

  async health(): Promise<ComponentHealth> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE failed_at IS NULL) AS pending,
              count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
       FROM jobs`,
    )) as { pending: string; failed: string }[];
    return {
      status: 'up',
      driver: this.driver,
      detail: { pending: Number(row?.pending), failed: Number(row?.failed), processed: this.processed },
    };
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wakeAgain = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = true;
    this.pumping = this.pump().finally(() => {
      this.running = false;
      if (this.wakeAgain) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const jobs = await this.claim();
        if (jobs.length === 0) break;
        await Promise.all(jobs.map((job) => this.execute(job)));
      }
      this.scheduleNext(await this.msUntilNextDue());
    } catch (err) {
      this.logger.error({ err }, 'job queue pump failed; retrying');
      this.scheduleNext(1000);
    }
  }

  private scheduleNext(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.wake(), Math.max(0, Math.min(ms, IDLE_POLL_MS)));
    this.timer.unref();
  }

  private async claim(): Promise<ClaimedJob[]> {
    // TypeORM answers an UPDATE ... RETURNING with [rows, affectedCount]
    const [rows] = (await this.dataSource.query(
      `UPDATE jobs SET locked_until = now() + make_interval(secs => $1), attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM jobs
         WHERE failed_at IS NULL AND run_at <= now() AND (locked_until IS NULL OR locked_until < now())
           AND name = ANY($3::text[])
         ORDER BY run_at LIMIT $2
         FOR UPDATE SKIP LOCKED)
       RETURNING id, name, data, attempts, max_attempts`,
      [LEASE_SECONDS, BATCH, this.handledNames()],
    )) as [ClaimedJob[], number];
    return rows;
  }

  private async msUntilNextDue(): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT extract(epoch FROM (min(coalesce(greatest(run_at, locked_until), run_at)) - now())) * 1000 AS ms
       FROM jobs WHERE failed_at IS NULL AND name = ANY($1::text[])`,
      [this.handledNames()],
    )) as { ms: string | null }[];
    return row?.ms == null ? IDLE_POLL_MS : Math.ceil(Number(row.ms)) + 5;
  }

  private async execute(job: ClaimedJob): Promise<void> {
    try {
      await this.run(job.name, job.data);
      await this.dataSource.query('DELETE FROM jobs WHERE id = $1', [job.id]);
      this.processed += 1;
    } catch (err) {
      this.failures += 1;
      const message = (err as Error).message ?? String(err);
      const final = job.attempts >= job.max_attempts;
      this.logger.warn({ job: job.name, jobId: job.id, attempt: job.attempts, final, err }, 'job failed');
      // exponential back-off: 1 s, 2 s, 4 s ... capped at 5 minutes
      const backoff = Math.min(2 ** (job.attempts - 1), 300);
      await this.dataSource.query(
        `UPDATE jobs SET locked_until = NULL, last_error = $2,
           run_at = now() + make_interval(secs => $3), failed_at = CASE WHEN $4 THEN now() END
         WHERE id = $1`,
        [job.id, message.slice(0, 2000), backoff, final],
      );
    }
  }
}
