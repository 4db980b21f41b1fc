import { alawEncode } from './alaw.js';

/** 8 kHz mono PCM: what A-law (PCMA) telephony and radio gateways carry */
export const SAMPLE_RATE = 8000;
/** 20 ms at 8 kHz: one RTP packet of PCMA */
export const FRAME_SAMPLES = 160;

const FULL_SCALE = 32767;

function sampleCount(ms: number, rate: number): number {
  if (!Number.isFinite(ms) || ms < 0)
    throw new RangeError(`duration must be a non-negative number of ms: ${ms}`);
  if (!Number.isInteger(rate) || rate <= 0)
    throw new RangeError(`sample rate must be a positive integer: ${rate}`);
  return Math.round((ms * rate) / 1000);
}

export function sine(freqHz: number, ms: number, rate = SAMPLE_RATE, amplitude = 0.5): Int16Array {
  const n = sampleCount(ms, rate);
  const out = new Int16Array(n);
  const step = (2 * Math.PI * freqHz) / rate;
  const a = Math.max(0, Math.min(1, amplitude)) * FULL_SCALE;
  for (let i = 0; i < n; i++) out[i] = Math.round(a * Math.sin(step * i));
  return out;
}

export function silence(ms: number, rate = SAMPLE_RATE): Int16Array {
  return new Int16Array(sampleCount(ms, rate));
}

export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** split into 20 ms frames (last one zero-padded) */
export function frames(pcm: Int16Array, samplesPerFrame = FRAME_SAMPLES): Int16Array[] {
  if (!Number.isInteger(samplesPerFrame) || samplesPerFrame <= 0) {
    throw new RangeError(`samplesPerFrame must be a positive integer: ${samplesPerFrame}`);
  }
  const out: Int16Array[] = [];
  for (let at = 0; at < pcm.length; at += samplesPerFrame) {
    const frame = new Int16Array(samplesPerFrame);
    frame.set(pcm.subarray(at, at + samplesPerFrame));
    out.push(frame);
  }
  return out;
}

/** PCM → A-law RTP payloads of 20 ms (160 bytes each) */
export function alawFrames(pcm: Int16Array): Buffer[] {
  return frames(pcm).map(alawEncode);
}

/** RMS level in dBFS, full scale being 32768 (a full-scale sine reads −3 dBFS); −Infinity for digital silence */
export function rmsDbfs(samples: Int16Array): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return sum === 0 ? -Infinity : 10 * Math.log10(sum / samples.length / (32768 * 32768));
}

export type AlertLevel = 'red' | 'orange' | 'yellow' | 'blue';

/** one segment of an alert: a frequency (0 = pause) held for ms */
type Step = [freqHz: number, ms: number];

/**
 * The patterns, most urgent first. Red is a fast hi-lo warble (the European two-tone
 * siren's contrast at 4 changes a second would be too slow to read as urgent on a radio
 * speaker, so 8), orange a slower warble, yellow three beeps, blue one calm low tone.
 * Frequencies stay in 600–1500 Hz, the band a radio's audio path passes best.
 */
const PATTERNS: Record<AlertLevel, Step[]> = {
  red: Array.from({ length: 20 }, (_, i): Step => [i % 2 ? 900 : 1400, 125]),
  orange: Array.from({ length: 8 }, (_, i): Step => [i % 2 ? 750 : 1100, 250]),
  yellow: [
    [1000, 250],
    [0, 150],
    [1000, 250],
    [0, 150],
    [1000, 250],
  ],
  blue: [[660, 900]],
};

/** 5 ms ramps: a tone switched on at full level clicks, and a click keys VOX gateways early */
const RAMP_MS = 5;

/**
 * The alert tone before a directive is spoken, distinct per level (red most urgent: fast
 * high-low warble ~2.5 s; orange; yellow; blue: one calm tone). Phase runs on across a
 * warble's changes, so the frequency steps do not click.
 */
export function alertTone(level: AlertLevel, rate = SAMPLE_RATE): Int16Array {
  const steps = PATTERNS[level];
  if (!steps) throw new RangeError(`unknown alert level: ${String(level)}`);
  const total = steps.reduce((n, [, ms]) => n + sampleCount(ms, rate), 0);
  const out = new Int16Array(total);
  const ramp = sampleCount(RAMP_MS, rate);
  const amplitude = 0.5 * FULL_SCALE;
  let phase = 0;
  let at = 0;
  let i = 0;
  while (i < steps.length) {
    if (steps[i]![0] === 0) {
      at += sampleCount(steps[i]![1], rate);
      i++;
      continue;
    }
    // a run of sounding steps is one burst: ramp only at its ends
    const start = at;
    let end = at;
    const burst: { freq: number; until: number }[] = [];
    while (i < steps.length && steps[i]![0] !== 0) {
      end += sampleCount(steps[i]![1], rate);
      burst.push({ freq: steps[i]![0], until: end });
      i++;
    }
    let seg = 0;
    for (let n = start; n < end; n++) {
      while (n >= burst[seg]!.until) seg++;
      phase += (2 * Math.PI * burst[seg]!.freq) / rate;
      const gain = Math.min(1, (n - start + 1) / ramp, (end - n) / ramp);
      out[n] = Math.round(amplitude * gain * Math.sin(phase));
    }
    at = end;
  }
  return out;
}
