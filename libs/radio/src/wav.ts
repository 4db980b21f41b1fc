import { open, type FileHandle } from 'node:fs/promises';
import { alawDecode } from './alaw.js';

export type WavFormat = 'pcm16' | 'alaw';

const FORMAT_TAG: Record<WavFormat, number> = { pcm16: 1, alaw: 6 };
const BYTES_PER_SAMPLE: Record<WavFormat, number> = { pcm16: 2, alaw: 1 };
const MAX_CHANNELS = 8;
const MAX_RATE = 384000;
/** RIFF sizes are 32-bit */
const MAX_RIFF = 0xffffffff;

function checkFormat(o: { format: WavFormat; sampleRate: number; channels: number }): void {
  if (!(o.format in FORMAT_TAG))
    throw new RangeError(`WAV format must be pcm16 or alaw: ${String(o.format)}`);
  if (!Number.isInteger(o.sampleRate) || o.sampleRate < 1 || o.sampleRate > MAX_RATE) {
    throw new RangeError(`WAV sample rate out of range: ${o.sampleRate}`);
  }
  if (!Number.isInteger(o.channels) || o.channels < 1 || o.channels > MAX_CHANNELS) {
    throw new RangeError(`WAV channels out of range: ${o.channels}`);
  }
}

/**
 * RIFF/WAVE header: 44 bytes for PCM16; for A-law, the 18-byte fmt chunk and the `fact`
 * chunk (sample count) that non-PCM formats carry, 58 bytes. Its length depends only on the
 * format, so a writer can patch the sizes in place.
 */
export function wavHeader(o: {
  format: WavFormat;
  sampleRate: number;
  channels: number;
  dataBytes: number;
}): Buffer {
  checkFormat(o);
  const alaw = o.format === 'alaw';
  const size = alaw ? 58 : 44;
  if (!Number.isInteger(o.dataBytes) || o.dataBytes < 0 || o.dataBytes > MAX_RIFF - size) {
    throw new RangeError(`WAV data size out of range: ${o.dataBytes}`);
  }
  const bytesPerSample = BYTES_PER_SAMPLE[o.format];
  const h = Buffer.alloc(size);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(size - 8 + o.dataBytes + (o.dataBytes & 1), 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(alaw ? 18 : 16, 16);
  h.writeUInt16LE(FORMAT_TAG[o.format], 20);
  h.writeUInt16LE(o.channels, 22);
  h.writeUInt32LE(o.sampleRate, 24);
  h.writeUInt32LE(o.sampleRate * o.channels * bytesPerSample, 28);
  h.writeUInt16LE(o.channels * bytesPerSample, 32);
  h.writeUInt16LE(8 * bytesPerSample, 34);
  let at = 36;
  if (alaw) {
    h.writeUInt16LE(0, 36); // cbSize
    h.write('fact', 38, 'ascii');
    h.writeUInt32LE(4, 42);
    h.writeUInt32LE(Math.floor(o.dataBytes / o.channels), 46);
    at = 50;
  }
  h.write('data', at, 'ascii');
  h.writeUInt32LE(o.dataBytes, at + 4);
  return h;
}

/** the sizes to patch in a header of this format: [offset, value] pairs */
function sizeFields(format: WavFormat, channels: number, dataBytes: number): [number, number][] {
  const header = format === 'alaw' ? 58 : 44;
  const riff: [number, number] = [4, header - 8 + dataBytes + (dataBytes & 1)];
  if (format === 'alaw') return [riff, [46, Math.floor(dataBytes / channels)], [54, dataBytes]];
  return [riff, [40, dataBytes]];
}

function fail(why: string): never {
  throw new Error(`not a readable WAV file: ${why}`);
}

/**
 * Reads PCM16 or A-law WAV (decoding A-law); throws a clear Error on anything else. A data
 * size of 0 or past the end of the buffer (a recording whose writer was killed before it
 * patched the header) is taken from what the buffer holds, whole sample frames only.
 */
export function readWav(buf: Buffer): {
  format: WavFormat;
  sampleRate: number;
  channels: number;
  samples: Int16Array;
} {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    fail('no RIFF/WAVE header');
  }
  let fmt: { format: WavFormat; sampleRate: number; channels: number } | null = null;
  let at = 12;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) fail('fmt chunk too short');
      let tag = buf.readUInt16LE(body);
      const channels = buf.readUInt16LE(body + 2);
      const sampleRate = buf.readUInt32LE(body + 4);
      const bits = buf.readUInt16LE(body + 14);
      // WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of the subformat GUID
      if (tag === 0xfffe && size >= 40 && body + 26 <= buf.length) tag = buf.readUInt16LE(body + 24);
      let format: WavFormat;
      if (tag === 1 && bits === 16) format = 'pcm16';
      else if (tag === 6 && bits === 8) format = 'alaw';
      else fail(`unsupported encoding (format tag ${tag}, ${bits} bits): only 16-bit PCM and 8-bit A-law`);
      try {
        checkFormat({ format, sampleRate, channels });
      } catch (e) {
        fail((e as Error).message);
      }
      fmt = { format, sampleRate, channels };
    } else if (id === 'data') {
      if (!fmt) fail('data chunk before fmt chunk');
      const frame = BYTES_PER_SAMPLE[fmt.format] * fmt.channels;
      const available = buf.length - body;
      let length = size === 0 || size > available ? available : size;
      length -= length % frame;
      const data = buf.subarray(body, body + length);
      if (fmt.format === 'alaw') return { ...fmt, samples: alawDecode(data) };
      const samples = new Int16Array(length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(2 * i);
      return { ...fmt, samples };
    }
    at = body + size + (size & 1);
  }
  return fail(fmt ? 'no data chunk' : 'no fmt chunk');
}

/**
 * Streaming, crash-tolerant: the header goes first with sizes of 0 and is patched on
 * close; a file cut by kill -9 still reads, since readWav then takes the data length from
 * the file size. Writes land at explicit offsets, so concurrent write() calls keep their
 * call order.
 */
export class WavWriter {
  private bytes = 0;
  private closed = false;
  private pending: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: FileHandle,
    private readonly format: WavFormat,
    private readonly sampleRate: number,
    private readonly channels: number,
    private readonly headerBytes: number,
  ) {}

  static async open(
    path: string,
    o: { format: WavFormat; sampleRate: number; channels?: number },
  ): Promise<WavWriter> {
    const channels = o.channels ?? 1;
    const header = wavHeader({ format: o.format, sampleRate: o.sampleRate, channels, dataBytes: 0 });
    const file = await open(path, 'w');
    try {
      await file.write(header, 0, header.length, 0);
    } catch (e) {
      await file.close();
      throw e;
    }
    return new WavWriter(file, o.format, o.sampleRate, channels, header.length);
  }

  async write(data: Buffer): Promise<void> {
    if (this.closed) throw new Error('WAV writer is closed');
    if (this.headerBytes + this.bytes + data.length > MAX_RIFF - 1)
      throw new RangeError('WAV file would pass 4 GiB');
    const position = this.headerBytes + this.bytes;
    this.bytes += data.length;
    const written = this.file.write(data, 0, data.length, position);
    this.pending = Promise.allSettled([this.pending, written]);
    await written;
  }

  async close(): Promise<{ bytes: number; durationMs: number }> {
    if (this.closed) throw new Error('WAV writer is closed');
    this.closed = true;
    try {
      await this.pending;
      // RIFF chunks are word-aligned: an odd data chunk gets a pad byte
      if (this.bytes & 1) await this.file.write(Buffer.alloc(1), 0, 1, this.headerBytes + this.bytes);
      for (const [offset, value] of sizeFields(this.format, this.channels, this.bytes)) {
        const field = Buffer.alloc(4);
        field.writeUInt32LE(value);
        await this.file.write(field, 0, 4, offset);
      }
    } finally {
      await this.file.close();
    }
    const frame = BYTES_PER_SAMPLE[this.format] * this.channels;
    return { bytes: this.bytes, durationMs: (Math.floor(this.bytes / frame) * 1000) / this.sampleRate };
  }
}
