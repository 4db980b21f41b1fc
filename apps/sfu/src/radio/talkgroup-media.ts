import { createSocket, type Socket } from 'node:dgram';
import type * as mediasoup from 'mediasoup';
import { RADIO_CODEC_RTP, type RadioCodec } from '#contracts';
import { parseRtp } from '#radio';

type Consumer = mediasoup.types.Consumer;
type Producer = mediasoup.types.Producer;
type Router = mediasoup.types.Router;

/** The router's codec list and a producer's parameters for each talkgroup codec. */
export function radioMediaCodecs(codec: RadioCodec): mediasoup.types.RtpCodecCapability[] {
  const { clockRate, channels, payloadType } = RADIO_CODEC_RTP[codec];
  return [
    {
      kind: 'audio',
      mimeType: `audio/${codec}`,
      clockRate,
      channels,
      ...(codec === 'PCMA' ? {} : { preferredPayloadType: payloadType }),
    },
  ];
}

function producerParameters(codec: RadioCodec, ssrc: number): mediasoup.types.RtpParameters {
  const { clockRate, channels, payloadType } = RADIO_CODEC_RTP[codec];
  return {
    codecs: [{ mimeType: `audio/${codec}`, payloadType, clockRate, channels }],
    encodings: [{ ssrc }],
  };
}

/** One gateway's RTP leg: what it sends (producer) and what it hears (one paused consumer per other source). */
export interface GatewayLeg {
  terminalId: string;
  transport: mediasoup.types.PlainTransport;
  producer: Producer;
  consumers: Map<string, Consumer>;
  inhibit: { tx: boolean; rx: boolean };
  createdAt: number;
}

/**
 * A receiver other than a gateway leg: a console's WebRTC receive side (browser/radio-peer.ts).
 * It holds one consumer per source it took, paused unless that source holds the floor.
 */
export interface MediaSink {
  readonly consumers: Map<string, Consumer>;
  /** a source added after the sink joined: consume it (or not, if not ready) */
  add(source: Producer): Promise<void>;
}

/**
 * A talkgroup's media on this instance: a router, one PlainTransport per gateway (comedia:
 * it locks onto the gateway's first packet, so a gateway whose address changes re-joins and
 * gets a fresh one), a DirectTransport producer for the hub's own audio, and a tap (a
 * PlainTransport into a local UDP socket) that hands the floor holder's packets to the
 * recorder. Every consumer starts paused; only the floor holder's source is resumed.
 */
export class TalkgroupMedia {
  readonly legs = new Map<string, GatewayLeg>();
  /** sources of patched talkgroups, piped into this router (same producer ids) */
  private readonly relayed = new Map<string, Producer>();
  /** consoles' microphones (browser PTT): sources like a gateway's, relayed only while they hold the floor */
  private readonly browsers = new Map<string, Producer>();
  private readonly sinks = new Set<MediaSink>();
  private source: string | null = null;
  private tapSsrc: number | null = null;
  private joining: Promise<unknown> = Promise.resolve();
  closed = false;

  private constructor(
    readonly talkgroupId: string,
    readonly codec: RadioCodec,
    readonly router: Router,
    private readonly system: { transport: mediasoup.types.DirectTransport; producer: Producer },
    private readonly tap: {
      transport: mediasoup.types.PlainTransport;
      socket: Socket;
      consumers: Map<string, Consumer>;
    },
    private readonly listen: { ip: string; announcedIp?: string },
    /** each RTP payload of the floor holder, in arrival order */
    private readonly onHolderPayload: (payload: Buffer) => void,
  ) {
    tap.socket.on('message', (buf) => {
      const p = parseRtp(buf);
      if (p && p.ssrc === this.tapSsrc && p.payloadType === RADIO_CODEC_RTP[this.codec].payloadType)
        this.onHolderPayload(p.payload);
    });
  }

  static async open(
    worker: mediasoup.types.Worker,
    talkgroupId: string,
    codec: RadioCodec,
    listen: { ip: string; announcedIp?: string },
    onHolderPayload: (payload: Buffer) => void,
  ): Promise<TalkgroupMedia> {
    const router = await worker.createRouter({
      mediaCodecs: radioMediaCodecs(codec),
      appData: { talkgroupId },
    });
    try {
      const direct = await router.createDirectTransport();
      const producer = await direct.produce({
        kind: 'audio',
        rtpParameters: producerParameters(codec, 0x5157_0000 + Math.floor(Math.random() * 0xffff)),
        appData: { source: 'system' },
      });
      const socket = createSocket('udp4');
      await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
      const tapTransport = await router.createPlainTransport({
        listenIp: { ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
      });
      await tapTransport.connect({ ip: '127.0.0.1', port: socket.address().port });
      const media = new TalkgroupMedia(
        talkgroupId,
        codec,
        router,
        { transport: direct, producer },
        { transport: tapTransport, socket, consumers: new Map() },
        listen,
        onHolderPayload,
      );
      await media.tapSource(producer);
      return media;
    } catch (err) {
      router.close();
      throw err;
    }
  }

  /** the SSRC the hub's own RTP must carry to reach the system producer */
  get systemSsrc(): number {
    return this.system.producer.rtpParameters.encodings![0]!.ssrc!;
  }

  get systemProducerId(): string {
    return this.system.producer.id;
  }

  /** Injects one RTP packet of the hub's own audio (a spoken directive, an announcement). */
  sendSystem(packet: Buffer): void {
    if (!this.closed && !this.system.producer.closed) this.system.producer.send(packet);
  }

  sources(): Producer[] {
    return [
      this.system.producer,
      ...this.relayed.values(),
      ...this.browsers.values(),
      ...[...this.legs.values()].map((l) => l.producer),
    ];
  }

  /** A patched talkgroup's source, piped into this router once; every leg consumes it paused. */
  async relay(producerId: string, from: Router): Promise<void> {
    if (this.relayed.has(producerId) || from === this.router) return;
    const { pipeProducer } = await from.pipeToRouter({ producerId, router: this.router });
    if (pipeProducer) await this.addRelayed(pipeProducer);
  }

  /**
   * A patched talkgroup's source that reached this router by a pipe (the same producer id):
   * from a router of this process, or over UDP from another instance (pipe-relay.ts).
   */
  async addRelayed(pipeProducer: Producer): Promise<void> {
    const producerId = pipeProducer.id;
    this.relayed.set(producerId, pipeProducer);
    pipeProducer.observer.once('close', () => {
      this.relayed.delete(producerId);
      this.tap.consumers.delete(producerId);
    });
    for (const leg of this.legs.values()) await this.consumeInto(leg, pipeProducer);
    await this.tapSource(pipeProducer);
    await this.offer(pipeProducer);
  }

  hasRelayed(producerId: string): boolean {
    return this.relayed.has(producerId);
  }

  /** the relayed source's origin is gone (its gateway left, its host stopped) */
  closeRelayed(producerId: string): void {
    this.relayed.get(producerId)?.close();
  }

  /** A console's microphone: consumed paused by every gateway, the tap and the other consoles. */
  async addBrowserSource(producer: Producer): Promise<void> {
    this.browsers.set(producer.id, producer);
    producer.observer.once('close', () => {
      this.browsers.delete(producer.id);
      this.tap.consumers.get(producer.id)?.close();
      this.tap.consumers.delete(producer.id);
    });
    for (const leg of this.legs.values()) await this.consumeInto(leg, producer);
    await this.tapSource(producer);
    await this.offer(producer);
    await this.apply();
  }

  addSink(sink: MediaSink): void {
    this.sinks.add(sink);
  }

  removeSink(sink: MediaSink): void {
    this.sinks.delete(sink);
  }

  /** a new source for the consoles listening (each skips its own microphone) */
  private async offer(source: Producer): Promise<void> {
    for (const sink of this.sinks) await sink.add(source).catch(() => undefined);
  }

  private async tapSource(producer: Producer): Promise<void> {
    const consumer = await this.tap.transport.consume({
      producerId: producer.id,
      rtpCapabilities: this.router.rtpCapabilities,
      paused: true,
    });
    this.tap.consumers.set(producer.id, consumer);
  }

  /** A fresh leg for the gateway (its old one, if any, closed): where it must send its RTP. */
  addGateway(terminalId: string, ssrc: number): Promise<{ host: string; port: number }> {
    // one at a time: a leg joins `legs` only at its end, so two joins at once would each
    // miss the other's producer and never hear it (seen with 36 gateways joining together)
    const run = this.joining.then(() => this.addGatewayNow(terminalId, ssrc));
    this.joining = run.catch(() => undefined);
    return run;
  }

  private async addGatewayNow(terminalId: string, ssrc: number): Promise<{ host: string; port: number }> {
    this.closeGateway(terminalId);
    const transport = await this.router.createPlainTransport({
      listenIp: {
        ip: this.listen.ip,
        ...(this.listen.announcedIp ? { announcedIp: this.listen.announcedIp } : {}),
      },
      rtcpMux: true,
      comedia: true,
    });
    try {
      const producer = await transport.produce({
        kind: 'audio',
        rtpParameters: producerParameters(this.codec, ssrc),
        appData: { source: 'gateway', terminalId },
      });
      const leg: GatewayLeg = {
        terminalId,
        transport,
        producer,
        consumers: new Map(),
        inhibit: { tx: false, rx: false },
        createdAt: Date.now(),
      };
      for (const source of this.sources()) await this.consumeInto(leg, source);
      for (const other of this.legs.values()) await this.consumeInto(other, producer);
      await this.tapSource(producer);
      this.legs.set(terminalId, leg);
      await this.offer(producer);
      await this.apply();
    } catch (err) {
      transport.close();
      throw err;
    }
    const { localIp, localPort } = transport.tuple;
    return { host: this.listen.announcedIp ?? localIp, port: localPort };
  }

  private async consumeInto(leg: GatewayLeg, source: Producer): Promise<void> {
    const consumer = await leg.transport.consume({
      producerId: source.id,
      rtpCapabilities: this.router.rtpCapabilities,
      paused: true,
    });
    leg.consumers.set(source.id, consumer);
    consumer.on('producerclose', () => leg.consumers.delete(source.id));
  }

  closeGateway(terminalId: string): boolean {
    const leg = this.legs.get(terminalId);
    if (!leg) return false;
    this.legs.delete(terminalId);
    // closing the transport closes its producer, and with it every consumer of it
    leg.transport.close();
    this.tap.consumers.get(leg.producer.id)?.close();
    this.tap.consumers.delete(leg.producer.id);
    return true;
  }

  producerOf(terminalId: string): string | null {
    return this.legs.get(terminalId)?.producer.id ?? null;
  }

  /** The floor holder's source (a producer id) or null: resumes what carries it, pauses the rest. */
  async setSource(producerId: string | null): Promise<void> {
    this.source = producerId;
    await this.apply();
  }

  async setInhibit(terminalId: string, inhibit: { tx: boolean; rx: boolean }): Promise<void> {
    const leg = this.legs.get(terminalId);
    if (!leg) return;
    leg.inhibit = inhibit;
    await this.apply();
  }

  /** Pauses and resumes every consumer to match the floor (also after a sink consumed more). */
  async apply(): Promise<void> {
    const from = [...this.legs.values()].find((l) => l.producer.id === this.source);
    // a transmit-inhibited gateway is heard by nobody, even if it somehow holds the floor
    const source = from?.inhibit.tx ? null : this.source;
    const ops: Promise<void>[] = [];
    for (const leg of this.legs.values())
      for (const [producerId, c] of leg.consumers) {
        const on = producerId === source && !leg.inhibit.rx;
        if (on && c.paused) ops.push(c.resume());
        if (!on && !c.paused) ops.push(c.pause());
      }
    for (const sink of this.sinks)
      for (const [producerId, c] of sink.consumers) {
        const on = producerId === source;
        if (on && c.paused) ops.push(c.resume());
        if (!on && !c.paused) ops.push(c.pause());
      }
    let tapSsrc: number | null = null;
    for (const [producerId, c] of this.tap.consumers) {
      const on = producerId === source;
      if (on) tapSsrc = c.rtpParameters.encodings?.[0]?.ssrc ?? null;
      if (on && c.paused) ops.push(c.resume());
      if (!on && !c.paused) ops.push(c.pause());
    }
    this.tapSsrc = tapSsrc;
    await Promise.all(ops.map((p) => p.catch(() => undefined)));
  }

  /** Packets and bytes mediasoup took in per gateway (what a dropped payload type never reaches). */
  async stats(): Promise<{ terminalId: string; producerPackets: number; transportBytes: number }[]> {
    const out = [];
    for (const leg of this.legs.values()) {
      const [p] = (await leg.producer.getStats().catch(() => [])) as { packetCount?: number }[];
      const [t] = (await leg.transport.getStats().catch(() => [])) as { bytesReceived?: number }[];
      out.push({
        terminalId: leg.terminalId,
        producerPackets: p?.packetCount ?? 0,
        transportBytes: t?.bytesReceived ?? 0,
      });
    }
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.router.close();
    this.tap.socket.close();
  }
}
