import { Inject, Injectable } from '@nestjs/common';
import type { FloorRank, RadioTalker } from '#contracts';
import { AppConfig, DomainError } from '#platform';
import { busyError, playFrames } from './air-frames.js';
import { RadioFloorService } from './radio-floor.service.js';
import { RadioHubService } from './radio-hub.service.js';
import { RadioStateStore } from './radio-state.store.js';
import { RemoteAir } from './remote-air.js';
import { TalkgroupsRepository } from './talkgroups.repository.js';

export interface RadioPlayOptions {
  rank: FloorRank;
  directiveId?: string | null;
  /**
   * called once the floor is granted, before the first frame: an announcement answers its
   * REST call with the transmission id then, not after the audio (radio-voice)
   */
  onGranted?: (transmissionId: string) => void;
  /**
   * frames that follow `frames`, made while those play (a directive's speech during its
   * alert tone): called once the first frame is out. Silence goes out while they are late,
   * so the gateways do not take the gap for lost audio and unkey; if they fail, the
   * transmission ends there (complete=false, the floor released).
   */
  more?: () => Promise<Buffer[]>;
}

/** The hub's own voice on a talkgroup: what spoken directives and announcements go through. */
export abstract class RadioAir {
  /** Takes the floor at `rank`, keys the talkgroup's gateways, sends the frames (A-law 20 ms,
   * 160 bytes each) paced in real time through the talkgroup's DirectTransport producer,
   * then releases. Resolves when done: complete=false if pre-empted, timed out or the hub stopped.
   * Busy → rejects with a DomainError code 'radio_busy' (with who holds the floor). */
  abstract play(
    talkgroupId: string,
    frames: Buffer[],
    talker: RadioTalker,
    opts: RadioPlayOptions,
  ): Promise<{ transmissionId: string; complete: boolean }>;
  /** talkgroups that include a radio gateway of this site (for directives to a site) */
  abstract talkgroupsOfSite(siteId: string): Promise<string[]>;
  /**
   * The instance whose media carries the talkgroup now (its lease), or null when none does
   * (this instance may take it). Only that instance can put audio on the air.
   */
  abstract hostOf(talkgroupId: string): Promise<string | null>;
}

@Injectable()
export class RadioAirService extends RadioAir {
  constructor(
    private readonly hub: RadioHubService,
    private readonly floor: RadioFloorService,
    private readonly repo: TalkgroupsRepository,
    private readonly state: RadioStateStore,
    private readonly remote: RemoteAir,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    super();
  }

  talkgroupsOfSite(siteId: string): Promise<string[]> {
    return this.repo.ofSite(siteId);
  }

  async hostOf(talkgroupId: string): Promise<string | null> {
    if (this.hub.hosted.has(talkgroupId)) return this.config.instanceId;
    return this.state.leaseOwner(talkgroupId);
  }

  async play(
    talkgroupId: string,
    frames: Buffer[],
    talker: RadioTalker,
    opts: RadioPlayOptions,
  ): Promise<{ transmissionId: string; complete: boolean }> {
    if (!this.hub.enabled)
      throw new DomainError('conflict', 'radio media is off on this hub (SFU_ENABLED=false)');
    // hosts it here when no instance does (no gateway joined yet): consoles may listen
    const hosted = await this.hub.media(talkgroupId);
    if (!hosted) return this.elsewhere(talkgroupId, frames, talker, opts);
    if (hosted.media.codec !== 'PCMA')
      throw new DomainError('conflict', `talkgroup ${talkgroupId} is not PCMA`);
    const out = await this.floor.requestFloor(talkgroupId, talker, opts.rank, {
      directiveId: opts.directiveId ?? null,
      codec: hosted.media.codec,
    });
    if (out.verdict === 'busy') throw busyError(talkgroupId, out.heldBy);
    const { transmissionId } = out.holder;
    opts.onGranted?.(transmissionId);
    const { complete, gaveUp } = await playFrames(hosted, transmissionId, frames, { more: opts.more });
    // still holding the floor when done, or when what should follow failed: let it go
    if (complete || gaveUp) await this.floor.releaseFloor(talkgroupId, talker.id);
    return { transmissionId, complete };
  }

  /** A talkgroup another instance hosts: the floor taken here, the audio played there. */
  private async elsewhere(
    talkgroupId: string,
    frames: Buffer[],
    talker: RadioTalker,
    opts: RadioPlayOptions,
  ): Promise<{ transmissionId: string; complete: boolean }> {
    const tg = await this.repo.get(talkgroupId);
    const host = tg && (await this.state.leaseOwner(talkgroupId));
    if (!tg || !host || host === this.config.instanceId)
      throw new DomainError(
        'conflict',
        `talkgroup ${talkgroupId} does not exist, or no instance can host its media now (RADIO_TALKGROUPS_PER_INSTANCE)`,
      );
    if (tg.codec !== 'PCMA') throw new DomainError('conflict', `talkgroup ${talkgroupId} is not PCMA`);
    // the host plays what it is sent: what follows is made here first (a spoken directive is
    // handed to its host before this, so only an unforeseen lease move takes this path)
    const all = opts.more ? [...frames, ...(await opts.more())] : frames;
    return this.remote.play(talkgroupId, host, all, talker, { ...opts, more: undefined });
  }
}
