import { spawn, type ChildProcess } from 'node:child_process';
import type { ComponentHealth } from '#contracts';
import { resampleYielding } from './resample.js';

/** the radio path's rate: speech comes out as 8 kHz mono 16-bit PCM */
export const SPEECH_RATE = 8000;

/**
 * Text to speech for the radio. One implementation per engine (espeak-ng now; a better
 * Mandarin voice can replace it behind this class without touching the callers).
 */
export abstract class SpeechEngine {
  /** 8 kHz mono PCM; rejects with SpeechUnavailableError when the engine cannot speak */
  abstract synthesize(text: string): Promise<Int16Array>;
  abstract health(): ComponentHealth;
}

/** the engine cannot speak this (missing, failed, timed out, too busy, too long): the reason is for people */
export class SpeechUnavailableError extends Error {}

export interface EspeakOptions {
  command: string;
  voice: string;
  /** words per minute */
  rate: number;
  concurrency: number;
  queue: number;
  timeoutMs: number;
  maxChars: number;
}

/** espeak-ng writes at most this much for the longest text (1500 characters ≈ 10 min at 22 kHz) */
const MAX_WAV_BYTES = 32 * 1024 * 1024;

/**
 * espeak-ng (`-v cmn`): text on stdin (never an argument, so it cannot become an option),
 * a WAV at 22050 Hz on stdout, resampled here to 8 kHz. Bounded: text length, processes at
 * once and waiting, output size, time per synthesis; every child is killed on shutdown.
 */
export class EspeakSpeechEngine extends SpeechEngine {
  private readonly children = new Set<ChildProcess>();
  private running = 0;
  private readonly waiting: { go: () => void; refuse: (err: Error) => void }[] = [];
  private unavailable: string | null = null;
  private warmMs: number | null = null;
  private closed = false;

  constructor(private readonly o: EspeakOptions) {
    super();
  }

  /**
   * Checks the program runs and warms it: the first call after boot took ~20 s here (the
   * voice's dictionary paged in), which would delay the first directive on air.
   */
  async start(): Promise<void> {
    const t0 = performance.now();
    try {
      await this.synthesize('预热');
      this.warmMs = Math.round(performance.now() - t0);
      this.unavailable = null;
    } catch (err) {
      this.unavailable = `speech engine ${this.o.command} (voice ${this.o.voice}) does not work: ${(err as Error).message}`;
    }
  }

  health(): ComponentHealth {
    return this.unavailable
      ? { status: 'degraded', driver: 'espeak-ng', error: this.unavailable }
      : {
          status: 'up',
          driver: 'espeak-ng',
          detail: { voice: this.o.voice, rate: this.o.rate, running: this.running, warmMs: this.warmMs },
        };
  }

  async synthesize(text: string): Promise<Int16Array> {
    if (this.closed) throw new SpeechUnavailableError('the speech engine is shut down');
    const chars = [...text.trim()].length;
    if (chars === 0) throw new SpeechUnavailableError('nothing to say');
    if (chars > this.o.maxChars)
      throw new SpeechUnavailableError(`text too long to speak (${chars} > ${this.o.maxChars} characters)`);
    await this.slot();
    try {
      const wav = await this.run(text);
      const { rate, samples } = parseWav(wav);
      return await resampleYielding(samples, rate, SPEECH_RATE, { cutoffHz: 3600 });
    } finally {
      // the slot passes straight to the next in line, so nobody overtakes the queue
      const next = this.waiting.shift();
      if (next) next.go();
      else this.running -= 1;
    }
  }

  /** kills what runs and refuses what waits */
  close(): void {
    this.closed = true;
    for (const child of this.children) child.kill('SIGKILL');
    for (const w of this.waiting.splice(0))
      w.refuse(new SpeechUnavailableError('the speech engine is shut down'));
  }

  private async slot(): Promise<void> {
    if (this.running < this.o.concurrency) {
      this.running += 1;
      return;
    }
    if (this.waiting.length >= this.o.queue)
      throw new SpeechUnavailableError(`speech engine busy (${this.waiting.length} waiting)`);
    await new Promise<void>((go, refuse) => this.waiting.push({ go, refuse }));
  }

  private run(text: string): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const fail = (reason: string) => reject(new SpeechUnavailableError(reason));
      // closed while this one waited for its slot: start nothing that nobody would kill
      if (this.closed) return fail('the speech engine is shut down');
      let child: ChildProcess;
      try {
        child = spawn(
          this.o.command,
          ['-v', this.o.voice, '-s', String(this.o.rate), '--stdin', '--stdout'],
          { stdio: ['pipe', 'pipe', 'pipe'] },
        );
      } catch (err) {
        fail(`cannot start ${this.o.command}: ${(err as Error).message}`);
        return;
      }
      this.children.add(child);
      const out: Buffer[] = [];
      let bytes = 0;
      let stderr = '';
      let over: string | null = null;
      const timer = setTimeout(() => {
        over = `no speech within ${this.o.timeoutMs} ms`;
        child.kill('SIGKILL');
      }, this.o.timeoutMs);
      child.stdout!.on('data', (d: Buffer) => {
        bytes += d.length;
        if (bytes > MAX_WAV_BYTES) {
          over = 'speech output too large';
          child.kill('SIGKILL');
          return;
        }
        out.push(d);
      });
      child.stderr!.on('data', (d: Buffer) => {
        if (stderr.length < 2000) stderr += d.toString();
      });
      child.stdin!.on('error', () => undefined); // a child that died early: its exit says why
      child.on('error', (err) => {
        clearTimeout(timer);
        this.children.delete(child);
        fail(`cannot run ${this.o.command}: ${err.message}`);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.children.delete(child);
        if (over) fail(over);
        else if (this.closed && signal) fail('the speech engine is shut down');
        else if (code !== 0)
          fail(`${this.o.command} exited ${code ?? signal}: ${stderr.trim().slice(0, 200)}`);
        else resolve(Buffer.concat(out));
      });
      child.stdin!.end(text);
    });
  }
}

/**
 * A PCM16 mono WAV as espeak-ng streams it: the header's sizes are placeholders
 * (0x7ffff000), so the data runs to the end of what was written.
 */
export function parseWav(buf: Buffer): { rate: number; samples: Int16Array } {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    throw new SpeechUnavailableError('speech engine output is not a WAV');
  let pos = 12;
  let rate = 0;
  let channels = 0;
  let bits = 0;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ' && body + 16 <= buf.length) {
      const format = buf.readUInt16LE(body);
      channels = buf.readUInt16LE(body + 2);
      rate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
      if (format !== 1 || channels !== 1 || bits !== 16)
        throw new SpeechUnavailableError(`speech engine output is not 16-bit mono PCM (format ${format})`);
    } else if (id === 'data') {
      if (!rate) throw new SpeechUnavailableError('speech engine WAV has data before its format');
      const end = Math.min(buf.length, body + size);
      const n = Math.floor((end - body) / 2);
      const samples = new Int16Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(body + 2 * i);
      return { rate, samples };
    }
    pos = body + size + (size & 1);
  }
  throw new SpeechUnavailableError('speech engine WAV has no data');
}
