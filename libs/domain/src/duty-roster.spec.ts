import { describe, expect, it } from '@jest/globals';
import {
  dutyAssigneeDenial,
  generateRotation,
  onDutyAt,
  rosterGaps,
  rosterWindowDenial,
  rotationDenial,
  selfOverlaps,
  shiftsOverlap,
  shiftTimesDenial,
  type RosterShift,
} from './duty-roster.js';
import { shanghaiDay, toShanghaiIso } from './shanghai-time.js';

const at = (iso: string) => new Date(iso);
const shift = (
  id: string,
  userId: string,
  role: 'leader' | 'officer',
  from: string,
  to: string,
): RosterShift => ({
  id,
  userId,
  role,
  startsAt: at(from),
  endsAt: at(to),
});

describe('duty roster rules', () => {
  it('refuses inverted, empty and overlong shifts', () => {
    expect(
      shiftTimesDenial({
        startsAt: at('2026-12-07T08:00:00+08:00'),
        endsAt: at('2026-12-07T20:00:00+08:00'),
      }),
    ).toBeNull();
    expect(
      shiftTimesDenial({ startsAt: at('2026-12-07T20:00:00+08:00'), endsAt: at('2026-12-07T08:00:00+08:00') })
        ?.message,
    ).toMatch(/inverted/);
    expect(
      shiftTimesDenial({ startsAt: at('2026-12-07T08:00:00+08:00'), endsAt: at('2026-12-07T08:00:00+08:00') })
        ?.code,
    ).toBe('invalid');
    expect(
      shiftTimesDenial({ startsAt: at('2026-12-07T08:00:00+08:00'), endsAt: at('2026-12-09T08:00:01+08:00') })
        ?.message,
    ).toMatch(/48 hours/);
  });

  it('treats shifts as half-open: back to back is no overlap', () => {
    const day = { startsAt: at('2026-12-07T08:00:00+08:00'), endsAt: at('2026-12-07T20:00:00+08:00') };
    const night = { startsAt: at('2026-12-07T20:00:00+08:00'), endsAt: at('2026-12-08T08:00:00+08:00') };
    expect(shiftsOverlap(day, night)).toBe(false);
    expect(shiftsOverlap(day, { startsAt: at('2026-12-07T19:59:00+08:00'), endsAt: night.endsAt })).toBe(
      true,
    );
    expect(
      shiftsOverlap(day, {
        startsAt: at('2026-12-07T09:00:00+08:00'),
        endsAt: at('2026-12-07T10:00:00+08:00'),
      }),
    ).toBe(true);
  });

  it('speaks Asia/Shanghai: +08:00 all year, no DST', () => {
    expect(toShanghaiIso(at('2026-12-06T16:00:00Z'))).toBe('2026-12-07T00:00:00+08:00');
    expect(toShanghaiIso(at('2026-07-01T00:30:00Z'))).toBe('2026-07-01T08:30:00+08:00');
    expect(shanghaiDay(at('2026-12-06T16:00:00Z'))).toBe('2026-12-07');
    expect(shanghaiDay(at('2026-12-06T15:59:59Z'))).toBe('2026-12-06');
  });

  it('generates a rotation with a slot across midnight, in Shanghai wall time', () => {
    const shifts = generateRotation(
      [
        { start: '08:00', end: '20:00', leader: 'L1', officers: ['A', 'B'] },
        { start: '20:00', end: '08:00', leader: 'L2', officers: ['C'] },
      ],
      '2026-03-28',
      2,
    );
    expect(shifts).toHaveLength(10);
    const night = shifts.filter((s) => s.userId === 'C');
    expect(night.map((s) => [toShanghaiIso(s.startsAt), toShanghaiIso(s.endsAt)])).toEqual([
      ['2026-03-28T20:00:00+08:00', '2026-03-29T08:00:00+08:00'],
      ['2026-03-29T20:00:00+08:00', '2026-03-30T08:00:00+08:00'],
    ]);
    // every shift is exactly 12 hours: no DST shortening in Europe's changeover week
    for (const s of shifts) expect(s.endsAt.getTime() - s.startsAt.getTime()).toBe(12 * 3600_000);
    expect(shifts.find((s) => s.userId === 'L1')!.startsAt.toISOString()).toBe('2026-03-28T00:00:00.000Z');
    expect(selfOverlaps(shifts)).toEqual([]);
  });

  it('takes 08:00-08:00 as 24 hours and finds a person rostered twice at once', () => {
    const shifts = generateRotation([{ start: '08:00', end: '08:00', officers: ['A'] }], '2026-12-07', 1);
    expect(shifts[0]!.endsAt.getTime() - shifts[0]!.startsAt.getTime()).toBe(24 * 3600_000);
    const clash = generateRotation(
      [
        { start: '08:00', end: '20:00', officers: ['A'] },
        { start: '19:00', end: '08:00', officers: ['A'] },
      ],
      '2026-12-07',
      1,
    );
    expect(selfOverlaps(clash)).toEqual([[0, 1]]);
  });

  it('refuses a rotation with a bad day, bad time, an empty slot or a person twice in one slot', () => {
    const ok = [{ start: '08:00', end: '20:00', officers: ['A'] }];
    expect(rotationDenial(ok, '2026-12-07')).toBeNull();
    expect(rotationDenial(ok, '2026-13-45')?.fields?.[0]?.path).toBe('from');
    expect(rotationDenial(ok, '2026-02-30')?.fields?.[0]?.path).toBe('from');
    expect(rotationDenial(ok, '0000-01-01')?.message).toMatch(/2000 to 2099/);
    expect(
      rotationDenial([{ start: '24:00', end: '08:00', officers: ['A'] }], '2026-12-07')?.fields?.[0]?.path,
    ).toBe('slots.0.start');
    expect(rotationDenial([{ start: '08:00', end: '20:00', officers: [] }], '2026-12-07')?.message).toMatch(
      /nobody/,
    );
    expect(
      rotationDenial([{ start: '08:00', end: '20:00', leader: 'A', officers: ['A'] }], '2026-12-07')?.message,
    ).toMatch(/twice/);
  });

  it('says who is on duty at an instant and until when', () => {
    const shifts = [
      shift('1', 'L1', 'leader', '2026-12-07T08:00:00+08:00', '2026-12-07T20:00:00+08:00'),
      shift('2', 'A', 'officer', '2026-12-07T08:00:00+08:00', '2026-12-07T14:00:00+08:00'),
      shift('3', 'B', 'officer', '2026-12-07T08:00:00+08:00', '2026-12-07T20:00:00+08:00'),
    ];
    const on = onDutyAt(shifts, at('2026-12-07T09:00:00+08:00'));
    expect(on.leader?.userId).toBe('L1');
    expect(on.officers.map((s) => s.userId)).toEqual(['A', 'B']);
    expect(toShanghaiIso(on.until!)).toBe('2026-12-07T14:00:00+08:00');
    expect(onDutyAt(shifts, at('2026-12-07T20:00:00+08:00'))).toEqual({
      leader: null,
      officers: [],
      until: null,
    });
  });

  it('flags stretches without a leader or with too few officers, merged', () => {
    const shifts = [
      shift('1', 'L1', 'leader', '2026-12-07T08:00:00+08:00', '2026-12-07T20:00:00+08:00'),
      shift('2', 'A', 'officer', '2026-12-07T08:00:00+08:00', '2026-12-08T08:00:00+08:00'),
      shift('3', 'B', 'officer', '2026-12-07T08:00:00+08:00', '2026-12-07T14:00:00+08:00'),
    ];
    const gaps = rosterGaps(shifts, at('2026-12-07T08:00:00+08:00'), at('2026-12-08T08:00:00+08:00'), 2);
    expect(
      gaps.map((g) => [
        toShanghaiIso(g.startsAt),
        toShanghaiIso(g.endsAt),
        g.missingLeader,
        g.missingOfficers,
      ]),
    ).toEqual([
      ['2026-12-07T14:00:00+08:00', '2026-12-07T20:00:00+08:00', false, 1],
      ['2026-12-07T20:00:00+08:00', '2026-12-08T08:00:00+08:00', true, 1],
    ]);
    expect(rosterGaps([], at('2026-12-07T00:00:00+08:00'), at('2026-12-08T00:00:00+08:00'), 2)).toEqual([
      expect.objectContaining({ missingLeader: true, missingOfficers: 2, leaders: 0, officers: 0 }),
    ]);
    expect(rosterGaps(shifts, at('2026-12-07T08:00:00+08:00'), at('2026-12-07T14:00:00+08:00'), 2)).toEqual(
      [],
    );
  });

  it('bounds the window asked about', () => {
    expect(rosterWindowDenial(at('2026-12-07T00:00:00Z'), at('2026-12-06T00:00:00Z'))?.message).toMatch(
      /after/,
    );
    expect(rosterWindowDenial(at('2026-01-01T00:00:00Z'), at('2026-06-01T00:00:00Z'))?.message).toMatch(
      /62 days/,
    );
  });

  it('takes a user of the site or a site above it, never below or beside', () => {
    expect(dutyAssigneeDenial('userId', 'u', '/c/t/', { sitePath: '/c/t/', disabled: false })).toBeNull();
    expect(dutyAssigneeDenial('userId', 'u', '/c/t/', { sitePath: '/c/', disabled: false })).toBeNull();
    expect(
      dutyAssigneeDenial('userId', 'u', '/c/t/', { sitePath: '/c/s/', disabled: false })?.message,
    ).toMatch(/neither/);
    expect(dutyAssigneeDenial('userId', 'u', '/c/', { sitePath: '/c/t/', disabled: false })?.code).toBe(
      'invalid',
    );
    expect(dutyAssigneeDenial('userId', 'u', '/c/', { sitePath: '/c/', disabled: true })?.message).toMatch(
      /disabled/,
    );
    expect(dutyAssigneeDenial('userId', 'u', '/c/', undefined)?.fields?.[0]?.path).toBe('userId');
  });
});
