import { describe, expect, it } from '@jest/globals';
import { RateBuckets } from './radio-rate.js';

describe('RateBuckets', () => {
  it('allows a burst of `rate`, then `rate` a second', () => {
    const b = new RateBuckets();
    const taken = Array.from({ length: 30 }, () => b.take('g/state', 20, 1000)).filter(Boolean).length;
    expect(taken).toBe(20);
    expect(b.take('g/state', 20, 1000)).toBe(false);
    // 100 ms later: two tokens back
    expect(b.take('g/state', 20, 1100)).toBe(true);
    expect(b.take('g/state', 20, 1100)).toBe(true);
    expect(b.take('g/state', 20, 1100)).toBe(false);
    // a full second refills to the burst and no further
    const after = Array.from({ length: 30 }, () => b.take('g/state', 20, 5000)).filter(Boolean).length;
    expect(after).toBe(20);
  });

  it('keeps keys apart and forgets by prefix', () => {
    const b = new RateBuckets();
    for (let i = 0; i < 5; i++) expect(b.take('a/join', 5, 0)).toBe(true);
    expect(b.take('a/join', 5, 0)).toBe(false);
    expect(b.take('b/join', 5, 0)).toBe(true);
    expect(b.take('a/state', 20, 0)).toBe(true);
    b.forget('a/');
    expect(b.take('a/join', 5, 0)).toBe(true);
  });

  it('stays bounded', () => {
    const b = new RateBuckets(3);
    for (const k of ['a', 'b', 'c']) b.take(k, 1, 0);
    expect(b.take('a', 1, 0)).toBe(false);
    // a fourth key clears the table rather than growing it
    expect(b.take('d', 1, 0)).toBe(true);
    expect(b.take('a', 1, 0)).toBe(true);
  });
});
