import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { sine } from '#radio';
import { pcmBytes } from './child.js';
import { FileAudio } from './file.js';

describe('file audio driver', () => {
  it('plays a regular file in as received audio in real time, and writes what it is given out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radio-file-'));
    const input = join(dir, 'rx.raw');
    const output = join(dir, 'tx.raw');
    const pcm = sine(1000, 400);
    writeFileSync(input, pcmBytes(pcm));
    const audio = new FileAudio(input, output);
    const got: { at: number; n: number }[] = [];
    const errors: string[] = [];
    const start = Date.now();
    audio.start(
      (chunk) => got.push({ at: Date.now() - start, n: chunk.length }),
      (m) => errors.push(m),
    );
    await new Promise((r) => setTimeout(r, 600));
    expect(errors).toEqual([]);
    expect(got.reduce((s, g) => s + g.n, 0)).toBe(pcm.length);
    // real time, not all at once: the last samples came after ~380 ms
    expect(got[got.length - 1]!.at).toBeGreaterThanOrEqual(350);
    audio.play(Int16Array.from([1, -2, 3]));
    audio.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect([...readFileSync(output)]).toEqual([...pcmBytes(Int16Array.from([1, -2, 3]))]);
  });

  it('reports a missing input instead of throwing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'radio-file-'));
    const audio = new FileAudio(join(dir, 'nope.raw'), join(dir, 'out.raw'));
    const errors: string[] = [];
    audio.start(
      () => undefined,
      (m) => errors.push(m),
    );
    audio.stop();
    expect(errors[0]).toMatch(/nope\.raw: ENOENT/);
  });
});
