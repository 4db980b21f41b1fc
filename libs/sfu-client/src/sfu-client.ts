/**
 * The browser side of video consultations (视频会商): Socket.IO signalling on `/sfu` plus
 * mediasoup-client. UI-free so the console (apps/console) and the minimal page (apps/sfu/client)
 * share it through `#sfu-client`.
 *
 *   const client = await SfuClient.join({ baseUrl, token, consultationId });
 *   await client.publish(await navigator.mediaDevices.getUserMedia({ audio: true, video: true }));
 *   client.on('track', ({ peerId, kind, track }) => …);
 */
import { Device } from 'mediasoup-client';
import type { Consumer, Producer, Transport } from 'mediasoup-client/types';
import { io, type Socket } from 'socket.io-client';
import {
  SFU_EVENTS as E,
  SFU_NOTIFICATIONS as N,
  type MediaSource,
  type SfuConsumerView,
  type SfuJoinResult,
  type SfuParticipantStats,
  type SfuPeerView,
  type SfuProducerView,
  type SfuResult,
  type SfuTransportView,
} from '#contracts';

export interface RemoteTrack {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  consumer: Consumer;
}

export interface ReceiveStats {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  bytesReceived: number;
  packetsReceived: number;
  framesDecoded: number;
}

type Listener = (payload: any) => void;

/** Camera simulcast: a township on a weak link still gets the lowest layer. */
export const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

export class SfuClient {
  readonly peers = new Map<string, SfuPeerView>();
  readonly remote = new Map<string, RemoteTrack>();
  readonly producers = new Map<MediaSource, Producer>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly device = new Device();
  private sendTransport: Transport | null = null;
  private recvTransport: Transport | null = null;
  joinResult!: SfuJoinResult;

  private constructor(readonly socket: Socket) {}

  /** Connects to `/sfu`, joins the consultation and starts receiving everyone already there. */
  static async join(opts: { baseUrl: string; token: string; consultationId: string }): Promise<SfuClient> {
    const socket = io(`${opts.baseUrl}/sfu`, {
      auth: { token: opts.token },
      transports: ['websocket'],
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    const client = new SfuClient(socket);
    await client.start(opts.consultationId);
    return client;
  }

  on(event: string, fn: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  private emit(event: string, payload: unknown): void {
    this.listeners.get(event)?.forEach((fn) => fn(payload));
  }

  /** One signalling request; rejects with the server's message. */
  async request<T extends object = object>(event: string, data: object = {}): Promise<T> {
    const res = (await this.socket.timeout(15_000).emitWithAck(event, data)) as SfuResult<T>;
    if (!res.ok) throw new Error(res.error);
    return res as T;
  }

  get peerId(): string {
    return this.joinResult.peerId;
  }

  get moderator(): boolean {
    return this.joinResult.moderator;
  }

  private async start(consultationId: string): Promise<void> {
    // forward every notification, then keep our own state in step
    for (const name of Object.values(N)) this.socket.on(name, (p: unknown) => this.emit(name, p));
    this.socket.on(N.peerJoined, (p: SfuPeerView) => this.peers.set(p.peerId, p));
    this.socket.on(N.peerLeft, ({ peerId }: { peerId: string }) => this.peers.delete(peerId));
    this.socket.on(
      N.newProducer,
      (p: SfuProducerView) => void this.consume(p).catch((err: Error) => this.emit('error', err)),
    );
    this.socket.on(N.consumerClosed, ({ producerId }: { producerId: string }) => this.dropRemote(producerId));
    this.socket.on(N.producerClosed, ({ producerId }: { producerId: string }) => this.dropRemote(producerId));
    this.socket.on(N.removed, () => this.close());
    this.socket.on(N.roomClosed, () => this.close());

    this.joinResult = await this.request<SfuJoinResult>(E.join, { consultationId });
    for (const p of this.joinResult.peers) this.peers.set(p.peerId, p);
    await this.device.load({ routerRtpCapabilities: this.joinResult.routerRtpCapabilities as never });
    this.recvTransport = await this.transport('recv');
    for (const p of this.joinResult.producers)
      await this.consume(p).catch((err: Error) => this.emit('error', err));
  }

  private async transport(direction: 'send' | 'recv'): Promise<Transport> {
    const params = await this.request<SfuTransportView>(E.createTransport, { direction });
    const options = { ...params, iceServers: this.joinResult.iceServers as RTCIceServer[] } as never;
    const transport =
      direction === 'send'
        ? this.device.createSendTransport(options)
        : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, ok, fail) => {
      this.request(E.connectTransport, { transportId: transport.id, dtlsParameters }).then(() => ok(), fail);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
        this.request<{ producerId: string }>(E.produce, {
          transportId: transport.id,
          kind,
          rtpParameters,
          source: appData.source,
        }).then(({ producerId }) => ok({ id: producerId }), fail);
      });
    }
    return transport;
  }

  /** Sends a microphone and/or camera (simulcast) from a stream. */
  async publish(stream: MediaStream, opts: { simulcast?: boolean } = {}): Promise<void> {
    for (const track of stream.getTracks()) {
      await this.produceTrack(track, track.kind === 'audio' ? 'mic' : 'camera', opts.simulcast ?? true);
    }
  }

  /** Screen sharing: the server allows it to a moderator or the participant holding the floor. */
  async shareScreen(track: MediaStreamTrack): Promise<Producer> {
    return this.produceTrack(track, 'screen', false);
  }

  private async produceTrack(
    track: MediaStreamTrack,
    source: MediaSource,
    simulcast: boolean,
  ): Promise<Producer> {
    this.sendTransport ??= await this.transport('send');
    const producer = await this.sendTransport.produce({
      track,
      appData: { source },
      ...(track.kind === 'video' && simulcast ? { encodings: CAMERA_ENCODINGS } : {}),
    });
    this.producers.set(source, producer);
    return producer;
  }

  async unpublish(source: MediaSource): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    await this.request(E.closeProducer, { producerId: producer.id });
  }

  private async consume(p: SfuProducerView): Promise<void> {
    if (p.peerId === this.joinResult.peerId || this.remote.has(p.producerId) || !this.recvTransport) return;
    const view = await this.request<SfuConsumerView>(E.consume, {
      producerId: p.producerId,
      rtpCapabilities: this.device.rtpCapabilities,
    });
    const consumer = await this.recvTransport.consume({
      id: view.consumerId,
      producerId: view.producerId,
      kind: view.kind,
      rtpParameters: view.rtpParameters as never,
    });
    const remote: RemoteTrack = {
      producerId: view.producerId,
      peerId: view.peerId,
      kind: view.kind,
      source: view.source,
      track: consumer.track,
      consumer,
    };
    this.remote.set(view.producerId, remote);
    // the server created it paused: resume only now that our side can take the keyframe
    await this.request(E.resumeConsumer, { consumerId: view.consumerId });
    this.emit('track', remote);
  }

  private dropRemote(producerId: string): void {
    const r = this.remote.get(producerId);
    if (!r) return;
    this.remote.delete(producerId);
    r.consumer.close();
    this.emit('trackended', r);
  }

  /** Per remote producer: what this browser has received and decoded (RTCPeerConnection stats). */
  async receiveStats(): Promise<ReceiveStats[]> {
    const out: ReceiveStats[] = [];
    for (const r of this.remote.values()) {
      const report = await r.consumer.getStats();
      let bytes = 0,
        packets = 0,
        frames = 0;
      report.forEach((s: any) => {
        if (s.type !== 'inbound-rtp') return;
        bytes += s.bytesReceived ?? 0;
        packets += s.packetsReceived ?? 0;
        frames += s.framesDecoded ?? 0;
      });
      out.push({
        producerId: r.producerId,
        peerId: r.peerId,
        kind: r.kind,
        bytesReceived: bytes,
        packetsReceived: packets,
        framesDecoded: frames,
      });
    }
    return out;
  }

  // ---- moderator (the server refuses these to anyone else) ----
  mute(peerId: string, kind: 'audio' | 'video', muted = true) {
    return this.request(E.mute, { peerId, kind, muted });
  }
  giveFloor(peerId: string | null, muteOthers = false) {
    return this.request(E.floor, { peerId, muteOthers });
  }
  remove(peerId: string) {
    return this.request(E.remove, { peerId });
  }
  startRollCall() {
    return this.request<{ rollCallId: string; siteIds: string[] }>(E.rollCallStart);
  }
  closeRollCall(rollCallId: string) {
    return this.request<{ rollCall: unknown }>(E.rollCallClose, { rollCallId });
  }
  stats() {
    return this.request<{ participants: SfuParticipantStats[]; workers: number[] }>(E.stats);
  }

  // ---- every participant ----
  answerRollCall(rollCallId: string) {
    return this.request(E.rollCallAnswer, { rollCallId });
  }

  async leave(): Promise<void> {
    await this.request(E.leave).catch(() => undefined);
    this.close();
  }

  close(): void {
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.socket.close();
    this.emit('closed', null);
  }
}
