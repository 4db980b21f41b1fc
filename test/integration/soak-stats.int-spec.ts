import { describe, expect, it } from '@jest/globals';
// @ts-expect-error the soak's arithmetic is plain JavaScript beside the benchmarks
import { fit, judge, verdict } from '../../bench/soak-stats.mjs';

// The rule that turns the soak's samples into "flat" or "growing" (bench/soak.mjs): pure,
// so it is checked here on made-up series rather than by a flaky minute-long soak.
const series = (n: number, y: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({ x: i / 360, y: y(i) }));
// a fixed sawtooth for "noise": garbage collection makes heap and RSS look like this
const saw = (i: number) => ((i * 37) % 11) - 5;

describe('soak verdict', () => {
  it('fits the slope of a straight line exactly, per hour', () => {
    const f = fit(series(100, (i) => 100 + (i / 360) * 12));
    expect(f.slope).toBeCloseTo(12, 6);
    expect(f.se).toBeCloseTo(0, 6);
  });

  it('calls noise around a level flat', () => {
    expect(
      verdict(
        series(300, (i) => 500 + saw(i) * 4),
        10,
      ).verdict,
    ).toBe('flat');
  });

  it('calls a steady climb beyond the tolerance growing, even under noise', () => {
    // 40 MiB an hour under ±20 MiB of sawtooth, over 50 minutes of samples
    expect(
      verdict(
        series(300, (i) => 500 + (i / 360) * 40 + saw(i) * 4),
        10,
      ).verdict,
    ).toBe('growing');
  });

  it('calls a climb smaller than the tolerance flat: too small to matter', () => {
    expect(
      verdict(
        series(300, (i) => 500 + (i / 360) * 3),
        10,
      ).verdict,
    ).toBe('flat');
  });

  it('leaves the warm-up out of the fit', () => {
    // memory that rises for the first 5 minutes, then holds, over 40 minutes
    const samples = Array.from({ length: 240 }, (_, i) => ({
      t: i * 10,
      rss: i < 30 ? 300 + i * 5 : 450 + saw(i),
      heap: 80 + saw(i) / 2,
      worker: null,
      handles: 30,
      db: null,
    }));
    const rows = judge(samples, 300) as { key: string; verdict: string }[];
    expect(rows.map((r) => [r.key, r.verdict])).toEqual([
      ['rss', 'flat'],
      ['heap', 'flat'],
      ['handles', 'flat'],
    ]);
    const withWarmup = judge(samples, 0) as { key: string; verdict: string }[];
    expect(withWarmup.find((r) => r.key === 'rss')!.verdict).toBe('growing');
  });

  it('calls a memory climb in a window shorter than a heap cycle inconclusive, but still judges handles', () => {
    // 10 minutes: a heap climbing between two major collections looks like a leak
    const samples = Array.from({ length: 60 }, (_, i) => ({
      t: i * 10,
      rss: 150 + i,
      heap: 70 + i,
      worker: null,
      handles: 30 + i,
      db: null,
    }));
    const rows = judge(samples, 0) as { key: string; verdict: string }[];
    expect(rows.map((r) => [r.key, r.verdict])).toEqual([
      ['rss', 'inconclusive (window < 30 min)'],
      ['heap', 'inconclusive (window < 30 min)'],
      ['handles', 'growing'],
    ]);
  });
});
