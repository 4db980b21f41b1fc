import { connect, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { terminalTopics } from '#contracts';
import type { Arrival, SimulatedTerminal } from './simulator.js';

export interface WireSimulatorOptions {
  /** mqtt://host:port (plain TCP) */
  url: string;
  terminals: SimulatedTerminal[];
  /** 签收 in the same write as `received`; false: `received` only */
  acknowledge: boolean;
  /** CONNECTs in flight at once */
  connectConcurrency?: number;
}

const KEEPALIVE_S = 60;
const generate = (packet: Packet) => mqttPacket.generate(packet);
/** PUBACK is four bytes: built by hand, it is most of what a terminal writes */
const puback = (messageId: number) => Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);

/**
 * One terminal at the packet level: device protocol v1 (docs/device-protocol-v1.md) on a
 * bare socket. Its duties as the agent has them: clientId = username = id, a persistent
 * session, a retained `offline` Will, subscribe then say `online`, PUBACK every directive,
 * show each messageId once, ack `received` (and 签收) with QoS 1, and answer a duplicate
 * with its latest ack again. No reconnect and no resend: a dropped link fails the run.
 */
class WireTerminal {
  private socket: Socket | undefined;
  private nextId = 1;
  private readonly seen = new Map<string, 'received' | 'acknowledged'>();
  private readonly topics: ReturnType<typeof terminalTopics>;
  private ready: ((err?: Error) => void) | undefined;
  /** packets other than PUBLISH, handed to it one whole packet at a time (see onData) */
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  /** the start of a packet whose rest is still on its way */
  private partial: Buffer | undefined;
  private readonly ackTopic: Buffer;
  connected = false;

  constructor(
    readonly terminal: SimulatedTerminal,
    private readonly sim: WireSimulator,
  ) {
    this.topics = terminalTopics(terminal.id);
    this.ackTopic = Buffer.from(this.topics.acks);
  }

  start(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ready = (err) => (err ? reject(err) : resolve());
      const socket = connect({ host, port, noDelay: true });
      this.socket = socket;
      this.parser.on('packet', (packet: Packet) => this.onPacket(packet));
      this.parser.on('error', (err: Error) =>
        this.fail(new Error(`${this.terminal.id}: bad packet: ${err.message}`)),
      );
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', (err) => this.fail(err));
      socket.on('close', () => {
        this.connected = false;
        this.fail(new Error(`${this.terminal.id}: connection closed`));
      });
      socket.write(
        generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: false,
          clientId: this.terminal.id,
          username: this.terminal.id,
          password: Buffer.from(this.terminal.secret),
          keepalive: KEEPALIVE_S,
          will: { topic: this.topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
        }),
      );
    });
  }

  ping(): void {
    if (this.connected) this.socket?.write(generate({ cmd: 'pingreq' }));
  }

  /** says `offline` itself, then DISCONNECT (which sends no Will) */
  stop(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.resolve();
    this.ready = undefined;
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      if (this.connected) {
        socket.end(
          Buffer.concat([
            generate({
              cmd: 'publish',
              topic: this.topics.status,
              payload: Buffer.from('offline'),
              qos: 1,
              messageId: this.id(),
              retain: true,
              dup: false,
            }),
            generate({ cmd: 'disconnect' }),
          ]),
        );
      } else socket.destroy();
      setTimeout(() => socket.destroy(), 3000).unref();
    });
  }

  private fail(err: Error): void {
    const ready = this.ready;
    this.ready = undefined;
    if (ready) ready(err);
    else if (!this.sim.stopping) this.sim.linkLost(this.terminal.id, err);
  }

  private id(): number {
    const id = this.nextId;
    this.nextId = id === 0xffff ? 1 : id + 1;
    return id;
  }

  /**
   * Cuts the stream into whole MQTT packets. A PUBLISH (what a fan-out brings) is read
   * here by hand; any other packet goes to mqtt-packet's parser, whole. Its streaming
   * parser (a buffer list and an event per packet) was the largest share of this
   * simulator's CPU in a fan-out, on the two cores the hub under test needs.
   */
  private onData(chunk: Buffer): void {
    const buf = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let at = 0;
    while (buf.length - at >= 2) {
      // the remaining length: 1 to 4 bytes of 7 bits, low first [MQTT-2.2.3]
      let length = 0;
      let i = at + 1;
      for (let shift = 0; ; shift += 7, i++) {
        if (i >= buf.length) break;
        if (shift > 21) return this.fail(new Error(`${this.terminal.id}: bad packet length`));
        length += (buf[i]! & 0x7f) * 2 ** shift;
        if (!(buf[i]! & 0x80)) break;
      }
      if (i >= buf.length || i + 1 + length > buf.length) break;
      const end = i + 1 + length;
      if (buf[at]! >> 4 === 3) this.onPublishBytes(buf, at, i + 1, end);
      else this.parser.parse(buf.subarray(at, end));
      at = end;
    }
    if (at < buf.length) this.partial = buf.subarray(at);
  }

  /** PUBLISH [MQTT-3.3]: topic, packet id when QoS > 0, payload */
  private onPublishBytes(buf: Buffer, start: number, body: number, end: number): void {
    const qos = (buf[start]! >> 1) & 0x03;
    const topicLength = buf.readUInt16BE(body);
    const topic = buf.toString('utf8', body + 2, body + 2 + topicLength);
    let p = body + 2 + topicLength;
    let messageId: number | undefined;
    if (qos > 0) {
      messageId = buf.readUInt16BE(p);
      p += 2;
    }
    this.onPublish({ topic, qos, messageId, payload: buf.subarray(p, end) });
  }

  private onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case 'connack':
        if (packet.returnCode !== 0)
          return this.fail(new Error(`${this.terminal.id}: CONNACK return code ${packet.returnCode}`));
        this.connected = true;
        this.socket!.write(
          generate({
            cmd: 'subscribe',
            messageId: this.id(),
            subscriptions: [
              { topic: this.topics.notices, qos: 1 },
              { topic: this.topics.directives, qos: 1 },
            ],
          }),
        );
        return;
      case 'suback':
        // [protocol v1, device duty 1] subscribed first, then `online`: the hub replays on it
        if (packet.granted[1] === 0x80)
          return this.fail(new Error(`${this.terminal.id}: directives refused`));
        this.socket!.write(
          generate({
            cmd: 'publish',
            topic: this.topics.status,
            payload: Buffer.from('online'),
            qos: 1,
            messageId: this.id(),
            retain: true,
            dup: false,
          }),
        );
        return;
      case 'puback': {
        const ready = this.ready;
        this.ready = undefined;
        ready?.(); // the first PUBACK answers `online`
        return;
      }
      default:
        return;
    }
  }

  private onPublish(packet: { topic: string; qos: number; messageId?: number; payload: Buffer }): void {
    const parts: Buffer[] = [];
    if (packet.qos > 0) parts.push(puback(packet.messageId!));
    const topic =
      packet.topic === this.topics.directives
        ? 'directives'
        : packet.topic === this.topics.notices
          ? 'notices'
          : null;
    let message: { messageId?: unknown; directiveId?: unknown } | undefined;
    try {
      message = JSON.parse(packet.payload.toString('utf8')) as typeof message;
    } catch {
      message = undefined;
    }
    const messageId = message?.messageId;
    if (topic && typeof messageId === 'string') {
      const now = new Date().toISOString();
      const known = this.seen.get(messageId);
      if (known) parts.push(this.ack(messageId, known, now));
      else {
        const state = topic === 'directives' && this.sim.acknowledge ? 'acknowledged' : 'received';
        this.seen.set(messageId, state);
        parts.push(this.ack(messageId, 'received', now));
        if (state === 'acknowledged') parts.push(this.ack(messageId, 'acknowledged', now));
        this.sim.shown({
          terminalId: this.terminal.id,
          messageId,
          directiveId: String(message?.directiveId),
          topic,
          at: Date.now(),
        });
      }
    } else this.sim.rejected++;
    // one write, one segment: PUBACK and acks together, as mqtt.js sends them when corked
    this.socket!.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  /** an ack PUBLISH at QoS 1, built by hand (mqtt-packet's generate, twice a message, showed in the profile) */
  private ack(messageId: string, state: 'received' | 'acknowledged', at: string): Buffer {
    const payload = `{"messageId":${JSON.stringify(messageId)},"state":"${state}","at":"${at}"}`;
    const payloadBytes = Buffer.byteLength(payload);
    const remaining = 2 + this.ackTopic.length + 2 + payloadBytes;
    const lengthBytes: number[] = [];
    for (let n = remaining; ;) {
      const digit = n % 128;
      n = Math.floor(n / 128);
      lengthBytes.push(n > 0 ? digit | 0x80 : digit);
      if (n === 0) break;
    }
    const out = Buffer.allocUnsafe(1 + lengthBytes.length + remaining);
    let p = out.writeUInt8(0x32, 0); // PUBLISH, QoS 1
    for (const b of lengthBytes) p = out.writeUInt8(b, p);
    p = out.writeUInt16BE(this.ackTopic.length, p);
    p += this.ackTopic.copy(out, p);
    p = out.writeUInt16BE(this.id(), p);
    out.write(payload, p, 'utf8');
    return out;
  }
}

/**
 * N terminals in one process at the packet level, for benchmarks: the same protocol as
 * the agent-based Simulator, at a fraction of its CPU (the 10,000 mqtt.js clients of that
 * one took about 1.5 s of a core per fan-out, on the two cores the hub needs). A load
 * generator, not a device: tests of device behaviour use Simulator's full agents.
 */
export class WireSimulator {
  readonly arrivals: Arrival[] = [];
  /** every show() per terminal and messageId (more than one is a bug) */
  readonly shows = new Map<string, number>();
  /** PUBLISHes that were not a directive or notice with a messageId */
  rejected = 0;
  stopping = false;
  private readonly terminals: WireTerminal[] = [];
  private pinger: NodeJS.Timeout | undefined;
  private lost: Error | undefined;

  constructor(private readonly options: WireSimulatorOptions) {}

  get acknowledge(): boolean {
    return this.options.acknowledge;
  }

  async start(): Promise<void> {
    const url = new URL(this.options.url);
    if (url.protocol !== 'mqtt:') throw new Error(`WireSimulator speaks plain TCP only, not ${url.protocol}`);
    const host = url.hostname;
    const port = Number(url.port || 1883);
    const { terminals, connectConcurrency = 200 } = this.options;
    let next = 0;
    const worker = async () => {
      while (next < terminals.length) {
        const t = new WireTerminal(terminals[next++]!, this);
        this.terminals.push(t);
        await t.start(host, port);
      }
    };
    // pinging from the start: a broker slow to take 10,000 connections (a bare aedes scans
    // every retained status per SUBSCRIBE, ~2 min here) dropped the first ones for silence
    this.pinger = setInterval(() => this.terminals.forEach((t) => t.ping()), (KEEPALIVE_S / 2) * 1000);
    this.pinger.unref();
    await Promise.all(Array.from({ length: Math.min(connectConcurrency, terminals.length) }, worker));
    this.check();
  }

  shown(arrival: Arrival): void {
    const key = `${arrival.terminalId}/${arrival.messageId}`;
    this.shows.set(key, (this.shows.get(key) ?? 0) + 1);
    this.arrivals.push(arrival);
  }

  /** a link dropped mid-run: the run is void (there is no reconnect here) */
  linkLost(terminalId: string, err: Error): void {
    this.lost ??= new Error(`terminal ${terminalId} lost its link: ${err.message}`);
  }

  /** throws if any link dropped since start */
  check(): void {
    if (this.lost) throw this.lost;
  }

  connectedCount(): number {
    return this.terminals.filter((t) => t.connected).length;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pinger);
    await Promise.all(this.terminals.map((t) => t.stop()));
  }
}
