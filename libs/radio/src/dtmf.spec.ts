import { describe, expect, it } from '@jest/globals';
import { alawDecode, alawEncode } from './alaw.js';
import { DtmfDetector, dtmfTone } from './dtmf.js';
import { mix, noise, speechLike } from './test-signals.js';
import { concat, silence, sine } from './tones.js';

const ALL = '0123456789*#ABCD';

function decode(pcm: Int16Array, chunk = 160, rate?: number): string {
  const d = new DtmfDetector(rate);
  const out: string[] = [];
  for (let at = 0; at < pcm.length; at += chunk) out.push(...d.push(pcm.subarray(at, at + chunk)));
  return out.join('');
}

describe('DTMF', () => {
  it('decodes every digit', () => {
    expect(decode(dtmfTone(ALL))).toBe(ALL);
  });

  it('decodes through A-law, in odd chunk sizes, and at 16 kHz', () => {
    expect(decode(alawDecode(alawEncode(dtmfTone(ALL))), 37)).toBe(ALL);
    expect(decode(dtmfTone(ALL, { rate: 16000 }), 320, 16000)).toBe(ALL);
  });

  it('decodes under white noise (seeded, ~15 dB SNR) and at -20 dB', () => {
    const tones = dtmfTone(ALL);
    expect(decode(mix(tones, noise(tones.length, 1500, 42)))).toBe(ALL);
    expect(decode(dtmfTone(ALL, { amplitude: 0.05 }))).toBe(ALL);
    const quiet = dtmfTone(ALL, { amplitude: 0.05 });
    expect(decode(mix(quiet, noise(quiet.length, 150, 43)))).toBe(ALL);
    // ~10 dB SNR: still every digit
    expect(decode(mix(tones, noise(tones.length, 2600, 44)))).toBe(ALL);
  });

  it('takes 40 ms tones with 40 ms pauses, repeats included, once each', () => {
    expect(decode(dtmfTone('112233##', { onMs: 40, offMs: 40 }))).toBe('112233##');
    expect(decode(dtmfTone('5', { onMs: 2000 }))).toBe('5');
  });

  it('drops a tone too short to be a key press', () => {
    expect(decode(dtmfTone('7', { onMs: 15, offMs: 50 }))).toBe('');
  });

  it('rejects a pair with too much twist', () => {
    // row tone 12 dB under the column tone
    const n = 800;
    const pcm = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      pcm[i] = Math.round(
        2000 * Math.sin((2 * Math.PI * 697 * i) / 8000) + 8000 * Math.sin((2 * Math.PI * 1209 * i) / 8000),
      );
    }
    expect(decode(concat([pcm, silence(100)]))).toBe('');
  });

  it('finds no digit in speech-like sound, noise or a 1 kHz tone', () => {
    // 40 s of it: at the previous energy-share bound (0.6) seeds 6, 8, 33 and 36 gave digits
    for (const seed of [6, 8, 33, 36]) expect(decode(speechLike(10000, seed))).toBe('');
    expect(decode(noise(40000, 6000, 9))).toBe('');
    expect(decode(sine(1000, 2000))).toBe('');
    // one tone of a pair alone is not a digit either
    expect(decode(sine(697, 500))).toBe('');
  });

  it('refuses a character that is not a digit', () => {
    expect(() => dtmfTone('12x')).toThrow(RangeError);
  });
});
