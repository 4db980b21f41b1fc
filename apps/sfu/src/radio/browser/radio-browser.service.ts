import { Inject, Injectable } from '@nestjs/common';
import type { RadioConsumerView, RadioJoinResult, RadioPressResult, RadioTalker } from '#contracts';
import { radioTalkRank, type Actor } from '#domain';
import { AppConfig, DomainError } from '#platform';
import { TransportBudget } from '../../room/transport-budget.js';
import { webRtcTransportOptions } from '../../room/media-options.js';
import { RadioFloorService } from '../radio-floor.service.js';
import { RadioHubService } from '../radio-hub.service.js';
import { TalkgroupsRepository } from '../talkgroups.repository.js';
import { TalkgroupsService } from '../talkgroups.service.js';
import { floorView } from '../views.js';
import { RadioPeer, type TransportView } from './radio-peer.js';

interface Entry {
  talkgroupId: string;
  peer: RadioPeer;
  /** the transmission this socket started, so a disconnect ends only its own */
  transmissionId: string | null;
  /** stops watching the router (many consoles come and go on a long-lived one) */
  unwatch: () => void;
}

/**
 * Browser PTT: a console socket on one talkgroup at a time. The talkgroup's media must be
 * hosted here (always, embedded; in a cluster the instance holding its lease), since the
 * console's WebRTC transports live in the talkgroup's router.
 */
@Injectable()
export class RadioBrowserService {
  private readonly entries = new Map<string, Entry>();
  private readonly budget: TransportBudget;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly hub: RadioHubService,
    private readonly floor: RadioFloorService,
    private readonly talkgroups: TalkgroupsService,
    private readonly repo: TalkgroupsRepository,
  ) {
    this.budget = new TransportBudget({
      perPeer: 2,
      perUser: config.raw.SFU_TRANSPORTS_PER_USER,
      perConsultation: config.raw.SFU_TRANSPORTS_PER_CONSULTATION,
    });
  }

  private entry(socketId: string): Entry {
    const e = this.entries.get(socketId);
    if (!e || e.peer.closed) throw new DomainError('conflict', 'join a talkgroup first');
    return e;
  }

  async join(
    actor: Actor,
    socketId: string,
    talkgroupId: string,
    notify: { consumer(v: RadioConsumerView): void; closed(): void },
  ): Promise<RadioJoinResult> {
    if (this.entries.has(socketId))
      throw new DomainError('conflict', 'already on a talkgroup; leave it first');
    await this.talkgroups.loadVisible(actor, talkgroupId);
    if (!this.hub.enabled) throw new DomainError('conflict', 'radio media is off (SFU_ENABLED=false)');
    const hosted = await this.hub.media(talkgroupId);
    if (!hosted)
      throw new DomainError(
        'conflict',
        'this talkgroup is hosted by another instance: connect to the instance hosting it',
      );
    const peer = new RadioPeer(hosted.media, webRtcTransportOptions(this.config), notify.consumer);
    const router = hosted.media.router;
    const onClose = () => {
      if (this.entries.get(socketId) !== entry) return;
      void this.leave(socketId);
      notify.closed();
    };
    const entry: Entry = {
      talkgroupId,
      peer,
      transmissionId: null,
      unwatch: () => router.observer.off('close', onClose),
    };
    this.entries.set(socketId, entry);
    router.observer.once('close', onClose);
    return {
      talkgroupId,
      routerRtpCapabilities: hosted.media.router.rtpCapabilities as unknown as Record<string, unknown>,
      iceServers: this.config.raw.SFU_ICE_SERVERS,
      floor: floorView(await this.floor.floor(talkgroupId)),
      rank: radioTalkRank(actor),
    };
  }

  async createTransport(actor: Actor, socketId: string, direction: 'send' | 'recv'): Promise<TransportView> {
    const e = this.entry(socketId);
    const release = this.budget.reserve(socketId, actor.userId, e.talkgroupId);
    return e.peer.createTransport(direction, release);
  }

  connect(socketId: string, transportId: string, dtls: Record<string, unknown>): Promise<void> {
    return this.entry(socketId).peer.connect(transportId, dtls);
  }

  produce(socketId: string, transportId: string, rtpParameters: Record<string, unknown>): Promise<string> {
    return this.entry(socketId).peer.produce(transportId, rtpParameters);
  }

  consume(socketId: string, rtpCapabilities: Record<string, unknown>): Promise<RadioConsumerView[]> {
    return this.entry(socketId).peer.consumeAll(rtpCapabilities);
  }

  /** PTT down: the floor at the user's rank, heard through this socket's microphone. */
  async press(actor: Actor, socketId: string): Promise<RadioPressResult> {
    const e = this.entry(socketId);
    // re-checked on every press: a user moved out of scope stops talking at once
    const tg = await this.talkgroups.loadVisible(actor, e.talkgroupId);
    const producerId = e.peer.producer?.id;
    if (!producerId) throw new DomainError('conflict', 'send the microphone (radio.produce) first');
    const talker: RadioTalker = {
      kind: 'user',
      id: actor.userId,
      name: (await this.repo.userName(actor.userId)) ?? actor.userId,
    };
    const out = await this.floor.requestFloor(tg.id, talker, radioTalkRank(actor), {
      codec: tg.codec,
      producerId,
    });
    if (out.verdict === 'busy')
      return {
        verdict: 'busy',
        heldBy: {
          talker: out.heldBy.talker,
          rank: out.heldBy.rank,
          since: new Date(out.heldBy.since).toISOString(),
        },
      };
    e.transmissionId = out.holder.transmissionId;
    return {
      verdict: out.verdict,
      transmissionId: out.holder.transmissionId,
      since: new Date(out.holder.since).toISOString(),
    };
  }

  /** PTT up (or the socket gone): ends this socket's transmission if it still holds the floor. */
  async release(socketId: string): Promise<boolean> {
    const e = this.entries.get(socketId);
    const id = e?.transmissionId;
    if (!e || !id) return false;
    e.transmissionId = null;
    return this.floor.cut(e.talkgroupId, id, 'ended');
  }

  async leave(socketId: string): Promise<void> {
    const e = this.entries.get(socketId);
    if (!e) return;
    await this.release(socketId).catch(() => false);
    this.entries.delete(socketId);
    e.unwatch();
    e.peer.close();
  }
}
