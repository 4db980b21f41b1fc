import { describe, expect, it } from '@jest/globals';
import { resample, resampleYielding } from './resample.js';

function tone(freq: number, rate: number, seconds: number, amp = 10000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** RMS of the middle (away from the edges the filter sees zeros beyond) */
function rms(x: Int16Array): number {
  const a = Math.floor(x.length / 4);
  const b = Math.floor((3 * x.length) / 4);
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / (b - a));
}

/** amplitude of one frequency, by correlation with a sine and a cosine */
function amplitudeAt(x: Int16Array, freq: number, rate: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i] * Math.cos((2 * Math.PI * freq * i) / rate);
    im += x[i] * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

describe('resample 22050 → 8000 Hz', () => {
  it('keeps the length in proportion', () => {
    expect(resample(new Int16Array(22050), 22050, 8000).length).toBe(8000);
    expect(resample(new Int16Array(11025), 22050, 8000).length).toBe(4000);
  });

  it('passes a voice-band tone at its level and frequency', () => {
    const out = resample(tone(1000, 22050, 1), 22050, 8000);
    expect(rms(out)).toBeGreaterThan((10000 / Math.SQRT2) * 0.95);
    expect(rms(out)).toBeLessThan((10000 / Math.SQRT2) * 1.05);
    expect(amplitudeAt(out, 1000, 8000)).toBeGreaterThan(9000);
    expect(amplitudeAt(out, 1100, 8000)).toBeLessThan(500);
  });

  it('removes what lies above the new Nyquist instead of folding it into the voice band', () => {
    // 6 kHz would alias to 2 kHz at 8 kHz without the low-pass
    const out = resample(tone(6000, 22050, 1), 22050, 8000);
    expect(rms(out)).toBeLessThan(10000 * 0.02);
    expect(amplitudeAt(out, 2000, 8000)).toBeLessThan(200);
  });

  it('keeps silence silent and clamps instead of wrapping', () => {
    expect(Math.max(...resample(new Int16Array(2205), 22050, 8000).map(Math.abs))).toBe(0);
    const square = new Int16Array(2205).map((_, i) => (Math.floor(i / 30) % 2 ? 32767 : -32768));
    const out = resample(square, 22050, 8000);
    expect(Math.max(...out)).toBeLessThanOrEqual(32767);
    // overshoot near the edges must saturate, not wrap to the other sign
    for (let i = 1; i < out.length; i++) expect(Math.abs(out[i] - out[i - 1])).toBeLessThan(65535);
  });

  it('refuses a non-positive rate and copies when the rate is unchanged', () => {
    expect(() => resample(new Int16Array(4), 0, 8000)).toThrow(/positive/);
    expect(() => resample(new Int16Array(4), 22050.5, 8000)).toThrow(/whole/);
    const x = new Int16Array([1, 2, 3]);
    const y = resample(x, 8000, 8000);
    expect([...y]).toEqual([1, 2, 3]);
    expect(y).not.toBe(x);
  });
});

describe('resample between rates with many fractional positions', () => {
  it('rounds the position when there are more than the table holds, still in tune', () => {
    // 44101 → 8000: 8000 distinct positions, rounded to 2048
    const out = resample(tone(1000, 44101, 0.5), 44101, 8000);
    expect(amplitudeAt(out, 1000, 8000)).toBeGreaterThan(9000);
  });
});

describe('resampleYielding', () => {
  it('gives the same samples as the one-go form, a slice at a time', async () => {
    const input = tone(700, 22050, 1.3);
    const a = resample(input, 22050, 8000);
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 0);
    const b = await resampleYielding(input, 22050, 8000);
    clearInterval(ticker);
    expect([...b]).toEqual([...a]);
    expect(turns).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(2000 * 4);
  });
});
