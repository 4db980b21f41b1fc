import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { alawDecode, alawEncode } from './alaw.js';
import { readWav, WavWriter, wavHeader } from './wav.js';
import { sine } from './tones.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'radio-wav-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pcm16 = (s: Int16Array) => Buffer.from(s.buffer, s.byteOffset, s.byteLength);

describe('WAV', () => {
  it('writes the canonical 44-byte PCM header', () => {
    const h = wavHeader({ format: 'pcm16', sampleRate: 8000, channels: 1, dataBytes: 320 });
    expect(h.length).toBe(44);
    expect(h.toString('ascii', 0, 4)).toBe('RIFF');
    expect(h.readUInt32LE(4)).toBe(36 + 320);
    expect(h.readUInt16LE(20)).toBe(1);
    expect(h.readUInt32LE(28)).toBe(16000);
    expect(h.readUInt16LE(34)).toBe(16);
    expect(h.readUInt32LE(40)).toBe(320);
    const a = wavHeader({ format: 'alaw', sampleRate: 8000, channels: 1, dataBytes: 160 });
    expect([
      a.length,
      a.readUInt16LE(20),
      a.readUInt16LE(34),
      a.readUInt32LE(46),
      a.readUInt32LE(54),
    ]).toEqual([58, 6, 8, 160, 160]);
  });

  it('reads back PCM16 and A-law it wrote', () => {
    const s = sine(440, 100);
    const p = readWav(
      Buffer.concat([
        wavHeader({ format: 'pcm16', sampleRate: 8000, channels: 1, dataBytes: 1600 }),
        pcm16(s),
      ]),
    );
    expect(p).toMatchObject({ format: 'pcm16', sampleRate: 8000, channels: 1 });
    expect([...p.samples]).toEqual([...s]);
    const codes = alawEncode(s);
    const a = readWav(
      Buffer.concat([wavHeader({ format: 'alaw', sampleRate: 8000, channels: 1, dataBytes: 800 }), codes]),
    );
    expect(a.format).toBe('alaw');
    expect([...a.samples]).toEqual([...alawDecode(codes)]);
  });

  it('throws a clear error on what it cannot read', () => {
    expect(() => readWav(Buffer.from('hello world, not a wav'))).toThrow(/RIFF\/WAVE/);
    const h = wavHeader({ format: 'pcm16', sampleRate: 8000, channels: 1, dataBytes: 0 });
    const float = Buffer.from(h);
    float.writeUInt16LE(3, 20);
    float.writeUInt16LE(32, 34);
    expect(() => readWav(float)).toThrow(/format tag 3, 32 bits/);
    const noData = h.subarray(0, 36);
    expect(() => readWav(noData)).toThrow(/no data chunk/);
    const zeroChannels = Buffer.from(h);
    zeroChannels.writeUInt16LE(0, 22);
    expect(() => readWav(zeroChannels)).toThrow(/channels/);
  });

  it('streams to a file and patches the sizes on close', async () => {
    const path = join(dir, 'closed.wav');
    const w = await WavWriter.open(path, { format: 'alaw', sampleRate: 8000 });
    const s = sine(1000, 1000);
    const payloads = Array.from({ length: 50 }, (_, i) => alawEncode(s.subarray(i * 160, i * 160 + 160)));
    await Promise.all(payloads.map((p) => w.write(p)));
    expect(await w.close()).toEqual({ bytes: 8000, durationMs: 1000 });
    const buf = await readFile(path);
    expect([buf.length, buf.readUInt32LE(4), buf.readUInt32LE(54)]).toEqual([58 + 8000, 50 + 8000, 8000]);
    const back = readWav(buf);
    expect([...back.samples]).toEqual([...alawDecode(Buffer.concat(payloads))]);
    await expect(w.write(payloads[0]!)).rejects.toThrow(/closed/);
  });

  it('reads a recording whose writer died before close, even cut mid-sample', async () => {
    const path = join(dir, 'killed.wav');
    const w = await WavWriter.open(path, { format: 'pcm16', sampleRate: 8000 });
    const s = sine(700, 500);
    await w.write(pcm16(s));
    // never closed: the header still says 0 bytes
    const raw = await readFile(path);
    expect(raw.readUInt32LE(40)).toBe(0);
    expect([...readWav(raw).samples]).toEqual([...s]);
    await truncate(path, 44 + 2 * 1000 + 1);
    expect([...readWav(await readFile(path)).samples]).toEqual([...s.subarray(0, 1000)]);
    await w.close();
  });

  it('reads a header that claims more data than the file holds', async () => {
    const path = join(dir, 'short.wav');
    const s = sine(700, 50);
    await writeFile(
      path,
      Buffer.concat([
        wavHeader({ format: 'pcm16', sampleRate: 8000, channels: 1, dataBytes: 100000 }),
        pcm16(s),
      ]),
    );
    expect(readWav(await readFile(path)).samples.length).toBe(s.length);
  });
});
