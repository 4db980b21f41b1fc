import { open, type FileHandle } from 'node:fs/promises';

/**
 * Ogg Opus (RFC 7845) from the Opus packets of an RTP stream (RFC 7587), for recording
 * talkgroups that speak Opus. Packets go into the file as they arrive, one Ogg page each:
 * a hub killed mid-transmission leaves a file that plays up to the cut (a reader stops at
 * the last whole page). Nothing is decoded or re-encoded.
 */

/** Opus always counts time in 48 kHz samples in Ogg (RFC 7845 §4), whatever it coded */
const GRANULE_RATE = 48_000;
/** RFC 7845 §4.2: a packet is at most 120 ms; one page per packet keeps lacing simple */
const MAX_PACKET_BYTES = 255 * 255 - 1;
const VENDOR = 'yihu';

/** frame length in 48 kHz samples by TOC config (RFC 6716 §3.1) */
function frameSamples(config: number): number {
  if (config < 12) return [480, 960, 1920, 2880][config % 4]!; // SILK: 10, 20, 40, 60 ms
  if (config < 16) return [480, 960][config % 2]!; // hybrid: 10, 20 ms
  return [120, 240, 480, 960][config % 4]!; // CELT: 2.5, 5, 10, 20 ms
}

/**
 * Duration of one Opus packet in 48 kHz samples, from its TOC byte and (code 3) its frame
 * count byte; null for a packet RFC 6716 calls malformed (empty, a code 3 packet without its
 * count, zero frames, or more than 120 ms).
 */
export function opusPacketSamples(packet: Buffer): number | null {
  if (packet.length < 1) return null;
  const toc = packet[0]!;
  const per = frameSamples(toc >> 3);
  const code = toc & 3;
  let count = code === 0 ? 1 : code === 3 ? -1 : 2;
  if (count < 0) {
    if (packet.length < 2) return null;
    count = packet[1]! & 0x3f;
  }
  const samples = per * count;
  return count > 0 && samples <= 5760 ? samples : null;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

/** Ogg's CRC-32: polynomial 0x04c11db7, no reflection, initial 0, no final XOR */
export function oggCrc(data: Buffer): number {
  let crc = 0;
  for (const byte of data) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
}

/** one Ogg page holding one whole packet (RFC 3533) */
export function oggPage(o: {
  packet: Buffer;
  granule: bigint;
  serial: number;
  sequence: number;
  bos?: boolean;
  eos?: boolean;
}): Buffer {
  if (o.packet.length > MAX_PACKET_BYTES) throw new RangeError('an Ogg page holds at most 65,024 bytes');
  const lacing: number[] = [];
  let left = o.packet.length;
  while (left >= 255) {
    lacing.push(255);
    left -= 255;
  }
  lacing.push(left); // a last value below 255 ends the packet (0 for an exact multiple)
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'ascii');
  header[4] = 0; // version
  header[5] = (o.bos ? 0x02 : 0) | (o.eos ? 0x04 : 0);
  header.writeBigInt64LE(o.granule, 6);
  header.writeUInt32LE(o.serial >>> 0, 14);
  header.writeUInt32LE(o.sequence >>> 0, 18);
  header.writeUInt32LE(0, 22); // the CRC is computed with this field zero
  header[26] = lacing.length;
  Buffer.from(lacing).copy(header, 27);
  const page = Buffer.concat([header, o.packet]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** RFC 7845 §5.1: version 1, channels, pre-skip, the original rate, gain 0, mapping family 0 */
function opusHead(channels: number): Buffer {
  const h = Buffer.alloc(19);
  h.write('OpusHead', 0, 'ascii');
  h[8] = 1;
  h[9] = channels;
  h.writeUInt16LE(0, 10); // pre-skip: the stream was cut from a live call, nothing to skip
  h.writeUInt32LE(GRANULE_RATE, 12);
  h.writeInt16LE(0, 16);
  h[18] = 0;
  return h;
}

/** RFC 7845 §5.2: the vendor string and no comments */
function opusTags(): Buffer {
  const vendor = Buffer.from(VENDOR, 'utf8');
  const t = Buffer.alloc(8 + 4 + vendor.length + 4);
  t.write('OpusTags', 0, 'ascii');
  t.writeUInt32LE(vendor.length, 8);
  vendor.copy(t, 12);
  t.writeUInt32LE(0, 12 + vendor.length);
  return t;
}

/**
 * Streaming writer. The headers are written when the first packet arrives (its TOC says
 * mono or stereo). Each packet is held until the next arrives, so that close() can mark the
 * last one end-of-stream; a crash loses at most that one packet (20 ms). Malformed packets
 * are skipped and counted. Writes land at explicit offsets, in call order.
 */
export class OggOpusWriter {
  private offset = 0;
  private sequence = 0;
  private granule = 0n;
  private held: Buffer | null = null;
  private started = false;
  private closed = false;
  private bytes = 0;
  skipped = 0;

  private constructor(
    private readonly file: FileHandle,
    private readonly serial: number,
  ) {}

  static async open(path: string, serial = Math.floor(Math.random() * 2 ** 32)): Promise<OggOpusWriter> {
    return new OggOpusWriter(await open(path, 'w'), serial);
  }

  async write(packet: Buffer): Promise<void> {
    if (this.closed) throw new Error('Ogg Opus writer is closed');
    if (opusPacketSamples(packet) === null || packet.length > MAX_PACKET_BYTES) {
      this.skipped++;
      return;
    }
    if (!this.started) {
      this.started = true;
      const channels = packet[0]! & 0x04 ? 2 : 1;
      await this.put(opusHead(channels), 0n, { bos: true });
      await this.put(opusTags(), 0n);
    }
    const previous = this.held;
    this.held = Buffer.from(packet);
    if (previous) await this.putAudio(previous, false);
  }

  async close(): Promise<{ bytes: number; durationMs: number }> {
    if (this.closed) throw new Error('Ogg Opus writer is closed');
    this.closed = true;
    try {
      if (this.held) await this.putAudio(this.held, true);
      this.held = null;
    } finally {
      await this.file.close();
    }
    return { bytes: this.bytes, durationMs: Number((this.granule * 1000n) / BigInt(GRANULE_RATE)) };
  }

  private async putAudio(packet: Buffer, eos: boolean): Promise<void> {
    this.granule += BigInt(opusPacketSamples(packet)!);
    this.bytes += packet.length;
    await this.put(packet, this.granule, { eos });
  }

  private async put(packet: Buffer, granule: bigint, flags: { bos?: boolean; eos?: boolean } = {}) {
    const page = oggPage({ packet, granule, serial: this.serial, sequence: this.sequence++, ...flags });
    const at = this.offset;
    this.offset += page.length;
    await this.file.write(page, 0, page.length, at);
  }
}

/**
 * Audio bytes and length of an Ogg Opus file as far as its whole pages go (a file cut by a
 * crash ends in a partial page, which is not counted): the last granule position, and the
 * packet bytes after the two header pages.
 */
export function oggOpusExtent(buf: Buffer): { bytes: number; durationMs: number } {
  let at = 0;
  let page = 0;
  let bytes = 0;
  let granule = 0n;
  while (at + 27 <= buf.length && buf.toString('ascii', at, at + 4) === 'OggS') {
    const n = buf[at + 26]!;
    if (at + 27 + n > buf.length) break;
    let size = 0;
    for (let i = 0; i < n; i++) size += buf[at + 27 + i]!;
    if (at + 27 + n + size > buf.length) break;
    if (page++ >= 2) {
      bytes += size;
      granule = buf.readBigInt64LE(at + 6);
    }
    at += 27 + n + size;
  }
  return { bytes, durationMs: Number((granule * 1000n) / BigInt(GRANULE_RATE)) };
}
