import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { alawEncode, parseRtp, RtpSender, type RtpPacket } from '#radio';

export interface MediaTarget {
  host: string;
  port: number;
  payloadType: number;
}

export const DROP_REASONS = ['source', 'payload-type', 'malformed', 'frame-size'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface MediaStats {
  sent: number;
  received: number;
  dropped: Record<DropReason, number>;
  /** COR audio with no media target yet (the hub has not sent `media`) */
  unsent: number;
  /** RTCP receiver reports sent so the hub can reach us (after `media`, then while idle) */
  hellos: number;
}

/** a datagram bigger than this is not one 20 ms frame of anything we speak */
const MAX_DATAGRAM = 1500;
const PCMA_FRAME_BYTES = 160;
/** a listen-only gateway says hello this often, so its NAT mapping (and the hub's) stays */
export const KEEPALIVE_MS = 15_000;

/** an empty RTCP receiver report (RFC 3550 §6.4.2: V=2, RC=0, PT=201, length 1, SSRC) */
function emptyReceiverReport(ssrc: number): Buffer {
  const b = Buffer.alloc(8);
  b[0] = 0x80;
  b[1] = 201;
  b.writeUInt16BE(1, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  return b;
}

/**
 * One UDP socket for both directions: RTP from the radio's receiver goes to the hub's
 * media host:port, and the hub's transmit audio is accepted only from that same host:port
 * (a mediasoup PlainTransport sends from the port it listens on). Anything else, a wrong
 * payload type, or a malformed or odd-sized packet is dropped and counted, never parsed
 * further; the counts are reported once a minute, not per packet.
 */
export class MediaPath {
  readonly stats: MediaStats = {
    sent: 0,
    received: 0,
    dropped: { source: 0, 'payload-type': 0, malformed: 0, 'frame-size': 0 },
    unsent: 0,
    hellos: 0,
  };
  private readonly socket: Socket;
  private target: (MediaTarget & { address: string }) | null = null;
  private sender: RtpSender;
  private lastSentAt = 0;
  private lastPacketAt = 0;
  private readonly keepalive: NodeJS.Timeout;
  private reported: Record<DropReason, number> = {
    source: 0,
    'payload-type': 0,
    malformed: 0,
    'frame-size': 0,
  };
  private reportTimer: NodeJS.Timeout;
  private generation = 0;

  constructor(
    readonly ssrc: number,
    private readonly onRtp: (packet: RtpPacket) => void,
    private readonly onDrops: (since: Partial<Record<DropReason, number>>) => void,
    reportEveryMs = 60_000,
  ) {
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address, rinfo.port));
    // an ICMP port-unreachable from a hub that restarted surfaces here: not fatal
    this.socket.on('error', () => undefined);
    this.sender = new RtpSender({ ssrc, payloadType: 8, samplesPerFrame: 160 });
    this.reportTimer = setInterval(() => this.report(), reportEveryMs);
    this.reportTimer.unref();
    this.keepalive = setInterval(() => {
      if (Date.now() - this.lastPacketAt >= KEEPALIVE_MS) this.hello();
    }, KEEPALIVE_MS / 3);
    this.keepalive.unref();
  }

  bind(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(port, () => {
        this.socket.off('error', reject);
        resolve(this.socket.address().port);
      });
    });
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  get remote(): MediaTarget | null {
    return (
      this.target && { host: this.target.host, port: this.target.port, payloadType: this.target.payloadType }
    );
  }

  /** follow a `media` command; a new port mid-call is simply the new destination and source */
  async setTarget(t: MediaTarget): Promise<void> {
    const generation = ++this.generation;
    const { address } = await lookup(t.host, { family: 4 });
    // a later media command won the race while this one resolved its host
    if (generation !== this.generation) return;
    if (this.target?.payloadType !== t.payloadType)
      this.sender = new RtpSender({ ssrc: this.ssrc, payloadType: t.payloadType, samplesPerFrame: 160 });
    this.target = { ...t, address };
    // the hub's PlainTransport is comedia: it learns where to send only from a packet of
    // ours, and a gateway that only listens would otherwise never hear anything
    this.hello();
  }

  /** an RTCP receiver report to the media target: no audio, no gap in the RTP stream */
  private hello(): void {
    const t = this.target;
    if (!t) return;
    this.lastPacketAt = Date.now();
    this.stats.hellos++;
    this.socket.send(emptyReceiverReport(this.ssrc), t.port, t.address);
  }

  /** one 20 ms frame of the radio's received audio; `first` starts a talk spurt (marker bit) */
  send(frame: Int16Array, first: boolean): void {
    const t = this.target;
    if (!t) {
      this.stats.unsent++;
      return;
    }
    const now = Date.now();
    // the RTP clock keeps running through the silence between spurts (RFC 3551 §4.1)
    if (first && this.lastSentAt) this.sender.skip(Math.max(0, Math.round((now - this.lastSentAt) / 20) - 1));
    this.lastSentAt = now;
    this.lastPacketAt = now;
    this.socket.send(this.sender.next(alawEncode(frame), first), t.port, t.address);
    this.stats.sent++;
  }

  close(): void {
    clearInterval(this.reportTimer);
    clearInterval(this.keepalive);
    this.report();
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private receive(msg: Buffer, address: string, port: number): void {
    const t = this.target;
    if (!t || address !== t.address || port !== t.port) return this.drop('source');
    if (msg.length > MAX_DATAGRAM) return this.drop('malformed');
    const packet = parseRtp(msg);
    if (!packet) return this.drop('malformed');
    if (packet.payloadType !== t.payloadType) return this.drop('payload-type');
    if (packet.payload.length !== PCMA_FRAME_BYTES) return this.drop('frame-size');
    this.stats.received++;
    this.onRtp(packet);
  }

  private drop(reason: DropReason): void {
    this.stats.dropped[reason]++;
  }

  private report(): void {
    const since: Partial<Record<DropReason, number>> = {};
    let any = false;
    for (const r of DROP_REASONS) {
      const n = this.stats.dropped[r] - this.reported[r];
      if (n > 0) {
        since[r] = n;
        any = true;
      }
    }
    this.reported = { ...this.stats.dropped };
    if (any) this.onDrops(since);
  }
}
