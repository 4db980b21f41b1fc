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
import { consumeProducer, resumeConsumer, setConsumerLayers } from './consumers.js';
import { media } from './media-call.js';
import { participantStats } from './participant-stats.js';
import { Peer, type ProducerEntry } from './peer.js';
import { RouterSpan } from './router-span.js';
import type { TransportBudget } from './transport-budget.js';

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
  /** participants (sockets) in one consultation */
  maxPeers: number;
  transports: TransportBudget;
  webRtcTransport: mediasoup.types.WebRtcTransportOptions;
  /** next worker to open a router on; avoids the ones given when it can */
  pickWorker(avoid: Set<number>): Worker;
}

/**
 * One consultation's media: the peers, their producers piped across the room's RouterSpan,
 * and the floor. Mutations that pipe are serialised so a router added mid-produce still gets
 * every producer.
 */
export class Room {
  readonly peers = new Map<string, Peer>();
  readonly producers = new Map<string, ProducerEntry>();
  private readonly span: RouterSpan;
  private observer!: mediasoup.types.AudioLevelObserver;
  private chain: Promise<unknown> = Promise.resolve();
  floorPeerId: string | null = null;
  activeSpeakerPeerId: string | null = null;
  closed = false;

  private constructor(
    readonly consultationId: string,
    private readonly options: RoomOptions,
    private readonly hooks: RoomHooks,
  ) {
    // a worker died under the room: everyone in it must rejoin on a live worker
    this.span = new RouterSpan(
      options.peersPerRouter,
      (avoid) => options.pickWorker(avoid),
      () => this.close('worker-died'),
    );
  }

  static async open(consultationId: string, options: RoomOptions, hooks: RoomHooks): Promise<Room> {
    const room = new Room(consultationId, options, hooks);
    const router = await room.span.add();
    room.observer = await router.createAudioLevelObserver({ maxEntries: 1, threshold: -70, interval: 800 });
    room.observer.on('volumes', (volumes) =>
      room.setActiveSpeaker(room.producers.get(volumes[0]!.producer.id)?.peerId ?? null),
    );
    room.observer.on('silence', () => room.setActiveSpeaker(null));
    return room;
  }

  get primaryRouter(): Router {
    return this.span.primary;
  }

  get rtpCapabilities(): mediasoup.types.RtpCapabilities {
    return this.primaryRouter.rtpCapabilities;
  }

  workerPids(): number[] {
    return this.span.workerPids();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Adds a participant on the first router with room, opening a router on another worker when all are full. */
  addPeer(view: SfuPeerView): Promise<Peer> {
    return this.serial(async () => {
      this.assertOpen();
      if (this.peers.size >= this.options.maxPeers)
        throw new DomainError(
          'conflict',
          `this consultation is full: at most ${this.options.maxPeers} participants (SFU_PEERS_PER_CONSULTATION)`,
        );
      const router = await this.span.seat(async (added) => {
        for (const [id, entry] of this.producers)
          await this.span.pipe(id, this.routerOf(entry.peerId), added);
      });
      const peer = new Peer(view, router);
      this.peers.set(view.peerId, peer);
      return peer;
    });
  }

  private routerOf(peerId: string): Router {
    return this.peers.get(peerId)!.router;
  }

  peer(peerId: string): Peer {
    const peer = this.peers.get(peerId);
    if (!peer) throw new DomainError('not_found', 'no such participant in this consultation');
    return peer;
  }

  async createTransport(peer: Peer, direction: 'send' | 'recv'): Promise<SfuTransportView> {
    this.assertOpen();
    this.assertPresent(peer);
    const release = this.options.transports.reserve(peer.id, peer.view.userId, this.consultationId);
    let transport: mediasoup.types.WebRtcTransport;
    try {
      transport = await media('transport', () =>
        peer.router.createWebRtcTransport({ ...this.options.webRtcTransport, appData: { direction } }),
      );
    } catch (err) {
      release();
      throw err;
    }
    transport.observer.on('close', release);
    // the participant may have gone while the worker created it: nothing else would close it
    if (peer.closed || this.closed) {
      transport.close();
      throw new DomainError('conflict', 'you left the consultation');
    }
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
      if (peer.closed) {
        producer.close();
        throw new DomainError('conflict', 'you left the consultation');
      }
      const entry: ProducerEntry = { producer, peerId: peer.id, source: req.source, byModerator: paused };
      peer.producers.set(producer.id, entry);
      this.producers.set(producer.id, entry);
      producer.observer.on('close', () => this.forgetProducer(entry));
      await this.span.pipeEverywhere(producer.id, peer.router);
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
    return consumeProducer(peer, entry, rtpCapabilities, (consumerId) =>
      this.hooks.toPeer(peer.id, N.consumerClosed, { consumerId, producerId }),
    );
  }

  resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    return resumeConsumer(peer, consumerId);
  }

  setConsumerLayers(peer: Peer, consumerId: string, spatialLayer: number): Promise<void> {
    return setConsumerLayers(peer, consumerId, spatialLayer);
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
    this.span.release(peer.router);
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

  stats(): Promise<SfuParticipantStats[]> {
    return participantStats(this.peers.values());
  }

  snapshot(): { peers: SfuPeerView[]; producers: SfuProducerView[] } {
    return {
      peers: [...this.peers.values()].map((p) => p.view),
      producers: [...this.producers.values()].map((e) => this.producerView(e)),
    };
  }

  private assertPresent(peer: Peer): void {
    if (peer.closed) throw new DomainError('conflict', 'you left the consultation');
  }

  private assertOpen(): void {
    if (this.closed) throw new DomainError('conflict', 'this consultation room has closed; join again');
  }

  close(reason: RoomCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of this.peers.values()) peer.close();
    this.span.close();
    this.hooks.onClosed(this, reason);
  }
}
