import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { DELIVERY_CHANNEL_NAMES, DIRECTIVE_JOBS, type DirectiveDeliveryJob } from '#contracts';
import { AppConfig, JobQueue, LOGGER } from '#platform';
import { OutboxRepository, type OutboxJob } from './outbox.repository.js';

export type { OutboxJob } from './outbox.repository.js';

/** Outbox job name that fans out to `directive.deliver.<channel>` for every channel loaded here. */
export const FAN_OUT_DELIVERY = 'directive.deliver';

/**
 * A fan-out row's data: the delivery, and, for a pass of several messages (one per 签收
 * deadline: `radioSitesPerMessage` in #domain), the sites its radio broadcast speaks to
 * instead of its own (none: not spoken). Dispatch's own: no channel is given the field.
 */
export interface FanOutDelivery extends DirectiveDeliveryJob {
  radioSiteIds?: string[];
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
    private readonly rows: OutboxRepository,
    private readonly jobs: JobQueue,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Writes jobs in the caller's transaction (DirectiveChanges does this with the change's history and audit). */
  async write(tx: EntityManager, jobs: OutboxJob[]): Promise<void> {
    await this.rows.insert(tx, jobs);
  }

  async onApplicationBootstrap(): Promise<void> {
    // the data dir is ours alone: claims of a killed predecessor can go now
    if (this.config.mode === 'embedded') await this.rows.releaseClaims();
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
    const rows = await this.rows.claim(LEASE_SECONDS, BATCH);
    if (rows.length === 0) return 0;
    const done: string[] = [];
    try {
      for (const row of rows) {
        for (const { name, data } of this.expand(row.job_name, row.data)) {
          const key = row.job_key
            ? name === row.job_name
              ? row.job_key
              : `${row.job_key}:${name}`
            : undefined;
          await this.jobs.add(name, data, {
            key,
            delayMs: Math.round(Number(row.delay_ms)) || undefined,
          });
        }
        done.push(row.id);
      }
    } finally {
      await this.rows.remove(done);
    }
    return rows.length;
  }

  /**
   * A delivery fans out to every channel this deployment serves: those declared in
   * DELIVERY_CHANNELS (served by other processes, e.g. a separate MQTT bridge) and those
   * loaded here. A declared channel whose process is down gets its jobs when it is back.
   */
  private expand(name: string, data: unknown): { name: string; data: unknown }[] {
    if (name !== FAN_OUT_DELIVERY) return [{ name, data }];
    const { radioSiteIds, ...job } = (data ?? {}) as Partial<FanOutDelivery>;
    const declared: readonly string[] = this.config.raw.DELIVERY_CHANNELS;
    const names: { name: string; data: unknown }[] = DELIVERY_CHANNEL_NAMES.filter(
      (c) => declared.includes(c) || this.jobs.hasHandler(DIRECTIVE_JOBS.deliver(c)),
    ).map((c) => ({ name: DIRECTIVE_JOBS.deliver(c), data: job }));
    // every message (the directive, a change, a withdrawal) is also spoken on the radio, by
    // the process holding the radio media; the row's key makes it once per message, and a
    // pass of several messages is spoken by one of them for all its sites (once per talkgroup).
    // First: the table queue takes jobs in the order written and runs a claimed batch to its
    // end, and the alert tone on air is the one of these whose delay people hear (it returns
    // once on air, so the deliveries wait for it only that long)
    const kind = job.kind;
    if (
      (kind === 'directive' || kind === 'update' || kind === 'cancel') &&
      (!radioSiteIds || radioSiteIds.length > 0) &&
      (this.config.raw.RADIO_BROADCAST_DECLARED || this.jobs.hasHandler(DIRECTIVE_JOBS.broadcastRadio))
    )
      names.unshift({
        name: DIRECTIVE_JOBS.broadcastRadio,
        data: radioSiteIds ? { ...job, siteIds: radioSiteIds } : job,
      });
    return names;
  }
}
