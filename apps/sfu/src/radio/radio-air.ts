import { Inject, Injectable } from '@nestjs/common';
import { RADIO_CODEC_RTP, type FloorRank, type RadioTalker } from '#contracts';
import { AppConfig, DomainError } from '#platform';
import { alawEncode, FRAME_SAMPLES, RtpSender } from '#radio';
import { RadioFloorService } from './radio-floor.service.js';
import { RadioHubService } from './radio-hub.service.js';
import { RadioStateStore } from './radio-state.store.js';
import { TalkgroupsRepository } from './talkgroups.repository.js';

const FRAME_MS = 20;
/** A-law digital silence: what goes out while the frames that follow are still being made */
const SILENT_FRAME = alawEncode(new Int16Array(FRAME_SAMPLES));

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
    const hosted = await this.hub.media(talkgroupId);
    if (!hosted)
      throw new DomainError(
        'conflict',
        `talkgroup ${talkgroupId} does not exist here, or its media is hosted by another instance`,
      );
    if (hosted.media.codec !== 'PCMA')
      throw new DomainError('conflict', `talkgroup ${talkgroupId} is not PCMA`);
    const out = await this.floor.requestFloor(talkgroupId, talker, opts.rank, {
      directiveId: opts.directiveId ?? null,
      codec: hosted.media.codec,
    });
    if (out.verdict === 'busy') {
      const by = out.heldBy;
      throw new DomainError(
        'radio_busy',
        `talkgroup ${talkgroupId} is busy: ${by.talker.name} (${by.talker.kind}) holds the floor at rank ${by.rank}`,
        [{ path: 'floor', message: `${by.talker.kind}:${by.talker.id}:${by.rank}` }],
      );
    }
    const { transmissionId } = out.holder;
    opts.onGranted?.(transmissionId);
    // wait until the media host followed the grant (the bus is asynchronous even in-process)
    for (let i = 0; i < 50 && hosted.holder?.transmissionId !== transmissionId; i++)
      await new Promise((r) => setTimeout(r, 10));
    const { payloadType } = RADIO_CODEC_RTP.PCMA;
    const rtp = new RtpSender({ ssrc: hosted.media.systemSsrc, payloadType, samplesPerFrame: 160 });
    const more: { frames: Buffer[] | null; failed: boolean } = { frames: null, failed: false };
    const makeMore = opts.more;
    // `frames`, then what `more` resolves to (silence while it is being made)
    let list = frames;
    let at = 0;
    let awaiting = Boolean(opts.more);
    const start = performance.now();
    let complete = true;
    let gaveUp = false;
    for (let sent = 0; ; sent++) {
      if (hosted.media.closed || hosted.holder?.transmissionId !== transmissionId) {
        complete = false;
        break;
      }
      if (awaiting && at >= list.length) {
        if (more.failed) {
          complete = false;
          gaveUp = true;
          break;
        }
        if (more.frames) [list, at, awaiting] = [more.frames, 0, false];
      }
      let frame: Buffer;
      if (at < list.length) frame = list[at++]!;
      else if (awaiting) frame = SILENT_FRAME;
      else break;
      hosted.media.sendSystem(rtp.next(frame, sent === 0));
      if (sent === 0 && makeMore)
        Promise.resolve()
          .then(makeMore)
          .then(
            (f) => (more.frames = f),
            () => (more.failed = true),
          );
      const wait = start + (sent + 1) * FRAME_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    // still holding the floor when done, or when what should follow failed: let it go
    if (complete || gaveUp) await this.floor.releaseFloor(talkgroupId, talker.id);
    return { transmissionId, complete };
  }
}
