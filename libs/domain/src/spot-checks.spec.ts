import { describe, expect, it } from '@jest/globals';
import {
  dueSlots,
  missStreak,
  monthlyStats,
  percentile,
  planAnswer,
  sampleSites,
  scheduleSlots,
  seededRandom,
  shanghaiMonth,
  shouldEscalate,
  toCsv,
} from './spot-checks.js';
import { shanghaiDay } from './shanghai-time.js';

describe('sampleSites', () => {
  const pool = Array.from({ length: 50 }, (_, i) => `s${i}`);

  it('draws distinct sites from the pool, the same ones for the same seed', () => {
    const a = sampleSites(pool, 10, seededRandom('x'));
    const b = sampleSites(pool, 10, seededRandom('x'));
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(new Set(a.siteIds).size).toBe(10);
    expect(a.siteIds.every((s) => pool.includes(s))).toBe(true);
    expect(a.siteIds).toEqual(b.siteIds);
    const c = sampleSites(pool, 10, seededRandom('y'));
    expect(c.ok && c.siteIds).not.toEqual(a.siteIds);
  });

  it('refuses a sample larger than the pool, or below one', () => {
    expect(sampleSites(['a', 'b', 'a'], 3)).toEqual({
      ok: false,
      reason: 'sample of 3 is larger than the 2 sites in scope',
    });
    expect(sampleSites(pool, 0).ok).toBe(false);
  });

  it('gives every site a fair chance', () => {
    const hits = new Map<string, number>();
    const random = seededRandom('fair');
    for (let i = 0; i < 5000; i++) {
      const r = sampleSites(['a', 'b', 'c', 'd'], 1, random);
      if (r.ok) hits.set(r.siteIds[0]!, (hits.get(r.siteIds[0]!) ?? 0) + 1);
    }
    for (const n of hits.values()) expect(n).toBeGreaterThan(1100);
  });
});

describe('planAnswer', () => {
  const check = { issuedAt: new Date('2026-12-06T10:00:00Z'), deadline: new Date('2026-12-06T10:05:00Z') };

  it('records an answer by the deadline as answered, after it as late', () => {
    expect(planAnswer('pending', check, new Date('2026-12-06T10:05:00Z'))).toEqual({
      kind: 'record',
      state: 'answered',
      latencyMs: 300_000,
    });
    expect(planAnswer('pending', check, new Date('2026-12-06T10:05:00.001Z'))).toMatchObject({
      state: 'late',
    });
    expect(planAnswer('missed', check, new Date('2026-12-06T11:00:00Z'))).toMatchObject({
      kind: 'record',
      state: 'late',
    });
  });

  it('keeps the first answer', () => {
    expect(planAnswer('answered', check, new Date('2026-12-06T10:06:00Z'))).toEqual({
      kind: 'duplicate',
      state: 'answered',
    });
    expect(planAnswer('late', check, new Date('2026-12-06T10:01:00Z'))).toEqual({
      kind: 'duplicate',
      state: 'late',
    });
  });
});

describe('escalation after misses', () => {
  it('counts misses in a row from the newest', () => {
    expect(missStreak(['missed', 'missed', 'answered', 'missed'])).toBe(2);
    expect(missStreak(['late', 'missed'])).toBe(0);
    expect(missStreak([])).toBe(0);
  });

  it('escalates at two in a row, to a parent only', () => {
    expect(shouldEscalate(1, 'p')).toBe(false);
    expect(shouldEscalate(2, 'p')).toBe(true);
    expect(shouldEscalate(3, 'p')).toBe(true);
    expect(shouldEscalate(2, null)).toBe(false);
  });
});

describe('schedules', () => {
  const rule = {
    id: 'sch-1',
    times: ['09:30', '23:59'],
    randomPerDay: { count: 3, between: ['08:00', '22:00'] as const },
  };

  it('puts fixed times at Shanghai time and random ones inside the window, the same on every instance', () => {
    const slots = scheduleSlots(rule, '2026-12-06');
    expect(slots.map((s) => s.toISOString())).toContain('2026-12-06T01:30:00.000Z');
    expect(slots.map((s) => s.toISOString())).toContain('2026-12-06T15:59:00.000Z');
    expect(slots).toHaveLength(5);
    const random = slots.filter(
      (s) => !['2026-12-06T01:30:00.000Z', '2026-12-06T15:59:00.000Z'].includes(s.toISOString()),
    );
    for (const s of random) {
      expect(s.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-12-06T00:00:00Z'));
      expect(s.getTime()).toBeLessThan(Date.parse('2026-12-06T14:00:00Z'));
    }
    expect(scheduleSlots(rule, '2026-12-06')).toEqual(slots);
    expect(scheduleSlots(rule, '2026-12-07').map((s) => s.getTime() - 86_400_000)).not.toEqual(
      slots.map((s) => s.getTime()),
    );
  });

  it('fires a slot once it is due and within the grace, across midnight', () => {
    const fixed = { id: 'f', times: ['23:59'], randomPerDay: null };
    // 00:01 Shanghai on the 7th: yesterday's 23:59 slot is 2 minutes old
    const now = new Date('2026-12-06T16:01:00Z');
    expect(shanghaiDay(now)).toBe('2026-12-07');
    expect(dueSlots(fixed, now, 5 * 60_000).map((s) => s.toISOString())).toEqual([
      '2026-12-06T15:59:00.000Z',
    ]);
    expect(dueSlots(fixed, now, 60_000)).toEqual([]);
    expect(dueSlots(fixed, new Date('2026-12-06T15:58:59Z'), 5 * 60_000)).toEqual([]);
  });
});

describe('monthly 通报', () => {
  it('bounds a month in Shanghai time', () => {
    expect(shanghaiMonth('2026-12')).toEqual({
      from: new Date('2026-11-30T16:00:00Z'),
      to: new Date('2026-12-31T16:00:00Z'),
    });
    expect(shanghaiMonth('2026-13')).toBeNull();
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(
      percentile(
        Array.from({ length: 10 }, (_, i) => i + 1),
        90,
      ),
    ).toBe(9);
    expect(percentile([5], 90)).toBe(5);
  });

  it('counts each township, with zeros for one never checked', () => {
    const rows = monthlyStats(
      ['a', 'b'],
      [
        { siteId: 'a', state: 'answered', latencyMs: 1000 },
        { siteId: 'a', state: 'late', latencyMs: 9000 },
        { siteId: 'a', state: 'missed', latencyMs: null },
        { siteId: 'a', state: 'answered', latencyMs: 3000 },
        { siteId: 'z', state: 'answered', latencyMs: 1 },
      ],
    );
    expect(rows).toEqual([
      { siteId: 'a', checks: 4, answeredOnTime: 2, late: 1, missed: 1, medianMs: 3000, p90Ms: 9000 },
      { siteId: 'b', checks: 0, answeredOnTime: 0, late: 0, missed: 0, medianMs: null, p90Ms: null },
    ]);
  });

  it('writes CSV with a BOM, quoting and no formulas', () => {
    expect(
      toCsv(
        ['乡镇', 'n'],
        [
          ['a,"b"', 1],
          ['=cmd', null],
        ],
      ),
    ).toBe('\uFEFF乡镇,n\r\n"a,""b""",1\r\n\'=cmd,\r\n');
  });
});
