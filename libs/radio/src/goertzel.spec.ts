import { describe, expect, it } from '@jest/globals';
import { alawDecode, alawEncode } from './alaw.js';
import { goertzelPower, ToneDetector } from './goertzel.js';
import { noise, mix, speechLike } from './test-signals.js';
import { concat, FRAME_SAMPLES, frames, silence, sine } from './tones.js';

const throughAlaw = (pcm: Int16Array) => alawDecode(alawEncode(pcm));

function feed(d: ToneDetector, pcm: Int16Array): void {
  for (const f of frames(pcm, FRAME_SAMPLES)) d.push(f);
}

describe('goertzelPower', () => {
  it('reads a sine of amplitude a as about a², and little off frequency', () => {
    const tone = sine(1000, 20, 8000, 0.5);
    expect(goertzelPower(tone, 1000)).toBeCloseTo(0.25, 2);
    expect(goertzelPower(sine(1000, 20, 8000, 1), 1000)).toBeCloseTo(1, 2);
    expect(goertzelPower(tone, 1500)).toBeLessThan(0.001);
    expect(goertzelPower(silence(20), 1000)).toBe(0);
    expect(goertzelPower(new Int16Array(0), 1000)).toBe(0);
  });

  it('still finds a 1 kHz tone after A-law encode/decode', () => {
    const tone = throughAlaw(sine(1000, 20, 8000, 0.1));
    expect(goertzelPower(tone, 1000)).toBeCloseTo(0.01, 3);
  });
});

describe('ToneDetector', () => {
  it('times the onset of a 1 kHz tone through A-law within 2 ms', () => {
    for (const startMs of [100, 123, 137.5, 201]) {
      const d = new ToneDetector({ freqHz: 1000 });
      const pcm = concat([silence(startMs), sine(1000, 200)]);
      feed(d, throughAlaw(pcm));
      expect(d.onsetMs).not.toBeNull();
      expect(Math.abs(d.onsetMs! - startMs)).toBeLessThanOrEqual(2);
    }
  });

  it('finds the tone under noise, and keeps the first onset', () => {
    const d = new ToneDetector({ freqHz: 1000 });
    const pcm = concat([
      silence(300),
      sine(1000, 100, 8000, 0.3),
      silence(100),
      sine(1000, 100, 8000, 0.3),
      silence(60),
    ]);
    feed(d, mix(pcm, noise(pcm.length, 1000, 7)));
    expect(d.onsetMs).not.toBeNull();
    expect(Math.abs(d.onsetMs! - 300)).toBeLessThanOrEqual(3);
    expect(d.present).toBe(false);
  });

  it('ignores a tone shorter than minMs, another frequency, noise and speech', () => {
    const cases: Int16Array[] = [
      concat([silence(50), sine(1000, 15), silence(50)]),
      sine(1300, 300),
      noise(8000, 8000, 3),
      speechLike(3000, 11),
    ];
    for (const pcm of cases) {
      const d = new ToneDetector({ freqHz: 1000, minMs: 30 });
      feed(d, pcm);
      expect(d.onsetMs).toBeNull();
    }
  });

  it('says whether the tone is present now', () => {
    const d = new ToneDetector({ freqHz: 1000 });
    d.push(silence(100));
    expect(d.present).toBe(false);
    d.push(sine(1000, 40));
    expect(d.present).toBe(true);
    d.push(silence(20));
    expect(d.present).toBe(false);
    expect(d.onsetMs).toBeCloseTo(100, 0);
  });

  it('counts time across any chunk size and starts over on reset', () => {
    const d = new ToneDetector({ freqHz: 1000, blockMs: 5, minMs: 20 });
    const pcm = concat([silence(250), sine(1000, 100)]);
    for (let at = 0; at < pcm.length; at += 37) d.push(pcm.subarray(at, at + 37));
    expect(Math.abs(d.onsetMs! - 250)).toBeLessThanOrEqual(2);
    d.reset();
    expect([d.onsetMs, d.present]).toEqual([null, false]);
    d.push(concat([silence(40), sine(1000, 60)]));
    expect(Math.abs(d.onsetMs! - 40)).toBeLessThanOrEqual(2);
  });

  it('refuses a frequency it cannot see', () => {
    expect(() => new ToneDetector({ freqHz: 5000 })).toThrow(RangeError);
  });
});
