import { randomInt } from 'node:crypto';

/** RFC 3550 §5.1 fixed header; the payload aliases the parsed buffer (no copy) */
export interface RtpPacket {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Buffer;
}

const HEADER = 12;

/**
 * null for anything that is not RTP v2 (too short, bad version, CSRC/extension/padding
 * overrunning the buffer); tolerates CSRCs, header extensions and padding
 */
export function parseRtp(buf: Buffer): RtpPacket | null {
  if (buf.length < HEADER) return null;
  const b0 = buf[0]!;
  if (b0 >> 6 !== 2) return null;
  let offset = HEADER + 4 * (b0 & 0x0f);
  if (b0 & 0x10) {
    // RFC 3550 §5.3.1: 16-bit profile field, then the extension length in 32-bit words
    if (offset + 4 > buf.length) return null;
    offset += 4 + 4 * buf.readUInt16BE(offset + 2);
  }
  if (offset > buf.length) return null;
  let end = buf.length;
  if (b0 & 0x20) {
    // §5.1: the last octet counts the padding, itself included, so it is never 0
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || offset + pad > buf.length) return null;
    end -= pad;
  }
  const b1 = buf[1]!;
  return {
    payloadType: b1 & 0x7f,
    marker: (b1 & 0x80) !== 0,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}

function checkUint(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`RTP ${name} out of range: ${v}`);
}

export function buildRtp(p: RtpPacket): Buffer {
  checkUint('payloadType', p.payloadType, 0x7f);
  checkUint('sequence', p.sequence, 0xffff);
  checkUint('timestamp', p.timestamp, 0xffffffff);
  checkUint('ssrc', p.ssrc, 0xffffffff);
  const out = Buffer.allocUnsafe(HEADER + p.payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  out.writeUInt16BE(p.sequence, 2);
  out.writeUInt32BE(p.timestamp, 4);
  out.writeUInt32BE(p.ssrc, 8);
  p.payload.copy(out, HEADER);
  return out;
}

/**
 * A sender's running sequence/timestamp: next() wraps at 2^16 / 2^32. Without an explicit
 * marker, the first packet of a talk spurt (the first one, and the first after skip()) is
 * marked, as RFC 3551 §4.1 asks of audio after silence. Initial values are random (§5.1).
 */
export class RtpSender {
  private readonly ssrc: number;
  private readonly payloadType: number;
  private readonly samplesPerFrame: number;
  private sequence: number;
  private timestamp: number;
  private spurtStart = true;

  constructor(o: {
    ssrc: number;
    payloadType: number;
    samplesPerFrame: number;
    initialSequence?: number;
    initialTimestamp?: number;
  }) {
    checkUint('ssrc', o.ssrc, 0xffffffff);
    checkUint('payloadType', o.payloadType, 0x7f);
    if (!Number.isInteger(o.samplesPerFrame) || o.samplesPerFrame <= 0) {
      throw new RangeError(`samplesPerFrame must be a positive integer: ${o.samplesPerFrame}`);
    }
    this.ssrc = o.ssrc;
    this.payloadType = o.payloadType;
    this.samplesPerFrame = o.samplesPerFrame;
    this.sequence = o.initialSequence ?? randomInt(0x10000);
    this.timestamp = o.initialTimestamp ?? randomInt(0xffffffff);
    checkUint('initialSequence', this.sequence, 0xffff);
    checkUint('initialTimestamp', this.timestamp, 0xffffffff);
  }

  /** returns the whole packet */
  next(payload: Buffer, marker?: boolean): Buffer {
    const packet = buildRtp({
      payloadType: this.payloadType,
      sequence: this.sequence,
      timestamp: this.timestamp,
      ssrc: this.ssrc,
      marker: marker ?? this.spurtStart,
      payload,
    });
    this.spurtStart = false;
    this.sequence = (this.sequence + 1) & 0xffff;
    this.timestamp = (this.timestamp + this.samplesPerFrame) % 0x100000000;
    return packet;
  }

  /** skip `frames` of silence without sending (timestamp advances, sequence does not) */
  skip(frames: number): void {
    if (!Number.isInteger(frames) || frames < 0)
      throw new RangeError(`frames must be a non-negative integer: ${frames}`);
    if (frames === 0) return;
    this.timestamp = (this.timestamp + frames * this.samplesPerFrame) % 0x100000000;
    this.spurtStart = true;
  }
}
