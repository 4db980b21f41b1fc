/**
 * Sample-rate conversion for speech going on air (espeak-ng writes 22050 Hz; the radio
 * path is 8 kHz A-law). A windowed-sinc low-pass at `cutoffHz` (below the output's
 * Nyquist, so nothing above 4 kHz folds back into the voice band as a hiss), evaluated at
 * each output instant from a polyphase table: 22050 → 8000 is 441/160, so 160 distinct
 * fractional positions, each with its precomputed taps (computing the sinc per tap took
 * 22 s for 9 s of speech here; the table, milliseconds).
 */
export function resample(
  input: Int16Array,
  fromRate: number,
  toRate: number,
  o: ResampleOptions = {},
): Int16Array {
  const r = resampler(input, fromRate, toRate, o);
  r.run(0, r.out.length);
  return r.out;
}

/**
 * The same, a slice at a time with a turn of the event loop between: the process that
 * resamples also paces RTP every 20 ms, and 40 s of speech is ~0.5 s of arithmetic here.
 */
export async function resampleYielding(
  input: Int16Array,
  fromRate: number,
  toRate: number,
  o: ResampleOptions = {},
): Promise<Int16Array> {
  const r = resampler(input, fromRate, toRate, o);
  for (let n = 0; n < r.out.length; n += SLICE) {
    r.run(n, Math.min(r.out.length, n + SLICE));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return r.out;
}

export interface ResampleOptions {
  cutoffHz?: number;
  halfTaps?: number;
}

/** output samples per slice: 0.25 s at 8 kHz, a few ms of work */
const SLICE = 2000;

function resampler(
  input: Int16Array,
  fromRate: number,
  toRate: number,
  o: ResampleOptions,
): { out: Int16Array; run(from: number, to: number): void } {
  if (!(Number.isInteger(fromRate) && Number.isInteger(toRate) && fromRate > 0 && toRate > 0))
    throw new Error('sample rates must be positive whole numbers of Hz');
  if (fromRate === toRate) {
    const out = input.slice();
    return { out, run: () => undefined };
  }
  const cutoff = Math.min(o.cutoffHz ?? 0.45 * Math.min(fromRate, toRate), 0.5 * Math.min(fromRate, toRate));
  const fc = cutoff / fromRate; // cycles per input sample
  // the window spans the same time whatever the ratio: halfTaps zero crossings of the sinc
  const half = Math.ceil((o.halfTaps ?? 16) / (2 * fc));
  const taps = 2 * half;
  const g = gcd(fromRate, toRate);
  const up = fromRate / g; // output n sits at input position n·up/phases
  // more distinct positions than this are rounded to the nearest of MAX_PHASES (< 0.05 % of a sample)
  const phases = Math.min(toRate / g, MAX_PHASES);
  const exact = phases === toRate / g;
  const table = new Float64Array(phases * taps);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let norm = 0;
    for (let j = 0; j < taps; j++) {
      const x = frac + half - 1 - j; // t − k for k = center − half + 1 + j
      const w = 0.5 + 0.5 * Math.cos((Math.PI * x) / half); // Hann
      const arg = 2 * fc * x;
      const h = (arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg)) * w;
      table[p * taps + j] = h;
      norm += h;
    }
    // unity gain for a constant at every position
    for (let j = 0; j < taps; j++) table[p * taps + j] /= norm;
  }
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  const step = fromRate / toRate;
  const run = (from: number, to: number) => {
    for (let n = from; n < to; n++) {
      let center: number;
      let phase: number;
      if (exact) {
        const pos = n * up; // in units of 1/phases of an input sample
        center = Math.floor(pos / phases);
        phase = pos - center * phases;
      } else {
        const t = n * step;
        center = Math.floor(t);
        phase = Math.min(phases - 1, Math.round((t - center) * phases));
      }
      const base = phase * taps;
      const first = center - half + 1;
      let acc = 0;
      const jFrom = Math.max(0, -first);
      const jTo = Math.min(taps, input.length - first);
      for (let j = jFrom; j < jTo; j++) acc += input[first + j]! * table[base + j]!;
      const v = Math.round(acc);
      out[n] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
  };
  return { out, run };
}

const MAX_PHASES = 2048;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
