import { describe, expect, it } from '@jest/globals';
import { alawDecode } from './alaw.js';
import { goertzelPower } from './goertzel.js';
import { alawFrames, alertTone, concat, frames, rmsDbfs, silence, sine } from './tones.js';

describe('tones', () => {
  it('makes a sine of the asked length, level and frequency', () => {
    const s = sine(1000, 100);
    expect(s.length).toBe(800);
    expect(Math.max(...s)).toBe(Math.round(0.5 * 32767));
    expect(rmsDbfs(s)).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 1);
    expect(rmsDbfs(sine(1000, 100, 8000, 1))).toBeCloseTo(-3.01, 1);
    expect(goertzelPower(s, 1000)).toBeGreaterThan(0.24);
    expect(sine(1000, 20, 16000).length).toBe(320);
  });

  it('silence is digital silence; rms of nothing is -Infinity', () => {
    expect(rmsDbfs(silence(40))).toBe(-Infinity);
    expect(silence(40).length).toBe(320);
    expect(rmsDbfs(new Int16Array(0))).toBe(-Infinity);
    expect(() => silence(-1)).toThrow(RangeError);
  });

  it('concatenates and splits into 20 ms frames, zero-padding the last', () => {
    const pcm = concat([sine(500, 30), silence(5)]);
    expect(pcm.length).toBe(280);
    const f = frames(pcm);
    expect(f.map((x) => x.length)).toEqual([160, 160]);
    expect([...f[1]!.subarray(0, 120)]).toEqual([...pcm.subarray(160, 280)]);
    expect(f[1]!.subarray(120).every((x) => x === 0)).toBe(true);
    expect(frames(new Int16Array(0))).toEqual([]);
  });

  it('turns PCM into 160-byte A-law payloads that decode back to it', () => {
    const pcm = sine(1000, 50);
    const payloads = alawFrames(pcm);
    expect(payloads.map((p) => p.length)).toEqual([160, 160, 160]);
    const back = concat(payloads.map(alawDecode)).subarray(0, pcm.length);
    expect(Math.abs(rmsDbfs(back) - rmsDbfs(pcm))).toBeLessThan(0.1);
    expect(payloads[2]!.subarray(80).every((b) => b === 0xd5)).toBe(true);
  });

  it('gives each alert level a distinct pattern, red the longest and fastest', () => {
    const ms = (pcm: Int16Array) => (pcm.length / 8000) * 1000;
    const red = alertTone('red');
    expect(ms(red)).toBeGreaterThanOrEqual(2400);
    expect(ms(red)).toBeLessThanOrEqual(2600);
    // red alternates high and low every 125 ms
    const slice = (pcm: Int16Array, fromMs: number, toMs: number) => pcm.subarray(fromMs * 8, toMs * 8);
    expect(goertzelPower(slice(red, 20, 110), 1400)).toBeGreaterThan(0.2);
    expect(goertzelPower(slice(red, 145, 235), 900)).toBeGreaterThan(0.2);
    const blue = alertTone('blue');
    expect(goertzelPower(slice(blue, 100, 800), 660)).toBeGreaterThan(0.2);
    // yellow pauses between beeps; blue never does
    const yellow = alertTone('yellow');
    expect(rmsDbfs(slice(yellow, 280, 380))).toBe(-Infinity);
    expect(rmsDbfs(slice(yellow, 420, 600))).toBeGreaterThan(-10);
    const orange = alertTone('orange');
    expect(goertzelPower(slice(orange, 20, 230), 1100)).toBeGreaterThan(0.2);
    expect(goertzelPower(slice(orange, 270, 480), 750)).toBeGreaterThan(0.2);
    const all = [red, orange, yellow, blue].map((p) => Buffer.from(p.buffer).toString('base64'));
    expect(new Set(all).size).toBe(4);
  });

  it('ramps an alert in and out instead of clicking', () => {
    for (const level of ['red', 'orange', 'yellow', 'blue'] as const) {
      const t = alertTone(level);
      expect(Math.abs(t[0]!)).toBeLessThan(2000);
      expect(Math.abs(t.at(-1)!)).toBeLessThan(2000);
    }
  });
});
