import type * as mediasoup from 'mediasoup';
import {
  SFU_NOTIFICATIONS as N,
  type MediaSource,
  type SfuConsumerView,
  type SfuParticipantStats,
  type SfuPeerView,
  type SfuProducerView,
  type SfuTransportView,
} from '#contracts';
import { canShareScreen } from '#domain';
import { DomainError } from '#platform';
import { MEDIA_CODECS } from './media-options.js';
import { Peer, type ProducerEntry } from './peer.js';

type Router = mediasoup.types.Router;
type Worker = mediasoup.types.Worker;

export type RoomCloseReason = 'ended' | 'worker-died' | 'idle';

/** How a room reaches the outside: sockets, records, the recorder. */
export interface RoomHooks {
  toRoom(event: string, payload: unknown, exceptPeerId?: string): void;
  toPeer(peerId: string, event: string, payload: unknown): void;
  onClosed(room: Room, reason: RoomCloseReason): void;
  /** a producer appeared, vanished, paused or resumed, or the active speaker changed */
  onMediaChanged(room: Room): void;
}

export interface RoomOptions {
  peersPerRouter: number;
  webRtcTransport: mediasoup.types.WebRtcTransportOptions;
  /** next worker to open a router on; avoids the ones given when it can */
  pickWorker(avoid: Set<number>): Worker;
}

/** mediasoup rejects bad parameters with plain errors: they are the client's fault, say so. */
async function media<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError('invalid', `${what}: ${(err as Error).message}`);
  }
}

/**
 * One consultation's media: a router per worker it spans (the first hosts the audio level
 * observer and the recorder), producers piped to every router of the room, and the peers.
 * Mutations that pipe are serialised so a router added mid-produce still gets every producer.
 */
export class Room {
  readonly peers = new Map<string, Peer>();
  readonly producers = new Map<string, ProducerEntry>();
  private readonly routers: { router: Router; peers: number }[] = [];
  private readonly piped = new Set<string>();
  private observer!: mediasoup.types.AudioLevelObserver;
  private chain: Promise<unknown> = Promise.resolve();
  floorPeerId: string | null = null;
  activeSpeakerPeerId: string | null = null;
  closed = false;

  private constructor(
    readonly consultationId: string,
    private readonly options: RoomOptions,
    private readonly hooks: RoomHooks,
  ) {}

  static async open(consultationId: string, options: RoomOptions, hooks: RoomHooks): Promise<Room> {
    const room = new Room(consultationId, options, hooks);
    const router = await room.addRouter();
    room.observer = await router.createAudioLevelObserver({ maxEntries: 1, threshold: -70, interval: 800 });
    room.observer.on('volumes', (volumes) =>
      room.setActiveSpeaker(room.producers.get(volumes[0]!.producer.id)?.peerId ?? null),
    );
    room.observer.on('silence', () => room.setActiveSpeaker(null));
    return room;
  }

  get primaryRouter(): Router {
    return this.routers[0]!.router;
  }

  get rtpCapabilities(): mediasoup.types.RtpCapabilities {
    return this.primaryRouter.rtpCapabilities;
  }

  workerPids(): number[] {
    return this.routers.map(
      (r) => (r.router as unknown as { appData: { workerPid: number } }).appData.workerPid,
    );
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async addRouter(): Promise<Router> {
    const worker = this.options.pickWorker(new Set(this.workerPids()));
    const router = await worker.createRouter({
      mediaCodecs: MEDIA_CODECS,
      appData: { workerPid: worker.pid },
    });
    // the worker died under us: everyone in the room must rejoin on a live worker
    router.on('workerclose', () => this.close('worker-died'));
    this.routers.push({ router, peers: 0 });
    return router;
  }

  /** Adds a participant on the first router with room, opening a router on another worker when all are full. */
  addPeer(view: SfuPeerView): Promise<Peer> {
    return this.serial(async () => {
      this.assertOpen();
      let slot = this.routers.find((r) => r.peers < this.options.peersPerRouter);
      if (!slot) {
        const router = await this.addRouter();
        for (const [id, entry] of this.producers) await this.pipe(id, this.routerOf(entry.peerId), router);
        slot = this.routers.at(-1)!;
      }
      slot.peers += 1;
      const peer = new Peer(view, slot.router);
      this.peers.set(view.peerId, peer);
      return peer;
    });
  }

  private routerOf(peerId: string): Router {
    return this.peers.get(peerId)!.router;
  }

  private async pipe(producerId: string, from: Router, to: Router): Promise<void> {
    const key = `${producerId}:${to.id}`;
    if (from === to || this.piped.has(key)) return;
    this.piped.add(key);
    await from.pipeToRouter({ producerId, router: to });
  }

  peer(peerId: string): Peer {
    const peer = this.peers.get(peerId);
    if (!peer) throw new DomainError('not_found', 'no such participant in this consultation');
    return peer;
  }

  async createTransport(peer: Peer, direction: 'send' | 'recv'): Promise<SfuTransportView> {
    this.assertOpen();
    if (peer.transports.size >= 4) throw new DomainError('conflict', 'at most 4 transports per participant');
    const transport = await media('transport', () =>
      peer.router.createWebRtcTransport({ ...this.options.webRtcTransport, appData: { direction } }),
    );
    peer.transports.set(transport.id, transport);
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') transport.close();
    });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
      iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
      dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
    };
  }

  async connectTransport(
    peer: Peer,
    transportId: string,
    dtlsParameters: Record<string, unknown>,
  ): Promise<void> {
    const transport = this.transportOf(peer, transportId);
    await media('connect', () =>
      transport.connect({ dtlsParameters: dtlsParameters as unknown as mediasoup.types.DtlsParameters }),
    );
  }

  private transportOf(peer: Peer, transportId: string): mediasoup.types.WebRtcTransport {
    const transport = peer.transport(transportId);
    if (!transport) throw new DomainError('not_found', 'no such transport');
    return transport;
  }

  produce(
    peer: Peer,
    req: {
      transportId: string;
      kind: 'audio' | 'video';
      rtpParameters: Record<string, unknown>;
      source: MediaSource;
    },
  ): Promise<string> {
    return this.serial(async () => {
      this.assertOpen();
      const transport = this.transportOf(peer, req.transportId);
      if ((transport.appData as { direction: string }).direction !== 'send')
        throw new DomainError('invalid', 'produce needs a send transport');
      if (req.source === 'screen' && !canShareScreen(peer.view.moderator, this.floorPeerId === peer.id)) {
        throw new DomainError(
          'forbidden',
          'only a moderator or the participant holding the floor may share a screen',
        );
      }
      if ([...peer.producers.values()].some((p) => p.source === req.source)) {
        throw new DomainError('conflict', `already producing ${req.source}; close it first`);
      }
      const paused = peer.mutedKinds.has(req.kind);
      const producer = await media('produce', () =>
        transport.produce({
          kind: req.kind,
          rtpParameters: req.rtpParameters as unknown as mediasoup.types.RtpParameters,
          paused,
          appData: { peerId: peer.id, source: req.source },
        }),
      );
      const entry: ProducerEntry = { producer, peerId: peer.id, source: req.source, byModerator: paused };
      peer.producers.set(producer.id, entry);
      this.producers.set(producer.id, entry);
      producer.observer.on('close', () => this.forgetProducer(entry));
      for (const r of this.routers) await this.pipe(producer.id, peer.router, r.router);
      if (producer.kind === 'audio')
        await this.observer.addProducer({ producerId: producer.id }).catch(() => undefined);
      this.hooks.toRoom(N.newProducer, this.producerView(entry), peer.id);
      this.hooks.onMediaChanged(this);
      return producer.id;
    });
  }

  private forgetProducer(entry: ProducerEntry): void {
    if (!this.producers.delete(entry.producer.id)) return;
    this.peers.get(entry.peerId)?.producers.delete(entry.producer.id);
    if (this.closed) return;
    this.hooks.toRoom(N.producerClosed, { producerId: entry.producer.id, peerId: entry.peerId });
    if (this.activeSpeakerPeerId === entry.peerId && entry.producer.kind === 'audio')
      this.setActiveSpeaker(null);
    this.hooks.onMediaChanged(this);
  }

  closeProducer(peer: Peer, producerId: string): void {
    const entry = peer.producers.get(producerId);
    if (!entry) throw new DomainError('not_found', 'no such producer of yours');
    entry.producer.close();
  }

  producerView(e: ProducerEntry): SfuProducerView {
    return {
      producerId: e.producer.id,
      peerId: e.peerId,
      kind: e.producer.kind,
      source: e.source,
      paused: e.producer.paused,
    };
  }

  async consume(
    peer: Peer,
    producerId: string,
    rtpCapabilities: Record<string, unknown>,
  ): Promise<SfuConsumerView> {
    this.assertOpen();
    const entry = this.producers.get(producerId);
    if (!entry) throw new DomainError('not_found', 'no such producer in this consultation');
    if (entry.peerId === peer.id) throw new DomainError('invalid', 'cannot consume your own producer');
    const caps = rtpCapabilities as unknown as mediasoup.types.RtpCapabilities;
    const canConsume = await media('rtpCapabilities', async () =>
      peer.router.canConsume({ producerId, rtpCapabilities: caps }),
    );
    if (!canConsume) throw new DomainError('invalid', 'your rtpCapabilities cannot receive this producer');
    const transport = [...peer.transports.values()].find(
      (t) => (t.appData as { direction: string }).direction === 'recv',
    );
    if (!transport) throw new DomainError('invalid', 'create a recv transport first');
    // paused until the client has set up its side: no keyframe is sent into the void
    const consumer = await media('consume', () =>
      transport.consume({ producerId, rtpCapabilities: caps, paused: true }),
    );
    peer.consumers.set(consumer.id, consumer);
    const gone = () => {
      if (peer.consumers.delete(consumer.id))
        this.hooks.toPeer(peer.id, N.consumerClosed, { consumerId: consumer.id, producerId });
    };
    consumer.on('transportclose', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', gone);
    return {
      consumerId: consumer.id,
      producerId,
      peerId: entry.peerId,
      kind: consumer.kind,
      source: entry.source,
      rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
    };
  }

  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new DomainError('not_found', 'no such consumer');
    await media('resume', () => consumer.resume());
    if (consumer.kind === 'video') await consumer.requestKeyFrame().catch(() => undefined);
  }

  async setConsumerLayers(peer: Peer, consumerId: string, spatialLayer: number): Promise<void> {
    const consumer = peer.consumers.get(consumerId);
    if (!consumer || consumer.kind !== 'video') throw new DomainError('not_found', 'no such video consumer');
    await media('layers', () => consumer.setPreferredLayers({ spatialLayer }));
  }

  /** Server-side mute: the producer is paused in the SFU, so nothing reaches anyone whatever the client does. */
  async setMuted(peerId: string, kind: 'audio' | 'video', muted: boolean, byPeerId: string): Promise<void> {
    const peer = this.peer(peerId);
    if (muted) peer.mutedKinds.add(kind);
    else peer.mutedKinds.delete(kind);
    for (const entry of peer.producers.values()) {
      if (entry.producer.kind !== kind) continue;
      entry.byModerator = muted;
      if (muted) await entry.producer.pause();
      else await entry.producer.resume();
      this.hooks.toRoom(N.producerPaused, { ...this.producerView(entry), by: byPeerId });
    }
    this.hooks.onMediaChanged(this);
  }

  async setFloor(peerId: string | null, muteOthers: boolean, byPeerId: string): Promise<void> {
    if (peerId) this.peer(peerId);
    this.floorPeerId = peerId;
    if (peerId) await this.setMuted(peerId, 'audio', false, byPeerId);
    if (muteOthers && peerId) {
      for (const other of this.peers.values()) {
        if (other.id !== peerId && !other.view.moderator)
          await this.setMuted(other.id, 'audio', true, byPeerId);
      }
    }
    this.hooks.toRoom(N.floor, { peerId });
  }

  /** Removes a participant (left, removed, disconnected); true when they were here. */
  removePeer(peerId: string): boolean {
    const peer = this.peers.get(peerId);
    if (!peer) return false;
    this.peers.delete(peerId);
    const slot = this.routers.find((r) => r.router === peer.router);
    if (slot) slot.peers -= 1;
    peer.close();
    if (this.floorPeerId === peerId) {
      this.floorPeerId = null;
      this.hooks.toRoom(N.floor, { peerId: null });
    }
    this.hooks.toRoom(N.peerLeft, { peerId });
    return true;
  }

  private setActiveSpeaker(peerId: string | null): void {
    if (peerId === this.activeSpeakerPeerId || this.closed) return;
    this.activeSpeakerPeerId = peerId;
    this.hooks.toRoom(N.activeSpeaker, { peerId });
    this.hooks.onMediaChanged(this);
  }

  async stats(): Promise<SfuParticipantStats[]> {
    const out: SfuParticipantStats[] = [];
    for (const peer of this.peers.values()) {
      const producers: SfuParticipantStats['producers'] = [];
      for (const e of peer.producers.values()) {
        const s = (await e.producer.getStats().catch(() => [])) as unknown as Record<string, number>[];
        const sum = (k: string) => s.reduce((n, x) => n + (x[k] ?? 0), 0);
        producers.push({
          producerId: e.producer.id,
          kind: e.producer.kind,
          source: e.source,
          paused: e.producer.paused,
          bitrate: sum('bitrate'),
          // RTCP fraction lost is 0-255; report it as 0..1, the worst layer
          fractionLost: Math.max(0, ...s.map((x) => x.fractionLost ?? 0)) / 256,
          packetsLost: sum('packetsLost'),
          score: e.producer.score[0]?.score ?? null,
        });
      }
      let bitrate = 0;
      let lost = 0;
      for (const c of peer.consumers.values()) {
        const s = (await c.getStats().catch(() => [])) as unknown as {
          type: string;
          bitrate?: number;
          fractionLost?: number;
        }[];
        const outbound = s.find((x) => x.type === 'outbound-rtp');
        bitrate += outbound?.bitrate ?? 0;
        lost = Math.max(lost, (outbound?.fractionLost ?? 0) / 256);
      }
      out.push({
        peerId: peer.id,
        userId: peer.view.userId,
        siteId: peer.view.siteId,
        producers,
        consumers: { count: peer.consumers.size, bitrate, fractionLost: lost },
      });
    }
    return out;
  }

  snapshot(): { peers: SfuPeerView[]; producers: SfuProducerView[] } {
    return {
      peers: [...this.peers.values()].map((p) => p.view),
      producers: [...this.producers.values()].map((e) => this.producerView(e)),
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new DomainError('conflict', 'this consultation room has closed; join again');
  }

  close(reason: RoomCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of this.peers.values()) peer.close();
    for (const r of this.routers) r.router.close();
    this.hooks.onClosed(this, reason);
  }
}
