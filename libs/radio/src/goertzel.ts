import { SAMPLE_RATE } from './tones.js';

/**
 * Power of one frequency in a block, normalized to 0..1 of a full-scale sine: a sine of
 * amplitude a (0..1) at exactly freqHz reads about a². The frequency need not fall on a DFT
 * bin (the generalized Goertzel recurrence).
 */
export function goertzelPower(samples: Int16Array, freqHz: number, rate = SAMPLE_RATE): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  const fullScale = (32767 * n) / 2;
  return Math.min(1, Math.max(0, power / (fullScale * fullScale)));
}

/** Σx² of a block on the same scale as goertzelPower: a pure sine's whole energy reads its power */
export function blockPower(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return (2 * sum) / (samples.length * 32767 * 32767);
}

/**
 * Streaming tone detector: feed frames; reports the onset time (ms since the first sample
 * fed) of `freqHz` when its power stays above `threshold` for `minMs`. A block counts only
 * when the tone also carries most of the block's energy, so noise or speech loud enough to
 * leak into the bin does not pass. The onset is refined below a block from the partial
 * power of the block where the tone began (a tone filling a fraction r of a block reads r²
 * of its power), which puts it within a couple of ms instead of a block.
 */
export class ToneDetector {
  private readonly freqHz: number;
  private readonly rate: number;
  private readonly block: Int16Array;
  private readonly threshold: number;
  private readonly minBlocks: number;
  private filled = 0;
  private blocksDone = 0;
  private previousPower = 0;
  private run = 0;
  private runStartMs = 0;
  private beforeRunPower = 0;
  private firstPower = 0;
  private onset: number | null = null;
  private isPresent = false;

  /** the share of a block's energy the tone must carry (a pure tone: 1, white noise: 2/N) */
  static readonly PURITY = 0.5;

  constructor(o: { freqHz: number; rate?: number; blockMs?: number; threshold?: number; minMs?: number }) {
    this.freqHz = o.freqHz;
    this.rate = o.rate ?? SAMPLE_RATE;
    const blockMs = o.blockMs ?? 10;
    const size = Math.round((blockMs * this.rate) / 1000);
    if (!(size >= 8) || !(o.freqHz > 0 && o.freqHz < this.rate / 2)) {
      throw new RangeError(`tone detector: bad block (${blockMs} ms) or frequency (${o.freqHz} Hz)`);
    }
    this.block = new Int16Array(size);
    // -30 dB under a full-scale sine: a tone at amplitude 0.03 still counts
    this.threshold = o.threshold ?? 0.001;
    this.minBlocks = Math.max(1, Math.ceil((o.minMs ?? 20) / blockMs));
  }

  get onsetMs(): number | null {
    return this.onset;
  }

  get present(): boolean {
    return this.isPresent;
  }

  push(samples: Int16Array): void {
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(this.block.length - this.filled, samples.length - at);
      this.block.set(samples.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.block.length) {
        this.onBlock();
        this.filled = 0;
      }
    }
  }

  reset(): void {
    this.filled = 0;
    this.blocksDone = 0;
    this.previousPower = 0;
    this.run = 0;
    this.onset = null;
    this.isPresent = false;
  }

  private onBlock(): void {
    const startMs = (this.blocksDone * this.block.length * 1000) / this.rate;
    this.blocksDone++;
    const power = goertzelPower(this.block, this.freqHz, this.rate);
    const hit = power >= this.threshold && power >= ToneDetector.PURITY * blockPower(this.block);
    if (!hit) {
      this.run = 0;
      this.isPresent = false;
      this.previousPower = power;
      return;
    }
    if (this.run === 0) {
      this.runStartMs = startMs;
      this.beforeRunPower = this.previousPower;
      this.firstPower = power;
    }
    this.run++;
    this.previousPower = power;
    if (this.run >= this.minBlocks && !this.isPresent) {
      this.isPresent = true;
      // the tone began in the block before the run (partial there) or inside its first
      // block (partial there): each partial block's share of the full power places it
      const d = (this.block.length * 1000) / this.rate;
      const share = (p: number) => Math.min(1, Math.sqrt(p / power));
      this.onset ??= Math.max(
        0,
        this.runStartMs - share(this.beforeRunPower) * d + (1 - share(this.firstPower)) * d,
      );
    }
  }
}
