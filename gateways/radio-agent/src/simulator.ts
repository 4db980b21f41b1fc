import { dtmfTone, silence, concat, ToneDetector, FRAME_SAMPLES } from '#radio';
import { RadioAgent, type RadioAgentEvent, type RadioAgentStats } from './agent.js';
import { Backoff } from './backoff.js';
import { DEFAULT_TIMING, type RadioTiming } from './config.js';
import { MemoryAudio, MemoryCor, MemoryPtt } from './drivers/index.js';
import type { Heard } from './drivers/memory.js';

export interface SimulatedGateway {
  id: string;
  secret: string;
}

export interface VirtualGatewayOptions {
  url: string;
  gateway: SimulatedGateway;
  timing?: Partial<RadioTiming>;
  event?(e: RadioAgentEvent): void;
  dtmfPauseMs?: number;
  dropReportEveryMs?: number;
}

/**
 * One simulated gateway: the real RadioAgent (same MQTT, RTP, PTT and safety code) with
 * memory drivers in place of the sound card and the PTT/COR lines. For tests and benchmarks:
 * `transmit()` is a radio user talking (COR up, audio in real time, COR down); `heard` is
 * what the radio transmitted, with the time a sound card would have played it.
 */
export class VirtualGateway {
  readonly agent: RadioAgent;
  readonly audio = new MemoryAudio();
  readonly pttLine = new MemoryPtt();
  readonly corLine = new MemoryCor();
  readonly events: RadioAgentEvent[] = [];

  constructor(o: VirtualGatewayOptions) {
    this.agent = new RadioAgent({
      url: o.url,
      id: o.gateway.id,
      secret: o.gateway.secret,
      drivers: { audio: this.audio, ptt: this.pttLine, cor: this.corLine },
      timing: { ...DEFAULT_TIMING, ...o.timing },
      // a simulated county coming back after a broker restart: quick, still jittered
      backoff: new Backoff(200, 2000),
      dtmfPauseMs: o.dtmfPauseMs,
      dropReportEveryMs: o.dropReportEveryMs,
      event: (e) => {
        this.events.push(e);
        if (this.events.length > 1000) this.events.splice(0, 500);
        o.event?.(e);
      },
    });
  }

  get id(): string {
    return this.agent.id;
  }

  start(): Promise<void> {
    return this.agent.start();
  }

  stop(): Promise<void> {
    return this.agent.stop();
  }

  /** PTT now and every change with its time */
  get keyed(): { on: boolean; history: { on: boolean; at: number }[] } {
    return { on: this.pttLine.on, history: this.pttLine.history };
  }

  /** the UDP port the hub sends transmit audio to */
  get rtpPort(): number {
    return this.agent.rtpPort;
  }

  get heard(): Heard[] {
    return this.audio.heard;
  }

  get stats(): RadioAgentStats {
    return this.agent.stats;
  }

  /** a radio user talks: carrier up, `pcm` fed in 20 ms frames at real time, carrier down */
  async transmit(pcm: Int16Array): Promise<void> {
    this.corLine.set(true);
    const start = Date.now();
    let offset = 0;
    await new Promise<void>((resolve) => {
      const step = () => {
        // the clock paces, not the timer count: a late tick sends what is due
        const due = Math.min(pcm.length, Math.floor((Date.now() - start) / 20 + 1) * FRAME_SAMPLES);
        if (due > offset) this.audio.capture(pcm.slice(offset, due));
        offset = due;
        if (offset >= pcm.length) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(step, 20);
      step();
    });
    this.corLine.set(false);
  }

  /** DTMF keyed on the radio, as received audio (100 ms on, 100 ms off per digit) */
  keyDtmf(digits: string): Promise<void> {
    return this.transmit(concat([silence(60), dtmfTone(digits), silence(60)]));
  }

  emergency(): boolean {
    return this.agent.emergency();
  }

  /**
   * When `freqHz` is first heard (played to the radio) at or after `since`: resolves with
   * that Date.now() time; the onset is found by the Goertzel ToneDetector in the audio
   * itself, so the pre-roll and jitter buffer delays are in it.
   */
  whenHeard(freqHz: number, since = 0, timeoutMs = 10_000): Promise<number> {
    const detector = new ToneDetector({ freqHz });
    let fedMs = 0;
    const check = (h: Heard): number | null => {
      if (h.at + (h.pcm.length / 8000) * 1000 < since) return null;
      const before = fedMs;
      detector.push(h.pcm);
      fedMs += (h.pcm.length / 8000) * 1000;
      const onset = detector.onsetMs;
      return onset === null ? null : h.at + Math.max(0, onset - before);
    };
    for (const h of this.audio.heard) {
      const t = check(h);
      if (t !== null) return Promise.resolve(t);
    }
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new Error(`${freqHz} Hz not heard within ${timeoutMs} ms`));
      }, timeoutMs);
      this.audio.onPlay((h) => {
        if (done) return;
        const t = check(h);
        if (t === null) return;
        done = true;
        clearTimeout(timer);
        resolve(t);
      });
    });
  }
}

/** N virtual gateways in one process */
export class RadioSimulator {
  readonly gateways: VirtualGateway[] = [];

  constructor(
    private readonly options: Omit<VirtualGatewayOptions, 'gateway'> & { gateways: SimulatedGateway[] },
  ) {}

  async start(concurrency = 50): Promise<void> {
    const list = this.options.gateways;
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const gw = new VirtualGateway({ ...this.options, gateway: list[next++]! });
        this.gateways.push(gw);
        await gw.start();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
  }

  async stop(): Promise<void> {
    await Promise.all(this.gateways.map((g) => g.stop()));
  }
}
