import { cpus } from 'node:os';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import * as mediasoup from 'mediasoup';
import type { Logger } from 'pino';
import type { ComponentHealth } from '#contracts';
import { AppConfig, EventBus, HealthRegistry, LOGGER } from '#platform';

type Worker = mediasoup.types.Worker;

export const SFU_WORKER_DIED = 'sfu.worker.died';
const RESTART_DELAYS_MS = [0, 1000, 5000, 30000];

interface Slot {
  index: number;
  worker: Worker | null;
  restarts: number;
  lastError?: string;
}

/**
 * One mediasoup worker per core (SFU_WORKERS overrides). A worker that dies is replaced,
 * and the rooms it served are told over the bus so their participants can rejoin.
 * Each worker gets its own slice of the RTC port range so they never collide.
 */
@Injectable()
export class WorkerPoolService implements OnModuleInit, OnApplicationShutdown {
  private slots: Slot[] = [];
  private closing = false;
  private next = 0;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
    private readonly bus: EventBus,
  ) {}

  get size(): number {
    return this.slots.length;
  }

  async onModuleInit(): Promise<void> {
    this.health.register('sfu', async () => this.report());
    if (!this.config.raw.SFU_ENABLED) return;
    const count = this.config.raw.SFU_WORKERS ?? cpus().length;
    this.slots = Array.from({ length: count }, (_, index) => ({ index, worker: null, restarts: 0 }));
    // Start in the background: video must never hold up dispatch at boot.
    for (const slot of this.slots) void this.spawn(slot);
  }

  /** Next live worker, round robin (rooms pick one when they open). */
  pick(): Worker {
    const live = this.slots.filter((s) => s.worker && !s.worker.closed);
    if (live.length === 0) throw new Error('no mediasoup worker is running');
    this.next = (this.next + 1) % live.length;
    return live[this.next]!.worker!;
  }

  /** A live worker whose pid is not in `avoid` if there is one (a room spilling onto another core), else any. */
  pickAvoiding(avoid: Set<number>): Worker {
    for (let i = 0; i < this.slots.length; i++) {
      const worker = this.pick();
      if (!avoid.has(worker.pid)) return worker;
    }
    return this.pick();
  }

  pids(): number[] {
    return this.slots.flatMap((s) => (s.worker && !s.worker.closed ? [s.worker.pid] : []));
  }

  private portRange(index: number): { rtcMinPort: number; rtcMaxPort: number } {
    const { SFU_RTC_MIN_PORT: min, SFU_RTC_MAX_PORT: max } = this.config.raw;
    const span = Math.floor((max - min + 1) / Math.max(this.slots.length, 1));
    return { rtcMinPort: min + index * span, rtcMaxPort: min + (index + 1) * span - 1 };
  }

  private async spawn(slot: Slot): Promise<void> {
    if (this.closing) return;
    try {
      const worker = await mediasoup.createWorker({
        logLevel: this.config.raw.SFU_LOG_LEVEL,
        ...this.portRange(slot.index),
        appData: { slot: slot.index },
      });
      slot.worker = worker;
      slot.lastError = undefined;
      this.logger.info({ workerPid: worker.pid, slot: slot.index }, 'mediasoup worker started');
      worker.on('died', (err: Error) => void this.onDied(slot, worker, err));
    } catch (err) {
      slot.lastError = (err as Error).message;
      this.logger.error({ err: slot.lastError, slot: slot.index }, 'mediasoup worker failed to start');
      this.scheduleRestart(slot);
    }
  }

  private async onDied(slot: Slot, worker: Worker, err: Error): Promise<void> {
    if (this.closing) return;
    slot.worker = null;
    slot.lastError = err.message;
    this.logger.error({ workerPid: worker.pid, slot: slot.index, err: err.message }, 'mediasoup worker died');
    // the rooms on it close through their routers' workerclose; the bus only tells observers,
    // so a failed publish must not stop the restart, but it must not vanish either
    await this.bus
      .publish(SFU_WORKER_DIED, { pid: worker.pid, slot: slot.index })
      .catch((publishErr: unknown) =>
        this.logger.error(
          { err: publishErr, workerPid: worker.pid, slot: slot.index },
          'mediasoup worker death not published on the bus',
        ),
      );
    this.scheduleRestart(slot);
  }

  private scheduleRestart(slot: Slot): void {
    const delay = RESTART_DELAYS_MS[Math.min(slot.restarts, RESTART_DELAYS_MS.length - 1)]!;
    slot.restarts += 1;
    setTimeout(() => void this.spawn(slot), delay).unref();
  }

  private report(): ComponentHealth {
    const driver = `mediasoup ${mediasoup.version}`;
    if (!this.config.raw.SFU_ENABLED)
      return { status: 'down', driver, error: 'disabled by SFU_ENABLED=false' };
    const live = this.pids().length;
    const status = live === this.slots.length ? 'up' : live > 0 ? 'degraded' : 'down';
    const errors = this.slots.flatMap((s) => (s.lastError && !s.worker ? [s.lastError] : []));
    return {
      status,
      driver,
      detail: {
        workers: live,
        wanted: this.slots.length,
        pids: this.pids(),
        restarts: this.slots.reduce((n, s) => n + s.restarts, 0),
      },
      ...(errors.length ? { error: errors[0] } : {}),
    };
  }

  onApplicationShutdown(): void {
    this.closing = true;
    for (const slot of this.slots) slot.worker?.close();
  }
}
