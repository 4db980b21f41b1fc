import { describe, expect, it } from '@jest/globals';
import { buildRtp, parseRtp, RtpSender, type RtpPacket } from './rtp.js';

const packet: RtpPacket = {
  payloadType: 8,
  sequence: 0xfffe,
  timestamp: 0xfffffff0,
  ssrc: 0xdeadbeef,
  marker: true,
  payload: Buffer.from([1, 2, 3, 4, 5]),
};

describe('RTP', () => {
  it('builds the RFC 3550 header and parses it back', () => {
    const buf = buildRtp(packet);
    expect([...buf.subarray(0, 12)]).toEqual([
      0x80, 0x88, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xf0, 0xde, 0xad, 0xbe, 0xef,
    ]);
    const parsed = parseRtp(buf)!;
    expect({ ...parsed, payload: [...parsed.payload] }).toEqual({ ...packet, payload: [1, 2, 3, 4, 5] });
  });

  it('skips CSRCs, a header extension and padding', () => {
    const head = Buffer.from([0xb2, 0x08, 0, 7, 0, 0, 0, 160, 0, 0, 0, 9]); // V=2 P X CC=2
    const csrcs = Buffer.alloc(8, 0xcc);
    const ext = Buffer.from([0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0]); // one 32-bit word
    const body = Buffer.from([9, 8, 7]);
    const padding = Buffer.from([0, 0, 3]);
    const p = parseRtp(Buffer.concat([head, csrcs, ext, body, padding]))!;
    expect(p).not.toBeNull();
    expect([...p.payload]).toEqual([9, 8, 7]);
    expect(p).toMatchObject({ payloadType: 8, sequence: 7, timestamp: 160, ssrc: 9, marker: false });
  });

  it('rejects what is not RTP v2 or overruns the buffer', () => {
    const ok = buildRtp(packet);
    const mutate = (f: (b: Buffer) => void, len = ok.length) => {
      const b = Buffer.from(ok.subarray(0, len));
      f(b);
      return parseRtp(b);
    };
    expect(parseRtp(Buffer.alloc(0))).toBeNull();
    expect(parseRtp(ok.subarray(0, 11))).toBeNull();
    expect(mutate((b) => (b[0] = 0x40))).toBeNull(); // version 1
    expect(mutate((b) => (b[0] = 0xc0))).toBeNull(); // version 3
    expect(mutate((b) => (b[0] = 0x8f))).toBeNull(); // 15 CSRCs in 17 bytes
    expect(mutate((b) => (b[0] = 0x90), 14)).toBeNull(); // extension header cut
    expect(mutate((b) => (b[0] = 0x90) && b.writeUInt16BE(100, 14))).toBeNull(); // extension overrun
    expect(mutate((b) => ((b[0] = 0xa0), (b[b.length - 1] = 200)))).toBeNull(); // padding overrun
    expect(mutate((b) => ((b[0] = 0xa0), (b[b.length - 1] = 0)))).toBeNull(); // padding of zero
    expect(parseRtp(ok.subarray(0, 12))!.payload.length).toBe(0); // header only is valid
  });

  it('refuses to build out-of-range fields', () => {
    expect(() => buildRtp({ ...packet, payloadType: 128 })).toThrow(RangeError);
    expect(() => buildRtp({ ...packet, sequence: 65536 })).toThrow(RangeError);
    expect(() => buildRtp({ ...packet, timestamp: -1 })).toThrow(RangeError);
    expect(() => buildRtp({ ...packet, ssrc: 2 ** 32 })).toThrow(RangeError);
  });

  it('a sender wraps sequence and timestamp, marks talk spurts, and skips silence', () => {
    const s = new RtpSender({
      ssrc: 42,
      payloadType: 8,
      samplesPerFrame: 160,
      initialSequence: 0xffff,
      initialTimestamp: 0xffffffff - 100,
    });
    const a = parseRtp(s.next(Buffer.alloc(160)))!;
    const b = parseRtp(s.next(Buffer.alloc(160)))!;
    expect([a.sequence, a.timestamp, a.marker]).toEqual([0xffff, 0xffffffff - 100, true]);
    expect([b.sequence, b.timestamp, b.marker]).toEqual([0, 59, false]);
    s.skip(3);
    const c = parseRtp(s.next(Buffer.alloc(160)))!;
    expect([c.sequence, c.timestamp, c.marker, c.ssrc, c.payloadType]).toEqual([
      1,
      59 + 4 * 160,
      true,
      42,
      8,
    ]);
    expect(parseRtp(s.next(Buffer.alloc(160), true))!.marker).toBe(true);
    expect(() => s.skip(-1)).toThrow(RangeError);
  });

  it('starts a sender at random sequence and timestamp', () => {
    const starts = new Set(
      Array.from(
        { length: 8 },
        () =>
          parseRtp(new RtpSender({ ssrc: 1, payloadType: 8, samplesPerFrame: 160 }).next(Buffer.alloc(0)))!
            .timestamp,
      ),
    );
    expect(starts.size).toBeGreaterThan(1);
  });
});
