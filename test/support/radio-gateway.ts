import { createSocket, type Socket } from 'node:dgram';
import { RADIO_BUS, type RadioCmd, type RadioCmdMessage, type RadioGatewayMessage } from '#contracts';
import type { EventBus } from '#platform';
import { alawDecode, parseRtp, RtpSender } from '#radio';
import { waitFor } from './async.js';

export interface Received {
  at: number;
  payloadType: number;
  ssrc: number;
  payload: Buffer;
}

/**
 * A radio gateway for tests: puts its join/state/events on the event bus as the MQTT bridge
 * would, reads its commands off the bus, and sends and receives real PCMA RTP over UDP.
 */
export class RadioGatewayDouble {
  readonly cmds: { at: number; cmd: RadioCmd }[] = [];
  readonly received: Received[] = [];
  private socket!: Socket;
  private rtp: RtpSender;
  private off: (() => void) | null = null;
  media: { host: string; port: number } | null = null;

  constructor(
    private readonly bus: EventBus,
    readonly terminalId: string,
    private readonly siteId: string,
    readonly ssrc = 0x1000 + Math.floor(Math.random() * 0xfffff),
  ) {
    this.rtp = new RtpSender({ ssrc, payloadType: 8, samplesPerFrame: 160 });
  }

  async start(): Promise<this> {
    this.off = await this.bus.subscribe<RadioCmdMessage>(RADIO_BUS.cmd, (m) => {
      if (m.terminalId !== this.terminalId) return;
      this.cmds.push({ at: performance.now(), cmd: m.cmd });
      if (m.cmd.type === 'media') this.media = { host: m.cmd.host, port: m.cmd.port };
    });
    await this.bind();
    return this;
  }

  private async bind(): Promise<void> {
    this.socket = createSocket('udp4');
    this.socket.on('message', (buf) => {
      const p = parseRtp(buf);
      // RTCP shares the port (rtcpMux): its packet types 200-204 read as RTP payload types 72-76
      if (p && !(p.payloadType >= 72 && p.payloadType <= 76))
        this.received.push({
          at: performance.now(),
          payloadType: p.payloadType,
          ssrc: p.ssrc,
          payload: p.payload,
        });
    });
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r));
  }

  get port(): number {
    return this.socket.address().port;
  }

  private publish(m: Omit<RadioGatewayMessage, 'terminalId' | 'siteId' | 'bridge'>): Promise<void> {
    return this.bus.publish(RADIO_BUS.gateway, {
      terminalId: this.terminalId,
      siteId: this.siteId,
      bridge: 'test',
      ...m,
    });
  }

  /** Joins and waits for a (new) media command; sends a first packet so comedia learns this address. */
  async join(
    codecs: ('PCMA' | 'opus')[] = ['PCMA'],
    waitMs = 10_000,
  ): Promise<{ host: string; port: number }> {
    const before = this.cmdsOf('media').length;
    await this.publish({ leaf: 'join', body: { codecs, ssrc: this.ssrc, at: new Date().toISOString() } });
    await waitFor(() => this.cmdsOf('media').length > before, waitMs, `media command for ${this.terminalId}`);
    this.send(Buffer.alloc(160, 0xd5));
    return this.media!;
  }

  /** A new local port: the "NAT mapping changed" case. */
  async rebind(): Promise<void> {
    this.socket.close();
    await this.bind();
  }

  state(cor: boolean, ptt = false): Promise<void> {
    return this.publish({ leaf: 'state', body: { cor, ptt, at: new Date().toISOString() } });
  }

  emergency(): Promise<void> {
    return this.publish({ leaf: 'events', body: { type: 'emergency', at: new Date().toISOString() } });
  }

  send(payload: Buffer, payloadType = 8): void {
    if (!this.media) throw new Error('no media yet');
    let pkt = this.rtp.next(payload);
    if (payloadType !== 8) {
      pkt = Buffer.from(pkt);
      pkt[1] = (pkt[1]! & 0x80) | payloadType;
    }
    this.socket.send(pkt, this.media.port, this.media.host);
  }

  /** Sends 20 ms frames in real time; resolves with the time the first one left. */
  async sendFrames(frames: Buffer[], payloadType = 8): Promise<number> {
    const start = performance.now();
    for (let i = 0; i < frames.length; i++) {
      this.send(frames[i]!, payloadType);
      const wait = start + (i + 1) * 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    return start;
  }

  cmdsOf<T extends RadioCmd['type']>(type: T): (Extract<RadioCmd, { type: T }> & { at: number })[] {
    return this.cmds
      .filter((c) => c.cmd.type === type)
      .map((c) => ({ ...(c.cmd as Extract<RadioCmd, { type: T }>), at: c.at }));
  }

  /** PCMA received since `since` (performance.now()), decoded. */
  pcm(since = 0): { pcm: Int16Array; first: number | null } {
    const got = this.received.filter((r) => r.at >= since && r.payloadType === 8);
    const all = new Int16Array(got.length * 160);
    got.forEach((r, i) => all.set(alawDecode(r.payload).subarray(0, 160), i * 160));
    return { pcm: all, first: got[0]?.at ?? null };
  }

  async stop(): Promise<void> {
    this.off?.();
    this.socket.close();
  }
}
