import { describe, expect, it } from '@jest/globals';
import {
  automaticRound,
  dailyReportAccessDenial,
  lateSeconds,
  monthDays,
  openRoundDenial,
  reminderAt,
  roundClosesAt,
  siteStateAfter,
  versionState,
} from './daily-reports.js';

const t = (iso: string) => new Date(iso);
const due = t('2026-12-07T08:00:00+08:00');

describe('daily reports', () => {
  it('a version after the due time is late whatever its kind', () => {
    expect(versionState('normal', t('2026-12-07T07:59:59+08:00'), due)).toBe('submitted');
    expect(versionState('zero', due, due)).toBe('zero');
    expect(versionState('zero', t('2026-12-07T08:00:00.001+08:00'), due)).toBe('late');
    expect(versionState('normal', t('2026-12-07T09:00:00+08:00'), due)).toBe('late');
  });

  it('the first version decides on time or late; later versions change only the kind', () => {
    const early = t('2026-12-07T07:00:00+08:00');
    const after = t('2026-12-07T09:00:00+08:00');
    expect(siteStateAfter('pending', 'zero', early, due)).toBe('zero');
    expect(siteStateAfter('zero', 'normal', after, due)).toBe('submitted');
    expect(siteStateAfter('submitted', 'zero', after, due)).toBe('zero');
    expect(siteStateAfter('pending', 'normal', after, due)).toBe('late');
    expect(siteStateAfter('late', 'zero', early, due)).toBe('late');
  });

  it('counts lateness in whole seconds, rounded up', () => {
    expect(lateSeconds(t('2026-12-07T07:00:00+08:00'), due)).toBe(0);
    expect(lateSeconds(t('2026-12-07T08:00:00.001+08:00'), due)).toBe(1);
    expect(lateSeconds(t('2026-12-07T08:01:30+08:00'), due)).toBe(90);
  });

  it('closes at the end of the date, or a cut-off after the due time', () => {
    expect(roundClosesAt('2026-12-07', due, null).toISOString()).toBe('2026-12-07T16:00:00.000Z');
    expect(roundClosesAt('2026-12-07', due, 30).toISOString()).toBe('2026-12-07T00:00:30.000Z');
    // due after the date's end (a report about yesterday): never closes before it is due
    const late = t('2026-12-08T09:00:00+08:00');
    expect(roundClosesAt('2026-12-07', late, null)).toEqual(late);
  });

  it('reminds before the due time only when that moment is still ahead', () => {
    const opened = t('2026-12-07T00:00:00+08:00');
    expect(reminderAt(opened, due, 3600)?.toISOString()).toBe('2026-12-06T23:00:00.000Z');
    expect(reminderAt(t('2026-12-07T07:30:00+08:00'), due, 3600)).toBeNull();
    expect(reminderAt(opened, due, 0)).toBeNull();
  });

  it('refuses a round due in the past, too far ahead, or for no real day', () => {
    const now = t('2026-12-07T06:00:00+08:00');
    expect(openRoundDenial('2026-12-07', due, now)).toBeNull();
    expect(openRoundDenial('2026-12-07', t('2026-12-07T05:00:00+08:00'), now)?.fields?.[0]?.path).toBe(
      'dueAt',
    );
    expect(openRoundDenial('2026-02-30', due, now)?.fields?.[0]?.path).toBe('date');
    expect(openRoundDenial('2026-11-01', due, now)?.message).toMatch(/7 days/);
    expect(openRoundDenial('2026-12-08', due, now)).toBeNull();
    expect(openRoundDenial('2026-12-09', due, now)?.message).toMatch(/a day before/);
  });

  it("opens the day's round between the opening and the due time (Asia/Shanghai)", () => {
    expect(automaticRound(t('2026-12-06T23:59:00+08:00'), '00:00', '08:00')).toBeNull();
    const r = automaticRound(t('2026-12-07T00:10:00+08:00'), '00:00', '08:00');
    expect(r).toEqual({ date: '2026-12-07', dueAt: due });
    expect(automaticRound(t('2026-12-07T05:00:00+08:00'), '06:00', '08:00')).toBeNull();
    expect(automaticRound(t('2026-12-07T08:00:00+08:00'), '00:00', '08:00')).toBeNull();
    expect(automaticRound(t('2026-12-07T05:00:00+08:00'), 'bad', '08:00')).toBeNull();
  });

  it('names the days of a month', () => {
    expect(monthDays('2026-02')).toEqual({ first: '2026-02-01', last: '2026-02-28' });
    expect(monthDays('2028-02').last).toBe('2028-02-29');
    expect(monthDays('2026-12').last).toBe('2026-12-31');
  });

  it('lets a duty officer report for their own site only, the others in their scope', () => {
    const town = { id: 'town-1', path: '/root/county/town-1/' };
    const officer = { userId: 'u', role: 'duty_officer' as const, siteId: 'town-1', sitePath: town.path };
    expect(dailyReportAccessDenial(officer, town)).toBeNull();
    expect(dailyReportAccessDenial({ ...officer, siteId: 'town-2' }, town)?.code).toBe('forbidden');
    const dispatcher = {
      userId: 'd',
      role: 'dispatcher' as const,
      siteId: 'county',
      sitePath: '/root/county/',
    };
    expect(dailyReportAccessDenial(dispatcher, town)).toBeNull();
    expect(dailyReportAccessDenial({ ...dispatcher, sitePath: '/root/other/' }, town)?.code).toBe(
      'forbidden',
    );
  });
});
