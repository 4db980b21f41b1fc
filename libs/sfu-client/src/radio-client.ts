/**
 * The browser side of 无线对讲 (browser PTT): Socket.IO signalling on `/radio` plus
 * mediasoup-client, UI-free (docs/radio.md, "Browser PTT").
 *
 *   const radio = await RadioClient.connect({ baseUrl, token });
 *   radio.on('floor', ({ talkgroupId, floor }) => …);  // and 'emergency', 'track', 'left'
 *   await radio.join(talkgroupId, micTrack);      // hears whoever holds the floor
 *   const r = await radio.press();                 // granted / busy, then speak
 *   await radio.release();
 */
import { Device } from 'mediasoup-client';
import type { Consumer, Producer, Transport } from 'mediasoup-client/types';
import { io, type Socket } from 'socket.io-client';
import {
  RADIO_EVENTS as E,
  RADIO_NOTIFICATIONS as N,
  type RadioConsumerView,
  type RadioJoinResult,
  type RadioPressResult,
  type SfuResult,
  type SfuTransportView,
} from '#contracts';

type Listener = (payload: any) => void;

interface Joined {
  result: RadioJoinResult;
  device: Device;
  send: Transport | null;
  recv: Transport;
  producer: Producer | null;
  consumers: Map<string, Consumer>;
}

export class RadioClient {
  private readonly listeners = new Map<string, Set<Listener>>();
  private joined: Joined | null = null;

  private constructor(readonly socket: Socket) {
    // the page listens by short names: 'floor', 'emergency'
    socket.on(N.floor, (p: unknown) => this.emit('floor', p));
    socket.on(N.emergency, (p: unknown) => this.emit('emergency', p));
    socket.on(
      N.consumer,
      (v: RadioConsumerView) => void this.consume(v).catch((e: Error) => this.emit('error', e)),
    );
    socket.on(N.closed, () => this.drop());
    socket.on('disconnect', () => {
      this.drop();
      this.emit('disconnect', null);
    });
    socket.on('connect', () => this.emit('connect', null));
  }

  /** Connects to `/radio`; floor changes and emergencies of every talkgroup the user may use arrive at once. */
  static connect(opts: { baseUrl: string; token: string }): RadioClient {
    const socket = io(`${opts.baseUrl}/radio`, {
      auth: { token: opts.token },
      transports: ['websocket'],
      reconnectionDelayMax: 5000,
    });
    return new RadioClient(socket);
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

  get talkgroupId(): string | null {
    return this.joined?.result.talkgroupId ?? null;
  }

  get rank(): string | null {
    return this.joined?.result.rank ?? null;
  }

  /** Receive tracks (one per source of the talkgroup; only the floor holder's carries sound). */
  tracks(): MediaStreamTrack[] {
    return [...(this.joined?.consumers.values() ?? [])].map((c) => c.track);
  }

  /**
   * Joins a talkgroup: hears it at once, and sends `mic` (if given) so a press can be heard.
   * The router offers only the talkgroup codec, so the browser sends PCMA (or opus).
   */
  async join(talkgroupId: string, mic: MediaStreamTrack | null): Promise<RadioJoinResult> {
    if (this.joined) await this.leave();
    const result = await this.request<RadioJoinResult>(E.join, { talkgroupId });
    try {
      const device = new Device();
      await device.load({ routerRtpCapabilities: result.routerRtpCapabilities as never });
      const recv = await this.transport(device, 'recv', result);
      this.joined = { result, device, recv, send: null, producer: null, consumers: new Map() };
      const { consumers } = await this.request<{ consumers: RadioConsumerView[] }>(E.consume, {
        rtpCapabilities: device.rtpCapabilities,
      });
      for (const v of consumers) await this.consume(v);
      if (mic) {
        const send = await this.transport(device, 'send', result);
        this.joined.send = send;
        this.joined.producer = await send.produce({ track: mic, stopTracks: false });
      }
    } catch (err) {
      await this.leave().catch(() => undefined);
      throw err;
    }
    return result;
  }

  private async transport(
    device: Device,
    direction: 'send' | 'recv',
    j: RadioJoinResult,
  ): Promise<Transport> {
    const params = await this.request<SfuTransportView>(E.createTransport, { direction });
    const options = { ...params, iceServers: j.iceServers as RTCIceServer[] } as never;
    const transport =
      direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, ok, fail) => {
      this.request(E.connectTransport, { transportId: transport.id, dtlsParameters }).then(() => ok(), fail);
    });
    if (direction === 'send')
      transport.on('produce', ({ rtpParameters }, ok, fail) => {
        this.request<{ producerId: string }>(E.produce, { transportId: transport.id, rtpParameters }).then(
          ({ producerId }) => ok({ id: producerId }),
          fail,
        );
      });
    return transport;
  }

  private async consume(v: RadioConsumerView): Promise<void> {
    const j = this.joined;
    if (!j || j.consumers.has(v.producerId)) return;
    const consumer = await j.recv.consume({
      id: v.consumerId,
      producerId: v.producerId,
      kind: 'audio',
      rtpParameters: v.rtpParameters as never,
    });
    j.consumers.set(v.producerId, consumer);
    this.emit('track', consumer.track);
  }

  /** PTT down. */
  press(): Promise<RadioPressResult> {
    return this.request<RadioPressResult>(E.press);
  }

  /** PTT up. */
  release(): Promise<{ released: boolean }> {
    return this.request<{ released: boolean }>(E.release);
  }

  async leave(): Promise<void> {
    const had = this.joined;
    this.drop();
    if (had && this.socket.connected) await this.request(E.leave);
  }

  private drop(): void {
    const j = this.joined;
    if (!j) return;
    this.joined = null;
    j.producer?.close();
    j.send?.close();
    j.recv.close();
    this.emit('left', j.result.talkgroupId);
  }

  close(): void {
    this.drop();
    this.socket.close();
  }
}
