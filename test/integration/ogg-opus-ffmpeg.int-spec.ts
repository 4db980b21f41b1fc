import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { goertzelPower, OggOpusWriter } from '#radio';
import { decodeWithFfmpeg, opusTonePackets } from '../support/opus.js';

const dir = mkdtempSync(join(tmpdir(), 'yihu-ogg-ffmpeg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The recorder's container checked by a real decoder: ffmpeg encodes a tone to Opus, its
 * packets are written again by OggOpusWriter as if they had come over RTP, and ffmpeg must
 * decode what was written, whole and after a crash.
 */
describe('Ogg Opus recordings, read by ffmpeg', () => {
  const audio = opusTonePackets(1000, 3);

  it('decodes to the same tone and length', async () => {
    expect(audio.length).toBeGreaterThanOrEqual(148);
    const file = join(dir, 'copy.opus');
    const w = await OggOpusWriter.open(file);
    for (const p of audio) await w.write(p);
    const { durationMs } = await w.close();
    expect(w.skipped).toBe(0);
    expect(durationMs).toBe(audio.length * 20);
    const pcm = decodeWithFfmpeg(file);
    expect(Math.abs(pcm.length / 48 - durationMs)).toBeLessThanOrEqual(40);
    const mid = pcm.subarray(48_000, 48_000 + 4800);
    expect(goertzelPower(mid, 1000, 48_000)).toBeGreaterThan(50 * goertzelPower(mid, 1500, 48_000));
  });

  it('plays up to the cut when the writer never closed (kill -9)', async () => {
    const file = join(dir, 'cut.opus');
    const w = await OggOpusWriter.open(file);
    for (const p of audio.slice(0, 50)) await w.write(p);
    const pcm = decodeWithFfmpeg(file);
    // every packet but the one held for the end-of-stream mark: 49 × 20 ms
    expect(Math.abs(pcm.length / 48 - 49 * 20)).toBeLessThanOrEqual(40);
    await w.close();
  });
});
