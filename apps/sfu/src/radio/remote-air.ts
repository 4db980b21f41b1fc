import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { RadioTalker } from '#contracts';
import { AppConfig, EventBus, LOGGER } from '#platform';
import { busyError, playFrames } from './air-frames.js';
import type { RadioPlayOptions } from './radio-air.js';
import { RadioFloorService } from './radio-floor.service.js';
import { RadioHubService } from './radio-hub.service.js';

/** bus channels: frames for the host to play, and its reports on the sender's own channel */
export const REMOTE_AIR_BUS = {
  play: 'radio.air.play',
  status: (transmissionId: string) => `radio.air.status.${transmissionId}`,
};

interface RemotePlay {
  host: string;
  talkgroupId: string;
  transmissionId: string;
  /** 20 ms A-law frames, base64 each */
  frames: string[];
}

/** `playing` at the start and every second; `done` at the end */
interface RemoteStatus {
  state: 'playing' | 'done';
  complete?: boolean;
}

/** silence from the host this long (no start, no heartbeat, no end) means it is gone */
const SILENT_MS = 2500;

/**
 * The hub's voice on a talkgroup whose media another instance hosts (its lease). Before, a
 * typed announcement received by such an instance answered `conflict`. Now the receiving
 * instance takes the floor itself (the floor is shared, so it keys the gateways, opens the
 * row and tells the host to follow like any floor change) and hands the frames to the host
 * over the bus; the host plays them while that transmission holds the floor and reports
 * back every second. A host that falls silent (killed, frozen, cut off from Redis) is taken
 * for dead: the transmission is cut (`shutdown`, row `interrupted`), so the floor is free
 * again within seconds rather than at the floor key's expiry.
 */
@Injectable()
export class RemoteAir implements OnApplicationBootstrap, OnApplicationShutdown {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly hub: RadioHubService,
    private readonly floor: RadioFloorService,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.bus.driver === 'in-process') return;
    this.unsubscribe = await this.bus.subscribe<RemotePlay>(REMOTE_AIR_BUS.play, (m) => {
      if (m.host !== this.config.instanceId) return;
      this.hostPlay(m).catch((err: unknown) =>
        this.logger.warn({ err, talkgroupId: m.talkgroupId }, 'radio audio from another instance not played'),
      );
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  /** On the host: plays what another instance sent, while its transmission holds the floor. */
  private async hostPlay(m: RemotePlay): Promise<void> {
    const status = (s: RemoteStatus) => void this.bus.publish(REMOTE_AIR_BUS.status(m.transmissionId), s);
    const hosted = this.hub.hosted.get(m.talkgroupId);
    if (!hosted || !Array.isArray(m.frames)) return status({ state: 'done', complete: false });
    status({ state: 'playing' });
    const frames = m.frames.map((f) => Buffer.from(f, 'base64'));
    const { complete } = await playFrames(hosted, m.transmissionId, frames, {
      onSecond: () => status({ state: 'playing' }),
    });
    status({ state: 'done', complete });
  }

  /** On the receiving instance: the floor here, the audio on `host`. */
  async play(
    talkgroupId: string,
    host: string,
    frames: Buffer[],
    talker: RadioTalker,
    opts: RadioPlayOptions,
  ): Promise<{ transmissionId: string; complete: boolean }> {
    const out = await this.floor.requestFloor(talkgroupId, talker, opts.rank, {
      directiveId: opts.directiveId ?? null,
      codec: 'PCMA',
    });
    if (out.verdict === 'busy') throw busyError(talkgroupId, out.heldBy);
    const { transmissionId } = out.holder;
    opts.onGranted?.(transmissionId);
    const complete = await this.handOver(talkgroupId, host, transmissionId, frames);
    if (complete === true) await this.floor.releaseFloor(talkgroupId, talker.id);
    // cut short (pre-empted: a no-op) or the host gone: nothing may keep the floor
    else if (await this.floor.cut(talkgroupId, transmissionId, 'shutdown', complete === null))
      this.logger.warn({ talkgroupId, host, transmissionId }, 'radio host fell silent: transmission cut');
    return { transmissionId, complete: complete === true };
  }

  /** true/false: the host's own verdict; null: the host fell silent */
  private async handOver(
    talkgroupId: string,
    host: string,
    transmissionId: string,
    frames: Buffer[],
  ): Promise<boolean | null> {
    let settle: (v: boolean | null) => void = () => undefined;
    const result = new Promise<boolean | null>((r) => (settle = r));
    let watchdog = setTimeout(() => settle(null), SILENT_MS);
    const off = await this.bus.subscribe<RemoteStatus>(REMOTE_AIR_BUS.status(transmissionId), (s) => {
      clearTimeout(watchdog);
      if (s.state === 'done') settle(s.complete === true);
      else watchdog = setTimeout(() => settle(null), SILENT_MS);
    });
    try {
      await this.bus.publish<RemotePlay>(REMOTE_AIR_BUS.play, {
        host,
        talkgroupId,
        transmissionId,
        frames: frames.map((f) => f.toString('base64')),
      });
      return await result;
    } finally {
      clearTimeout(watchdog);
      off();
    }
  }
}
