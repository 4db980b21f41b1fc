import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { DELIVERY_CHANNEL_NAMES, DIRECTIVE_JOBS } from '#contracts';
import { AppConfig, JobQueue, LOGGER } from '#platform';

/** Outbox job name that fans out to `directive.deliver.<channel>` for every channel loaded here. */
export const FAN_OUT_DELIVERY = 'directive.deliver';

export interface OutboxJob {
  name: string;
  data: unknown;
  key?: string;
  /** not before this time (a delayed job) */
  runAt?: Date;
}

interface OutboxRow {
  id: string;
  job_name: string;
  data: unknown;
  job_key: string | null;
  delay_ms: number;
}

const POLL_MS = 1000;
const LEASE_SECONDS = 30;
const BATCH = 200;

/**
 * Transactional outbox. A change and the jobs it causes are written in one transaction
 * (`write(tx, ...)`); the relay then moves rows to the JobQueue and deletes them. A crash
 * between commit and enqueue leaves the row, and the next relay pass (any instance)
 * enqueues it: a committed directive always reaches the queue. A crash after enqueue but
 * before delete enqueues twice; the job key and idempotent handlers absorb that.
 */
@Injectable()
export class DirectiveOutbox implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async write(tx: EntityManager, jobs: OutboxJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await tx.query(
      `INSERT INTO directive_outbox (job_name, data, job_key, run_at)
       SELECT n, d, k, coalesce(r, now()) FROM unnest($1::varchar[], $2::jsonb[], $3::text[], $4::timestamptz[]) AS t(n, d, k, r)`,
      [
        jobs.map((j) => j.name),
        jobs.map((j) => JSON.stringify(j.data)),
        jobs.map((j) => j.key ?? null),
        jobs.map((j) => j.runAt?.toISOString() ?? null),
      ],
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    // the data dir is ours alone: claims of a killed predecessor can go now
    if (this.config.mode === 'embedded')
      await this.dataSource.query('UPDATE directive_outbox SET claimed_until = NULL');
    this.stopped = false;
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Relay now (after a commit), instead of waiting for the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.relayAll()
      .then(() => undefined)
      .catch((err: unknown) => this.logger.error({ err }, 'directive outbox relay failed; retrying'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else if (!this.stopped) {
          this.timer = setTimeout(() => this.kick(), POLL_MS);
          this.timer.unref();
        }
      });
  }

  /** Moves every due row to the queue; returns how many. */
  async relayAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await this.relayBatch();
      total += moved;
      if (moved < BATCH) return total;
    }
  }

  private async relayBatch(): Promise<number> {
    const [rows] = (await this.dataSource.query(
      `UPDATE directive_outbox SET claimed_until = now() + make_interval(secs => $1)
       WHERE id IN (SELECT id FROM directive_outbox
                    WHERE claimed_until IS NULL OR claimed_until < now()
                    ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, job_name, data, job_key,
                 greatest(0, extract(epoch FROM run_at - now()) * 1000)::float8 AS delay_ms`,
      [LEASE_SECONDS, BATCH],
    )) as [OutboxRow[], number];
    if (rows.length === 0) return 0;
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    const done: string[] = [];
    try {
      for (const row of rows) {
        for (const name of this.expand(row.job_name)) {
          const key = row.job_key
            ? name === row.job_name
              ? row.job_key
              : `${row.job_key}:${name}`
            : undefined;
          await this.jobs.add(name, row.data, {
            key,
            delayMs: Math.round(Number(row.delay_ms)) || undefined,
          });
        }
        done.push(row.id);
      }
    } finally {
      if (done.length)
        await this.dataSource.query('DELETE FROM directive_outbox WHERE id = ANY($1::bigint[])', [done]);
    }
    return rows.length;
  }

  /**
   * A delivery fans out to every channel this deployment serves: those declared in
   * DELIVERY_CHANNELS (served by other processes, e.g. a separate MQTT bridge) and those
   * loaded here. A declared channel whose process is down gets its jobs when it is back.
   */
  private expand(name: string): string[] {
    if (name !== FAN_OUT_DELIVERY) return [name];
    const declared: readonly string[] = this.config.raw.DELIVERY_CHANNELS;
    return DELIVERY_CHANNEL_NAMES.filter(
      (c) => declared.includes(c) || this.jobs.hasHandler(DIRECTIVE_JOBS.deliver(c)),
    ).map((c) => DIRECTIVE_JOBS.deliver(c));
  }
}
