import { randomInt } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import type { RadioCmd, RadioEvent, RadioState } from '#contracts';
import { DtmfDetector, FRAME_SAMPLES } from '#radio';
import type { Backoff } from './backoff.js';
import type { RadioTiming } from './config.js';
import { DtmfCollector } from './dtmf-collector.js';
import type { RadioDrivers } from './drivers/index.js';
import { RadioLink, type LinkEvent } from './link.js';
import { MediaPath, type DropReason, type MediaStats } from './media.js';
import { Transmitter, type TransmitterStats, type UnkeyCause } from './transmitter.js';

export type RadioAgentEvent =
  | LinkEvent
  | { type: 'ptt'; on: boolean; cause?: UnkeyCause; transmissionId: string }
  | { type: 'key-refused'; transmissionId: string; reason: 'inhibited' | 'timed-out' | 'stale' }
  | { type: 'cor'; up: boolean }
  | { type: 'media'; host: string; port: number }
  | { type: 'sent-event'; event: RadioEvent }
  | { type: 'rtp-dropped'; since: Partial<Record<DropReason, number>> }
  | { type: 'driver-error'; message: string };

export interface RadioAgentOptions {
  url: string;
  id: string;
  secret: string;
  drivers: RadioDrivers;
  timing: RadioTiming;
  rtpPort?: number;
  ssrc?: number;
  mqtt5?: boolean;
  mqtt?: IClientOptions;
  backoff?: Backoff;
  event?(e: RadioAgentEvent): void;
  /** every 20 ms frame the radio received (tests and the simulator watch it) */
  onReceivedFrame?(frame: Int16Array): void;
  dtmfPauseMs?: number;
  dropReportEveryMs?: number;
}

export interface RadioAgentStats {
  media: MediaStats;
  tx: TransmitterStats;
  cmdRejected: number;
  events: number;
}

/** frames of received audio kept from before the carrier rose (VOX attack, COR lag) */
const PRE_COR_FRAMES = 3;
const STATE_MIN_INTERVAL_MS = 50;
/** one emergency per this long: a button that bounces is one alarm */
const EMERGENCY_HOLDOFF_MS = 2000;

/**
 * A RoIP gateway: a radio on one side, the hub on the other (docs: the agent's README).
 * MQTT carries control (`radio/cmd` in; `join`, `state`, `events` out); RTP over one UDP
 * socket carries the audio both ways.
 */
export class RadioAgent {
  readonly ssrc: number;
  private readonly link: RadioLink;
  private readonly media: MediaPath;
  private readonly tx: Transmitter;
  private readonly dtmf = new DtmfDetector();
  private readonly collector: DtmfCollector;
  private corRaw = false;
  private corSent = false;
  private inhibitRx = false;
  private pending = new Int16Array(0);
  private ring: Int16Array[] = [];
  private spurtStart = false;
  private lastEmergency = 0;
  private eventsSent = 0;
  private lastStateAt = 0;
  private stateTimer: NodeJS.Timeout | undefined;
  /** this connection's `radio/join` went out / the hub answered it (`media`): see onCmd's `key` */
  private joinSent = false;
  private joinAnswered = false;

  constructor(private readonly o: RadioAgentOptions) {
    this.ssrc = o.ssrc ?? randomInt(1, 2 ** 32 - 1);
    this.media = new MediaPath(
      this.ssrc,
      (p) => this.tx.rtp(p),
      (since) => this.emit({ type: 'rtp-dropped', since }),
      o.dropReportEveryMs,
    );
    this.tx = new Transmitter(o.drivers.ptt, o.drivers.audio, o.timing, (on, transmissionId, cause) => {
      this.emit({ type: 'ptt', on, cause, transmissionId });
      this.updateCor();
      this.publishState();
    });
    this.collector = new DtmfCollector(
      (digits) => this.sendEvent({ type: 'dtmf', digits, at: new Date().toISOString() }),
      o.dtmfPauseMs,
    );
    this.link = new RadioLink({
      url: o.url,
      id: o.id,
      secret: o.secret,
      mqtt5: o.mqtt5,
      mqtt: o.mqtt,
      backoff: o.backoff,
      join: () => {
        this.joinSent = true;
        return { codecs: ['PCMA'], ssrc: this.ssrc, at: new Date().toISOString() };
      },
      state: () => this.state(),
      onCmd: (cmd) => this.onCmd(cmd),
      onDown: () => this.tx.linkLost(),
      event: (e) => {
        // a new connection: what the broker kept for the session comes first (see onCmd)
        if (e.type === 'connected') this.joinSent = this.joinAnswered = false;
        this.emit(e);
      },
    });
  }

  get id(): string {
    return this.o.id;
  }

  get ptt(): boolean {
    return this.tx.on;
  }

  get cor(): boolean {
    return this.corSent;
  }

  get connected(): boolean {
    return this.link.connected;
  }

  get rtpPort(): number {
    return this.media.localPort;
  }

  get stats(): RadioAgentStats {
    return {
      media: this.media.stats,
      tx: this.tx.stats,
      cmdRejected: this.link.rejected,
      events: this.eventsSent,
    };
  }

  /** binds RTP, starts the drivers, connects; resolves once joined */
  async start(): Promise<void> {
    await this.media.bind(this.o.rtpPort ?? 0);
    const { audio, cor, emergency } = this.o.drivers;
    const driverError = (message: string) => this.emit({ type: 'driver-error', message });
    audio.start((pcm) => this.capture(pcm), driverError);
    cor.start((up) => this.setCor(up), driverError);
    emergency?.start(() => this.emergency(), driverError);
    await this.link.start();
  }

  /** a clean stop: unkey, say `offline`, let go of the radio */
  async stop(): Promise<void> {
    this.tx.stop();
    clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    this.lastStateAt = 0;
    this.publishState();
    this.collector.flush();
    await this.link.stop();
    this.media.close();
    const { audio, ptt, cor, emergency } = this.o.drivers;
    audio.stop();
    cor.stop();
    emergency?.stop();
    ptt.stop();
  }

  /** tests: the control link cut without a word */
  killLink(): void {
    this.link.kill();
  }

  /** the emergency input (a GPIO line, a console key) */
  emergency(): boolean {
    const now = Date.now();
    if (now - this.lastEmergency < EMERGENCY_HOLDOFF_MS) return false;
    this.lastEmergency = now;
    this.sendEvent({ type: 'emergency', at: new Date(now).toISOString() });
    return true;
  }

  private emit(e: RadioAgentEvent): void {
    this.o.event?.(e);
  }

  private state(): RadioState {
    return { cor: this.corSent, ptt: this.tx.on, at: new Date().toISOString() };
  }

  /**
   * At most one `radio/state` per STATE_MIN_INTERVAL_MS: a squelch line that chatters would
   * otherwise flood the hub. The last state always goes out (a timer sends it when due).
   */
  private publishState(): void {
    if (this.stateTimer) return;
    const wait = this.lastStateAt + STATE_MIN_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      this.lastStateAt = Date.now();
      this.link.publishState(this.state());
      return;
    }
    this.stateTimer = setTimeout(() => {
      this.stateTimer = undefined;
      this.publishState();
    }, wait);
  }

  private sendEvent(event: RadioEvent): void {
    this.eventsSent++;
    this.link.publishEvent(event);
    this.emit({ type: 'sent-event', event });
  }

  private onCmd(cmd: RadioCmd): void {
    switch (cmd.type) {
      case 'media':
        if (this.joinSent) this.joinAnswered = true;
        if (cmd.codec !== 'PCMA' || cmd.clockRate !== 8000) {
          this.emit({
            type: 'rejected',
            topic: this.link.topics.cmd,
            reason: `codec ${cmd.codec} not supported`,
          });
          return;
        }
        this.media
          .setTarget({ host: cmd.host, port: cmd.port, payloadType: cmd.payloadType })
          .then(() => {
            this.tx.resetStream();
            this.emit({ type: 'media', host: cmd.host, port: cmd.port });
          })
          .catch((err: Error) =>
            this.emit({ type: 'error', message: `media host ${cmd.host}: ${err.message}` }),
          );
        return;
      case 'key': {
        // Commands are QoS 1 on a persistent session: a `key` sent while the link was down
        // (or in flight when it broke) is delivered on reconnect, long after its transmission
        // ended, and its `unkey` may never come (the hub died) or come only after the radio
        // keyed up for nothing. The broker hands over what it kept right after CONNACK, before
        // the hub can have answered this connection's join with `media`: a `key` before that
        // answer is not obeyed (a transmission starting in that moment is missed here, never
        // keyed late). No clock involved: the gateway's drifts without NTP in an outage.
        if (!this.joinAnswered) {
          this.emit({ type: 'key-refused', transmissionId: cmd.transmissionId, reason: 'stale' });
          return;
        }
        const result = this.tx.key(cmd.transmissionId);
        if (result !== 'keyed')
          this.emit({ type: 'key-refused', transmissionId: cmd.transmissionId, reason: result });
        return;
      }
      case 'unkey':
        this.tx.unkey(cmd.transmissionId);
        return;
      case 'inhibit':
        this.tx.inhibit(cmd.tx);
        this.inhibitRx = cmd.rx;
        this.updateCor();
        return;
    }
  }

  private setCor(up: boolean): void {
    this.corRaw = up;
    this.updateCor();
  }

  /**
   * The carrier the hub sees: the radio's, unless receive is inhibited or we are
   * transmitting. Half duplex on purpose: a simplex radio hears nothing while it transmits,
   * and a VOX that picks up our own transmit audio (interface crosstalk) would send the
   * talkgroup back to itself.
   */
  private updateCor(): void {
    const effective = this.corRaw && !this.inhibitRx && !this.tx.on;
    if (effective === this.corSent) return;
    this.corSent = effective;
    this.emit({ type: 'cor', up: effective });
    if (effective) {
      // the frames just before the carrier rose carry the first syllable (VOX attack)
      this.spurtStart = true;
      for (const frame of this.ring) this.forward(frame);
      this.ring = [];
    }
    this.publishState();
  }

  private capture(pcm: Int16Array): void {
    // re-frame to 20 ms whatever the driver delivers
    const all = this.pending.length ? concat(this.pending, pcm) : pcm;
    let offset = 0;
    for (; offset + FRAME_SAMPLES <= all.length; offset += FRAME_SAMPLES) {
      this.frame(all.subarray(offset, offset + FRAME_SAMPLES));
    }
    this.pending = all.slice(offset);
  }

  private frame(frame: Int16Array): void {
    this.o.onReceivedFrame?.(frame);
    this.o.drivers.cor.audio?.(frame);
    if (!this.corSent) {
      this.ring.push(frame);
      if (this.ring.length > PRE_COR_FRAMES) this.ring.shift();
      return;
    }
    this.forward(frame);
  }

  private forward(frame: Int16Array): void {
    this.media.send(frame, this.spurtStart);
    this.spurtStart = false;
    for (const digit of this.dtmf.push(frame)) this.collector.push(digit);
  }
}

function concat(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
