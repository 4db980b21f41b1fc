import { alawDecode, JitterBuffer, type RtpPacket } from '#radio';
import type { RadioTiming } from './config.js';
import type { AudioDriver, PttDriver } from './drivers/types.js';

/** why the transmitter let go: the hub said so, or one of the agent's own safeties */
export type UnkeyCause = 'ended' | 'timeout' | 'link-lost' | 'audio-lost' | 'inhibited' | 'shutdown';

export interface TransmitterStats {
  keys: number;
  refused: number;
  unkeys: Record<UnkeyCause, number>;
  framesPlayed: number;
  /** RTP that came while not keyed and too long before a key to be pre-roll */
  notKeyed: number;
  /** the jitter buffer refused it (late, duplicate, full) */
  jitterDropped: number;
  /** the pre-roll was full (a key-up far longer than the buffer) */
  prerollDropped: number;
}

const FRAME_MS = 20;
/** RTP that overtook its `key` (UDP can beat MQTT through the broker) is kept this long */
const PRE_KEY_WINDOW_MS = 300;

/**
 * The transmit side: PTT, the key-up delay, the pre-roll, the jitter buffer and the
 * safeties, all on the agent's own clock so they hold when the hub is gone (kill -9):
 * - `key` asserts PTT at once; audio arriving in the first TX_DELAY is held (pre-roll) and
 *   played when the radio is up, so no word is clipped (talkkonnect issue 145).
 * - `unkey` lets the buffered audio play out, bounded by drainMaxMs.
 * - TOT, a lost control link, or no RTP for audioLossMs unkey at once (talkkonnect issue
 *   92: a broken TOT left a relay stuck on air).
 * A transmission that hit TOT is not keyed again under the same transmissionId.
 */
export class Transmitter {
  readonly stats: TransmitterStats = {
    keys: 0,
    refused: 0,
    unkeys: { ended: 0, timeout: 0, 'link-lost': 0, 'audio-lost': 0, inhibited: 0, shutdown: 0 },
    framesPlayed: 0,
    notKeyed: 0,
    jitterDropped: 0,
    prerollDropped: 0,
  };
  private keyed: {
    transmissionId: string;
    keyedAt: number;
    airAt: number;
    lastRtpAt: number;
    drainUntil: number | null;
  } | null = null;
  private readonly jitter: JitterBuffer;
  private preroll: Int16Array[] = [];
  private readonly prerollMax: number;
  private recent: { packet: RtpPacket; at: number }[] = [];
  private ssrc: number | undefined;
  private playedUntil = 0;
  private nextFrameAt = 0;
  private ticker: NodeJS.Timeout | undefined;
  private tot: NodeJS.Timeout | undefined;
  private timedOutId: string | undefined;
  private inhibitedTx = false;

  constructor(
    private readonly ptt: PttDriver,
    private readonly audio: AudioDriver,
    private readonly timing: RadioTiming,
    private readonly onPtt: (on: boolean, transmissionId: string, cause?: UnkeyCause) => void,
  ) {
    this.jitter = new JitterBuffer({ targetMs: timing.jitterMs, maxMs: 600, frameMs: FRAME_MS });
    this.prerollMax = Math.ceil((timing.txDelayMs + 600) / FRAME_MS) + 5;
  }

  get on(): boolean {
    return !!this.keyed;
  }

  get transmissionId(): string | undefined {
    return this.keyed?.transmissionId;
  }

  /** refused when transmit is inhibited, or this transmission already hit TOT */
  key(transmissionId: string): 'keyed' | 'inhibited' | 'timed-out' {
    if (this.inhibitedTx || transmissionId === this.timedOutId) {
      this.stats.refused++;
      return this.inhibitedTx ? 'inhibited' : 'timed-out';
    }
    const now = Date.now();
    if (this.keyed) {
      // the same transmission again (a QoS 1 duplicate) or the next talker on the same key:
      // stay on air; TOT keeps counting from the first key-up (continuous PTT time)
      this.keyed.transmissionId = transmissionId;
      this.keyed.drainUntil = null;
      return 'keyed';
    }
    this.stats.keys++;
    this.ptt.set(true);
    this.keyed = {
      transmissionId,
      keyedAt: now,
      airAt: now + this.timing.txDelayMs,
      lastRtpAt: now,
      drainUntil: null,
    };
    this.nextFrameAt = now;
    for (const r of this.recent) if (now - r.at <= PRE_KEY_WINDOW_MS) this.accept(r.packet, now);
    this.recent = [];
    this.tot = setTimeout(() => this.release('timeout'), this.timing.totMs);
    this.ticker = setInterval(() => this.tick(), 10);
    this.onPtt(true, transmissionId);
    return 'keyed';
  }

  /** the hub's `unkey`: play out what is buffered, then release (bounded) */
  unkey(transmissionId: string): void {
    if (!this.keyed || this.keyed.transmissionId !== transmissionId) return;
    const now = Date.now();
    this.keyed.drainUntil = Math.max(now, this.keyed.airAt) + this.timing.drainMaxMs;
    this.tick();
  }

  inhibit(tx: boolean): void {
    this.inhibitedTx = tx;
    if (tx && this.keyed) this.release('inhibited');
  }

  /** the control link is gone: nobody can unkey us any more */
  linkLost(): void {
    this.recent = [];
    if (this.keyed) this.release('link-lost');
  }

  /** a new media stream (new port, new SSRC): its sequence numbers start afresh */
  resetStream(): void {
    this.jitter.reset();
    this.ssrc = undefined;
    this.recent = [];
  }

  rtp(packet: RtpPacket): void {
    const now = Date.now();
    if (!this.keyed) {
      this.stats.notKeyed++;
      this.recent = this.recent.filter((r) => now - r.at <= PRE_KEY_WINDOW_MS).slice(-20);
      this.recent.push({ packet, at: now });
      return;
    }
    this.keyed.lastRtpAt = now;
    this.accept(packet, now);
  }

  stop(): void {
    if (this.keyed) this.release('shutdown');
  }

  private accept(packet: RtpPacket, now: number): void {
    if (packet.ssrc !== this.ssrc) {
      this.jitter.reset();
      this.ssrc = packet.ssrc;
    }
    if (!this.jitter.push(packet, now)) this.stats.jitterDropped++;
  }

  private tick(): void {
    const k = this.keyed;
    if (!k) return;
    const now = Date.now();
    if (k.drainUntil === null && now - k.lastRtpAt > this.timing.audioLossMs)
      return this.release('audio-lost');
    // an event loop that stalled does not replay a second of frames in a burst
    if (now - this.nextFrameAt > 200) this.nextFrameAt = now - FRAME_MS;
    while (this.nextFrameAt <= now) {
      const payload = this.jitter.pop(this.nextFrameAt);
      this.nextFrameAt += FRAME_MS;
      if (!payload) continue;
      const pcm = alawDecode(payload);
      if (this.preroll.length >= this.prerollMax) {
        this.preroll.shift();
        this.stats.prerollDropped++;
      }
      this.preroll.push(pcm);
    }
    if (now >= k.airAt) {
      for (const pcm of this.preroll) this.play(pcm, now);
      this.preroll = [];
    }
    if (k.drainUntil !== null) {
      const drained = this.jitter.depth === 0 && this.preroll.length === 0 && now >= this.playedUntil;
      if ((drained && now >= k.airAt) || now >= k.drainUntil) this.release('ended');
    }
  }

  private play(pcm: Int16Array, now: number): void {
    this.audio.play(pcm);
    this.stats.framesPlayed++;
    this.playedUntil = Math.max(now, this.playedUntil) + (pcm.length / 8000) * 1000;
  }

  private release(cause: UnkeyCause): void {
    const k = this.keyed;
    if (!k) return;
    if (cause === 'timeout') this.timedOutId = k.transmissionId;
    this.keyed = null;
    clearTimeout(this.tot);
    clearInterval(this.ticker);
    this.ptt.set(false);
    this.jitter.reset();
    this.preroll = [];
    this.ssrc = undefined;
    this.stats.unkeys[cause]++;
    this.onPtt(false, k.transmissionId, cause);
  }
}
