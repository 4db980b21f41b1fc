import { blockPower, goertzelPower } from './goertzel.js';
import { concat, SAMPLE_RATE, silence } from './tones.js';

const ROWS = [697, 770, 852, 941];
const COLS = [1209, 1336, 1477, 1633];
const KEYS = ['123A', '456B', '789C', '*0#D'];

/**
 * Detection rules (ITU-T Q.24 ranges, the thresholds spandsp and most decoders use):
 * - each of the two tones above ~−40 dB of a full-scale sine;
 * - twist: the two within 8 dB of each other;
 * - each the clear peak of its group (6 dB over the next row / column);
 * - the pair carries most of the block's energy, which is what keeps speech, whose energy
 *   spreads over many harmonics, from reading as a digit.
 */
const MIN_TONE_POWER = 1e-4;
const MAX_TWIST_DB = 8;
const MIN_DOMINANCE_DB = 6;
const MIN_PAIR_SHARE = 0.85;

const db = (a: number, b: number) => 10 * Math.log10(a / b);

/** 102 samples at 8 kHz (12.75 ms): rows 73 Hz apart still resolve, and a 40 ms tone holds two whole blocks */
const BLOCK_SECONDS = 102 / 8000;

function peak(powers: number[]): { index: number; power: number; next: number } {
  let index = 0;
  for (let i = 1; i < powers.length; i++) if (powers[i]! > powers[index]!) index = i;
  const next = Math.max(...powers.filter((_, i) => i !== index));
  return { index, power: powers[index]!, next };
}

/** Goertzel DTMF decoder: 0-9 * # A-D */
export class DtmfDetector {
  private readonly rate: number;
  private readonly block: Int16Array;
  private filled = 0;
  /** the previous block's reading ('' for none): a key changes state only when two agree */
  private lastHit = '';
  private current = '';

  constructor(rate = SAMPLE_RATE) {
    if (!Number.isInteger(rate) || rate < 4000)
      throw new RangeError(`DTMF needs a sample rate ≥ 4000 Hz: ${rate}`);
    this.rate = rate;
    this.block = new Int16Array(Math.round(BLOCK_SECONDS * rate));
  }

  /**
   * Feed any-size PCM chunks; returns the digits completed in this chunk, each once per key
   * press: two blocks agreeing turn a key on (≥ 25.5 ms, so a 40 ms tone always counts) and
   * two silent blocks turn it off (a 40 ms pause always separates repeats).
   */
  push(samples: Int16Array): string[] {
    const digits: string[] = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(this.block.length - this.filled, samples.length - at);
      this.block.set(samples.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled < this.block.length) break;
      this.filled = 0;
      const hit = this.classify();
      if (hit === this.lastHit && hit !== this.current) {
        this.current = hit;
        if (hit) digits.push(hit);
      }
      this.lastHit = hit;
    }
    return digits;
  }

  private classify(): string {
    const rows = ROWS.map((f) => goertzelPower(this.block, f, this.rate));
    const cols = COLS.map((f) => goertzelPower(this.block, f, this.rate));
    const row = peak(rows);
    const col = peak(cols);
    if (row.power < MIN_TONE_POWER || col.power < MIN_TONE_POWER) return '';
    if (Math.abs(db(row.power, col.power)) > MAX_TWIST_DB) return '';
    if (db(row.power, row.next) < MIN_DOMINANCE_DB || db(col.power, col.next) < MIN_DOMINANCE_DB) return '';
    if (row.power + col.power < MIN_PAIR_SHARE * blockPower(this.block)) return '';
    return KEYS[row.index]![col.index]!;
  }
}

const KEY_FREQS = new Map<string, [number, number]>(
  KEYS.flatMap((keys, r) => [...keys].map((k, c): [string, [number, number]] => [k, [ROWS[r]!, COLS[c]!]])),
);

/** the digits as tones, each followed by its pause; amplitude is the pair's peak (0..1, default 0.5) */
export function dtmfTone(
  digits: string,
  o: { rate?: number; onMs?: number; offMs?: number; amplitude?: number } = {},
): Int16Array {
  const rate = o.rate ?? SAMPLE_RATE;
  const onMs = o.onMs ?? 100;
  const offMs = o.offMs ?? 100;
  const a = (Math.max(0, Math.min(1, o.amplitude ?? 0.5)) * 32767) / 2;
  const parts: Int16Array[] = [];
  for (const d of digits) {
    const pair = KEY_FREQS.get(d);
    if (!pair) throw new RangeError(`not a DTMF digit: ${JSON.stringify(d)}`);
    const tone = silence(onMs, rate);
    const [lo, hi] = pair.map((f) => (2 * Math.PI * f) / rate) as [number, number];
    for (let i = 0; i < tone.length; i++) tone[i] = Math.round(a * (Math.sin(lo * i) + Math.sin(hi * i)));
    parts.push(tone, silence(offMs, rate));
  }
  return concat(parts);
}
