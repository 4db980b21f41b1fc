import { describe, expect, it } from '@jest/globals';
import { alawDecode, alawEncode } from './alaw.js';

const enc = (...s: number[]) => [...alawEncode(Int16Array.from(s))];
const dec = (...c: number[]) => [...alawDecode(Buffer.from(c))];

/** G.711 Table 1a, written independently of the encoder: reconstruction level of a code */
function g711Level(code: number): number {
  const a = code ^ 0x55;
  const seg = (a >> 4) & 7;
  const m = a & 0x0f;
  // in units of the 16-bit scale: segment 0 is linear with step 16, each later one doubles
  const magnitude = seg === 0 ? 16 * m + 8 : (16 * m + 264) * 2 ** (seg - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

describe('A-law', () => {
  it('encodes the standard reference points', () => {
    expect(enc(0)).toEqual([0xd5]);
    expect(enc(-1)).toEqual([0x55]);
    expect(enc(32767, -32768)).toEqual([0xaa, 0x2a]);
    expect(enc(8, 15, 16)).toEqual([0xd5, 0xd5, 0xd4]);
    expect(enc(255, 256, 4095, 4096)).toEqual([0xda, 0xc5, 0x9a, 0x85]);
  });

  it('decodes every code to its G.711 reconstruction level', () => {
    const codes = Array.from({ length: 256 }, (_, c) => c);
    expect(dec(...codes)).toEqual(codes.map(g711Level));
    expect(dec(0xd5, 0x55, 0xaa, 0x2a)).toEqual([8, -8, 32256, -32256]);
  });

  it('puts every 16-bit sample in its G.711 decision interval, negative side mirrored', () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) all[i] = i - 32768;
    const codes = alawEncode(all);
    let bad = 0;
    for (let i = 0; i < 65536; i++) {
      const s = all[i]!;
      const code = codes[i]!;
      if (s >= 0) {
        // each level is the middle of its interval; the step doubles from segment 2 on
        const seg = ((code ^ 0x55) >> 4) & 7;
        const step = seg <= 1 ? 16 : 16 << (seg - 1);
        const level = g711Level(code);
        if (!(level > 0 && s >= level - step / 2 && s < level + step / 2)) bad++;
      } else if (code !== (codes[-s - 1 + 32768]! ^ 0x80)) {
        bad++;
      }
    }
    expect(bad).toBe(0);
  });

  it('round-trips: decode then encode returns the code', () => {
    const codes = Buffer.from(Array.from({ length: 256 }, (_, c) => c));
    expect([...alawEncode(alawDecode(codes))]).toEqual([...codes]);
  });

  it('keeps a voice-level signal within the A-law error bound', () => {
    const pcm = Int16Array.from({ length: 800 }, (_, i) => Math.round(12000 * Math.sin(i / 5)));
    const back = alawDecode(alawEncode(pcm));
    for (let i = 0; i < pcm.length; i++) {
      expect(Math.abs(back[i]! - pcm[i]!)).toBeLessThanOrEqual(Math.max(16, Math.abs(pcm[i]!) / 16));
    }
  });
});
