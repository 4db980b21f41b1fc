import type * as mediasoup from 'mediasoup';
import type { RadioConsumerView } from '#contracts';
import { DomainError } from '#platform';
import type { MediaSink, TalkgroupMedia } from '../talkgroup-media.js';

type Consumer = mediasoup.types.Consumer;
type Producer = mediasoup.types.Producer;
type WebRtcTransport = mediasoup.types.WebRtcTransport;

export interface TransportView {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
}

/**
 * One console on one talkgroup: a send transport with its microphone (a source of the
 * talkgroup, relayed only while this user holds the floor) and a receive transport with one
 * consumer per source, which the media resumes for the floor holder only.
 */
export class RadioPeer implements MediaSink {
  readonly consumers = new Map<string, Consumer>();
  private readonly transports = new Map<'send' | 'recv', WebRtcTransport>();
  private rtpCapabilities: mediasoup.types.RtpCapabilities | null = null;
  producer: Producer | null = null;
  closed = false;

  constructor(
    readonly media: TalkgroupMedia,
    private readonly options: mediasoup.types.WebRtcTransportOptions,
    /** a source added later, consumed: the browser must create its side */
    private readonly notify: (view: RadioConsumerView) => void,
  ) {
    media.addSink(this);
  }

  async createTransport(direction: 'send' | 'recv', release: () => void): Promise<TransportView> {
    if (this.transports.has(direction)) {
      release();
      throw new DomainError('conflict', `a ${direction} transport is already open`);
    }
    let transport: WebRtcTransport;
    try {
      transport = await this.media.router.createWebRtcTransport({ ...this.options, appData: { direction } });
    } catch (err) {
      release();
      throw err;
    }
    transport.observer.once('close', release);
    if (this.closed) {
      transport.close();
      throw new DomainError('conflict', 'left the talkgroup');
    }
    this.transports.set(direction, transport);
    return {
      id: transport.id,
      iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
      iceCandidates: transport.iceCandidates as unknown as Record<string, unknown>[],
      dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
    };
  }

  private transport(id: string): WebRtcTransport {
    const t = [...this.transports.values()].find((x) => x.id === id);
    if (!t) throw new DomainError('not_found', `transport ${id} is not yours`);
    return t;
  }

  async connect(transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    try {
      await this.transport(transportId).connect({
        dtlsParameters: dtlsParameters as unknown as mediasoup.types.DtlsParameters,
      });
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new DomainError('invalid', `dtlsParameters refused: ${(err as Error).message}`);
    }
  }

  /** The microphone, in the talkgroup codec (a browser offered PCMA-only capabilities sends PCMA). */
  async produce(transportId: string, rtpParameters: Record<string, unknown>): Promise<string> {
    const t = this.transport(transportId);
    if (t !== this.transports.get('send')) throw new DomainError('invalid', 'produce on the send transport');
    if (this.producer) throw new DomainError('conflict', 'the microphone is already sent');
    let producer: Producer;
    try {
      producer = await t.produce({
        kind: 'audio',
        rtpParameters: rtpParameters as unknown as mediasoup.types.RtpParameters,
        appData: { source: 'browser' },
      });
    } catch (err) {
      throw new DomainError(
        'invalid',
        `rtpParameters refused (the talkgroup speaks ${this.media.codec}): ${(err as Error).message}`,
      );
    }
    this.producer = producer;
    producer.observer.once('close', () => {
      if (this.producer === producer) this.producer = null;
    });
    await this.media.addBrowserSource(producer);
    return producer.id;
  }

  /** Every source there is, consumed paused; the floor holder's is resumed at once. */
  async consumeAll(rtpCapabilities: Record<string, unknown>): Promise<RadioConsumerView[]> {
    if (!this.transports.has('recv')) throw new DomainError('conflict', 'open a recv transport first');
    if (this.rtpCapabilities) throw new DomainError('conflict', 'already consuming');
    this.rtpCapabilities = rtpCapabilities as unknown as mediasoup.types.RtpCapabilities;
    const views: RadioConsumerView[] = [];
    for (const source of this.media.sources()) {
      const v = await this.consume(source);
      if (v) views.push(v);
    }
    await this.media.apply();
    return views;
  }

  async add(source: Producer): Promise<void> {
    const v = await this.consume(source);
    if (v) this.notify(v);
  }

  private async consume(source: Producer): Promise<RadioConsumerView | null> {
    const recv = this.transports.get('recv');
    const caps = this.rtpCapabilities;
    if (!recv || !caps || this.closed || source.id === this.producer?.id || this.consumers.has(source.id))
      return null;
    if (!this.media.router.canConsume({ producerId: source.id, rtpCapabilities: caps }))
      throw new DomainError('invalid', `rtpCapabilities cannot receive ${this.media.codec}`);
    const consumer = await recv.consume({ producerId: source.id, rtpCapabilities: caps, paused: true });
    this.consumers.set(source.id, consumer);
    consumer.observer.once('close', () => this.consumers.delete(source.id));
    return {
      consumerId: consumer.id,
      producerId: source.id,
      rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.media.removeSink(this);
    // closing a transport closes its producer and consumers, and releases its budget
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
