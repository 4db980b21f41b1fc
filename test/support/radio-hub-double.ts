import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { alawFrames, buildRtp, parseRtp, type RtpPacket } from '#radio';
import type { RadioCmd } from '#contracts';

export interface SeenPublish {
  clientId: string;
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

export interface SeenRtp {
  packet: RtpPacket;
  port: number;
  at: number;
}

/**
 * The hub as a radio gateway sees it, made of real parts: an aedes broker on a spare port
 * (logins checked as the device protocol says: clientId = username, the secret) and a UDP
 * socket that plays the hub's media port. A test sends `radio/cmd` commands and RTP, and
 * reads what the gateway published and sent.
 */
export class RadioHubDouble {
  readonly published: SeenPublish[] = [];
  readonly subscribes: { clientId: string; topic: string; at: number }[] = [];
  readonly rtp: SeenRtp[] = [];
  /** RTCP (packet types 200-204) that reached a media socket */
  readonly rtcp: { buf: Buffer; port: number; at: number }[] = [];
  readonly udp: UdpSocket[] = [];
  private aedes!: Aedes;
  private server!: Server;
  private sockets = new Set<Socket>();
  private streams = new Set<() => void>();
  port = 0;

  private constructor(private readonly secrets: Map<string, string>) {}

  static async start(secrets: Record<string, string>): Promise<RadioHubDouble> {
    const hub = new RadioHubDouble(new Map(Object.entries(secrets)));
    await hub.startBroker();
    await hub.openMedia();
    return hub;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** the first media socket's port */
  get mediaPort(): number {
    return this.udp[0]!.address().port;
  }

  async startBroker(): Promise<void> {
    this.aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) =>
        done(null, username === client.id && password?.toString() === this.secrets.get(client.id)),
    });
    this.aedes.on('publish', (packet, client) => {
      if (client)
        this.published.push({
          clientId: client.id,
          topic: packet.topic,
          payload: packet.payload.toString(),
          retain: packet.retain,
          at: Date.now(),
        });
    });
    this.aedes.on('subscribe', (subs, client) => {
      for (const s of subs) this.subscribes.push({ clientId: client.id, topic: s.topic, at: Date.now() });
    });
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.aedes.handle(socket);
    });
    await new Promise<void>((r) => this.server.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** the broker gone at once, as with kill -9: every connection reset, nothing listening */
  async killBroker(): Promise<void> {
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
    await new Promise<void>((r) => this.server.close(() => r()));
    await new Promise<void>((r) => this.aedes.close(() => r()));
  }

  /** another media socket (a new port mid-call); returns its index */
  async openMedia(): Promise<number> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    // forty gateways' RTP into one socket of a busy test process: the default 208 KiB
    // receive buffer overflowed (UdpRcvbufErrors) whenever jest paused the event loop
    socket.setRecvBufferSize(4 << 20);
    const port = socket.address().port;
    socket.on('message', (msg) => {
      const packet = parseRtp(msg);
      if (msg.length >= 8 && msg[1]! >= 200 && msg[1]! <= 204)
        this.rtcp.push({ buf: msg, port, at: Date.now() });
      else if (packet) this.rtp.push({ packet, port, at: Date.now() });
    });
    this.udp.push(socket);
    return this.udp.length - 1;
  }

  cmd(terminalId: string, cmd: RadioCmd | Record<string, unknown> | string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.aedes.publish(
        {
          cmd: 'publish',
          topic: `yihu/v1/terminals/${terminalId}/radio/cmd`,
          payload: Buffer.from(typeof cmd === 'string' ? cmd : JSON.stringify(cmd)),
          qos: 1,
          retain: false,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  media(terminalId: string, socketIndex = 0): Promise<void> {
    return this.cmd(terminalId, {
      type: 'media',
      host: '127.0.0.1',
      port: this.udp[socketIndex]!.address().port,
      codec: 'PCMA',
      payloadType: 8,
      clockRate: 8000,
    });
  }

  /** what one gateway published on one radio leaf (or status), parsed where JSON */
  from(clientId: string, leaf: 'join' | 'state' | 'events' | 'status'): { body: unknown; at: number }[] {
    const suffix = leaf === 'status' ? '/status' : `/radio/${leaf}`;
    return this.published
      .filter((p) => p.clientId === clientId && p.topic.endsWith(suffix))
      .map((p) => {
        let body: unknown = p.payload;
        try {
          body = JSON.parse(p.payload);
        } catch {
          // status is plain text
        }
        return { body, at: p.at };
      });
  }

  sendRaw(to: number, data: Buffer, socketIndex = 0): void {
    this.udp[socketIndex]!.send(data, to, '127.0.0.1');
  }

  /**
   * The hub's transmit audio as RTP PCMA, paced in real time (20 ms per packet, by the
   * clock). Resolves when sent; `stop()` on the handle ends it early.
   */
  stream(
    to: number,
    pcm: Int16Array,
    o: { ssrc?: number; payloadType?: number; socketIndex?: number; seq?: number } = {},
  ): { done: Promise<number>; stop(): void; sent: () => number } {
    const payloads = alawFrames(pcm);
    const ssrc = o.ssrc ?? 0x1234abcd;
    let i = 0;
    let timer: NodeJS.Timeout;
    const start = Date.now();
    let finish!: (n: number) => void;
    const done = new Promise<number>((r) => (finish = r));
    const step = () => {
      const due = Math.min(payloads.length, Math.floor((Date.now() - start) / 20) + 1);
      for (; i < due; i++) {
        const packet = buildRtp({
          payloadType: o.payloadType ?? 8,
          sequence: ((o.seq ?? 1000) + i) & 0xffff,
          timestamp: (i * 160) >>> 0,
          ssrc,
          marker: i === 0,
          payload: payloads[i]!,
        });
        this.udp[o.socketIndex ?? 0]!.send(packet, to, '127.0.0.1');
      }
      if (i >= payloads.length) stop();
    };
    const stop = () => {
      clearInterval(timer);
      this.streams.delete(stop);
      finish(i);
    };
    this.streams.add(stop);
    timer = setInterval(step, 20);
    step();
    return { done, stop, sent: () => i };
  }

  async close(): Promise<void> {
    for (const stop of [...this.streams]) stop();
    for (const s of this.udp) s.close();
    if (this.server.listening) await this.killBroker();
  }
}
