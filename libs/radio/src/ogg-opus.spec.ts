import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { OggOpusWriter, oggCrc, oggOpusExtent, oggPage, opusPacketSamples } from './ogg-opus.js';

const dir = mkdtempSync(join(tmpdir(), 'yihu-ogg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** a TOC byte: config (0..31), stereo, frame-count code */
const toc = (config: number, stereo: boolean, code: number) => (config << 3) | (stereo ? 4 : 0) | code;

/** the pages of an Ogg stream, checking each page's CRC */
function pages(buf: Buffer) {
  const out: { flags: number; granule: bigint; sequence: number; packet: Buffer }[] = [];
  let at = 0;
  while (at < buf.length) {
    expect(buf.toString('ascii', at, at + 4)).toBe('OggS');
    const n = buf[at + 26]!;
    const lacing = [...buf.subarray(at + 27, at + 27 + n)];
    const size = lacing.reduce((a, b) => a + b, 0);
    const page = Buffer.from(buf.subarray(at, at + 27 + n + size));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    expect(oggCrc(page)).toBe(crc);
    out.push({
      flags: buf[at + 5]!,
      granule: buf.readBigInt64LE(at + 6),
      sequence: buf.readUInt32LE(at + 18),
      packet: buf.subarray(at + 27 + n, at + 27 + n + size),
    });
    at += 27 + n + size;
  }
  return out;
}

describe('Ogg Opus', () => {
  it("computes Ogg's CRC-32 (poly 0x04c11db7, init 0, no reflection, no final XOR)", () => {
    expect(oggCrc(Buffer.from('123456789'))).toBe(0x89a1897f);
    expect(oggCrc(Buffer.alloc(0))).toBe(0);
  });

  it('reads the duration of a packet from its TOC (RFC 6716 §3.1)', () => {
    expect(opusPacketSamples(Buffer.from([toc(1, false, 0)]))).toBe(960); // SILK 20 ms
    expect(opusPacketSamples(Buffer.from([toc(3, false, 0)]))).toBe(2880); // SILK 60 ms
    expect(opusPacketSamples(Buffer.from([toc(13, true, 0)]))).toBe(960); // hybrid 20 ms
    expect(opusPacketSamples(Buffer.from([toc(16, false, 0)]))).toBe(120); // CELT 2.5 ms
    expect(opusPacketSamples(Buffer.from([toc(31, false, 1), 0]))).toBe(1920); // two 20 ms frames
    expect(opusPacketSamples(Buffer.from([toc(31, false, 3), 3]))).toBe(2880); // three frames
    // malformed: empty, code 3 without its count or with none, more than 120 ms
    expect(opusPacketSamples(Buffer.alloc(0))).toBeNull();
    expect(opusPacketSamples(Buffer.from([toc(31, false, 3)]))).toBeNull();
    expect(opusPacketSamples(Buffer.from([toc(31, false, 3), 0]))).toBeNull();
    expect(opusPacketSamples(Buffer.from([toc(3, false, 3), 3]))).toBeNull(); // 180 ms
  });

  it('laces a packet into 255-byte segments, ending with the remainder (0 on an exact multiple)', () => {
    for (const [size, lacing] of [
      [0, [0]],
      [254, [254]],
      [255, [255, 0]],
      [600, [255, 255, 90]],
    ] as const) {
      const page = oggPage({ packet: Buffer.alloc(size, 7), granule: 5n, serial: 9, sequence: 2 });
      expect(page[26]).toBe(lacing.length);
      expect([...page.subarray(27, 27 + lacing.length)]).toEqual(lacing);
      expect(page.length).toBe(27 + lacing.length + size);
    }
    expect(() => oggPage({ packet: Buffer.alloc(65_025), granule: 0n, serial: 1, sequence: 0 })).toThrow(
      RangeError,
    );
  });

  it('writes OpusHead and OpusTags, then one page per packet with the running granule, EOS last', async () => {
    const file = join(dir, 'a.opus');
    const w = await OggOpusWriter.open(file, 0x1234);
    await w.write(Buffer.from([toc(1, true, 0), 1, 2, 3]));
    await w.write(Buffer.alloc(0)); // malformed: skipped
    await w.write(Buffer.from([toc(1, true, 1), 4, 5]));
    expect(await w.close()).toEqual({ bytes: 7, durationMs: 60 });
    expect(w.skipped).toBe(1);
    const p = pages(readFileSync(file));
    expect(p.map((x) => x.sequence)).toEqual([0, 1, 2, 3]);
    expect(p[0]!.flags).toBe(0x02);
    expect(p[0]!.packet.toString('ascii', 0, 8)).toBe('OpusHead');
    expect(p[0]!.packet[9]).toBe(2); // stereo, from the TOC
    expect(p[0]!.packet.readUInt32LE(12)).toBe(48_000);
    expect(p[1]!.packet.toString('ascii', 0, 8)).toBe('OpusTags');
    expect(p.slice(2).map((x) => x.granule)).toEqual([960n, 2880n]);
    expect(p[2]!.flags).toBe(0);
    expect(p[3]!.flags).toBe(0x04);
    await expect(w.write(Buffer.from([toc(1, false, 0)]))).rejects.toThrow(/closed/);
  });

  it('leaves an empty file when no packet came, and a readable one up to the cut when never closed', async () => {
    const empty = await OggOpusWriter.open(join(dir, 'empty.opus'));
    expect(await empty.close()).toEqual({ bytes: 0, durationMs: 0 });
    expect(readFileSync(join(dir, 'empty.opus')).length).toBe(0);

    const file = join(dir, 'cut.opus');
    const w = await OggOpusWriter.open(file);
    for (let i = 0; i < 5; i++) await w.write(Buffer.from([toc(1, false, 0), i]));
    // no close (a crash): headers and every packet but the held last one are whole pages
    const p = pages(readFileSync(file));
    expect(p).toHaveLength(2 + 4);
    expect(p.at(-1)!.granule).toBe(4n * 960n);
    // what a stop's cleanup reads of it, also with a partial page at the end
    const cut = readFileSync(file);
    expect(oggOpusExtent(cut)).toEqual({ bytes: 8, durationMs: 80 });
    expect(oggOpusExtent(Buffer.concat([cut, cut.subarray(0, 30)]))).toEqual({ bytes: 8, durationMs: 80 });
    expect(oggOpusExtent(Buffer.alloc(0))).toEqual({ bytes: 0, durationMs: 0 });
    await w.close();
  });
});
