import { describe, expect, it } from '@jest/globals';
import { JitterBuffer } from './jitter-buffer.js';
import type { RtpPacket } from './rtp.js';

const pkt = (sequence: number, ssrc = 1): RtpPacket => ({
  payloadType: 8,
  sequence: sequence & 0xffff,
  timestamp: (sequence * 160) >>> 0,
  ssrc,
  marker: false,
  payload: Buffer.from([sequence & 0xff, (sequence >> 8) & 0xff]),
});
const seqOf = (b: Buffer | null) => (b === null ? null : b[0]! | (b[1]! << 8));

/** pops every 20 ms from `from` to `to` (exclusive), mapping payloads back to sequences */
function drain(jb: JitterBuffer, from: number, to: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let t = from; t < to; t += 20) out.push(seqOf(jb.pop(t)));
  return out;
}

describe('JitterBuffer', () => {
  it('holds the target delay, then plays in sequence order', () => {
    const jb = new JitterBuffer({ targetMs: 60 });
    expect(jb.push(pkt(10), 0)).toBe(true);
    expect(jb.pop(0)).toBeNull();
    expect(jb.push(pkt(12), 20)).toBe(true);
    expect(jb.push(pkt(11), 25)).toBe(true);
    expect(jb.pop(40)).toBeNull();
    expect(jb.depth).toBe(3);
    expect(drain(jb, 60, 120)).toEqual([10, 11, 12]);
    expect(jb.depth).toBe(0);
  });

  it('returns null for a lost packet and plays on', () => {
    const jb = new JitterBuffer({ targetMs: 40 });
    for (const s of [1, 2, 4, 5]) jb.push(pkt(s), 0);
    expect(drain(jb, 40, 140)).toEqual([1, 2, null, 4, 5]);
  });

  it('drops a packet that arrives after its turn, and duplicates', () => {
    const jb = new JitterBuffer({ targetMs: 40 });
    for (const s of [1, 3, 4]) jb.push(pkt(s), 0);
    expect(drain(jb, 40, 80)).toEqual([1, null]);
    expect(jb.push(pkt(2), 80)).toBe(false);
    expect(jb.push(pkt(4), 80)).toBe(false);
    expect(jb.push(pkt(5), 80)).toBe(true);
    expect(drain(jb, 80, 120)).toEqual([3, 4]);
  });

  it('is bounded: refuses past maxMs, and clamps maxMs to 600 ms', () => {
    const jb = new JitterBuffer({ targetMs: 60, maxMs: 100 });
    const accepted = Array.from({ length: 8 }, (_, i) => jb.push(pkt(i), 0));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    const big = new JitterBuffer({ targetMs: 60, maxMs: 60_000 });
    let n = 0;
    while (big.push(pkt(n), 0)) n++;
    expect(n).toBe(30);
  });

  it('sequence numbers wrap', () => {
    const jb = new JitterBuffer({ targetMs: 40 });
    for (const s of [65534, 0, 65535, 1]) jb.push(pkt(s), 0);
    expect(drain(jb, 40, 120)).toEqual([65534, 65535, 0, 1]);
  });

  it('pauses when dry and waits the target again for the next talk spurt', () => {
    const jb = new JitterBuffer({ targetMs: 40 });
    jb.push(pkt(1), 0);
    jb.push(pkt(2), 0);
    expect(drain(jb, 40, 120)).toEqual([1, 2, null, null]);
    // the sender skipped silence: the sequence carries on from 3
    jb.push(pkt(3), 500);
    jb.push(pkt(4), 520);
    expect(jb.pop(520)).toBeNull();
    expect(drain(jb, 540, 600)).toEqual([3, 4, null]);
  });

  it('catches up after a burst instead of keeping the extra delay', () => {
    const jb = new JitterBuffer({ targetMs: 40 });
    for (let s = 0; s < 12; s++) jb.push(pkt(s), 0);
    const played = drain(jb, 40, 200).filter((s) => s !== null);
    expect(played).toEqual([1, 3, 5, 7, 8, 9, 10, 11]);
  });

  it('follows a sender that restarted: a new SSRC, or its sequence elsewhere', () => {
    const jb = new JitterBuffer({ targetMs: 40 });
    jb.push(pkt(100), 0);
    jb.push(pkt(101), 0);
    expect(drain(jb, 40, 80)).toEqual([100, 101]);
    // the same SSRC restarting at a lower sequence: one stray is dropped, a run is followed
    const results = [5, 6, 7, 8, 9].map((s, i) => jb.push(pkt(s), 100 + i * 20));
    expect(results).toEqual([false, false, false, false, true]);
    expect(drain(jb, 200, 260)).toEqual([null, 9, null]);
    expect(jb.push(pkt(5000, 2), 300)).toBe(true);
    expect(jb.depth).toBe(1);
    expect(drain(jb, 340, 380)).toEqual([5000, null]);
  });

  it('a stream that went on during a long loss is picked up at once', () => {
    const jb = new JitterBuffer({ targetMs: 40 });
    jb.push(pkt(1), 0);
    expect(drain(jb, 40, 60)).toEqual([1]);
    expect(jb.push(pkt(200), 3000)).toBe(true);
    expect(drain(jb, 3040, 3060)).toEqual([200]);
  });

  it('reset empties it', () => {
    const jb = new JitterBuffer();
    jb.push(pkt(1), 0);
    jb.reset();
    expect(jb.depth).toBe(0);
    expect(jb.pop(1000)).toBeNull();
  });
});
