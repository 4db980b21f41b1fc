import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AppConfig, LOGGER } from '#platform';
import { PROCESS_ORIGIN } from '#terminals';
import { PresenceStore, type PresenceUpdate } from './presence-store.js';

/** a live bridge writes its heartbeat this often */
const HEARTBEAT_MS = 5_000;
/** a bridge whose heartbeat is older is dead: another bridge marks its devices offline */
const STALE_SECONDS = 30;
/** an external broker's retained statuses have all arrived well within this after a SUBSCRIBE */
const REANNOUNCE_SECONDS = 30;

/**
 * Makes a terminal's `online` in the database true after any restart. A device is online
 * only while some broker holds its connection, and a broker that stops (SIGTERM, kill -9,
 * a crash) takes the connections with it, often without a word to the database:
 *
 * - Embedded broker: each bridge process owns the `online` of the devices connected to it
 *   (`terminals.presence_owner`, a random id per process) and writes a heartbeat. At start a
 *   bridge marks offline what dead bridges left `online`: on the embedded database every
 *   other owner (DATA_DIR is locked to one process), in cluster mode the owners whose
 *   heartbeat is stale; every live bridge repeats that sweep. A graceful stop marks its own.
 * - External broker: the broker's retained statuses and Wills are the truth, and it sends
 *   every retained status again on the bridge's SUBSCRIBE; an `online` it did not announce
 *   again by REANNOUNCE_SECONDS after that has nothing behind it (a broker that restarted
 *   and lost its retained messages while the device was away).
 */
@Injectable()
export class PresenceOwnership {
  private readonly store: PresenceStore;
  /** this process, as the owner of its embedded broker's connections; null with an external broker */
  readonly owner: string | null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    dataSource: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.store = new PresenceStore(dataSource);
    this.owner = config.raw.MQTT_URL ? null : PROCESS_ORIGIN;
  }

  record(list: PresenceUpdate[]): Promise<void> {
    return this.store.record(list, this.owner);
  }

  /** embedded broker: before it listens */
  async start(): Promise<void> {
    const owner = this.owner;
    if (!owner) return;
    await this.store.heartbeat(owner);
    const alone = !this.config.raw.DATABASE_URL;
    const cleared = await this.store.orphansOffline(owner, alone, STALE_SECONDS);
    if (cleared)
      this.logger.info({ terminals: cleared }, 'terminals left online by a stopped bridge marked offline');
    // on the embedded database no other bridge can exist while this one runs
    if (alone) return;
    this.every(HEARTBEAT_MS, async () => {
      await this.store.heartbeat(owner);
      const swept = await this.store.orphansOffline(owner, false, STALE_SECONDS);
      if (swept) this.logger.info({ terminals: swept }, 'terminals of a dead bridge marked offline');
    });
  }

  /** external broker: the bridge (re)subscribed to the devices' statuses */
  subscribed(): void {
    if (this.owner || this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.store.unannouncedOffline(REANNOUNCE_SECONDS).then(
        (n) =>
          n && this.logger.info({ terminals: n }, 'terminals the broker no longer announces marked offline'),
        (err: unknown) => this.logger.warn({ err }, 'presence check after subscribing failed'),
      );
    }, REANNOUNCE_SECONDS * 1000);
    timer.unref();
    this.timers.add(timer);
  }

  /** once the broker has stopped and its last presence writes are in */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) (clearTimeout(t), clearInterval(t));
    this.timers.clear();
    if (this.owner) await this.store.release(this.owner);
  }

  private every(ms: number, task: () => Promise<void>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.stopped) return;
      running = true;
      task()
        .catch((err: unknown) => this.logger.warn({ err }, 'bridge heartbeat failed'))
        .finally(() => (running = false));
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }
}
