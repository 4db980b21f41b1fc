import { describe, expect, it } from '@jest/globals';
import type { IncidentSummaryView, IncidentView, ReportView } from '#contracts';
import {
  clock,
  dailyOrder,
  formatCountdown,
  formatLate,
  incidentDeadlines,
  shanghaiMonth,
  shanghaiToday,
  sortByUrgency,
  step,
} from './reporting-model.js';

const NOW = Date.parse('2026-12-07T02:00:00Z');
const at = (offsetSeconds: number) => new Date(NOW + offsetSeconds * 1000).toISOString();

const row = (id: string, over: Partial<IncidentSummaryView>): IncidentSummaryView => ({
  id,
  siteId: 's',
  siteName: id,
  title: id,
  level: 'IV',
  learnedAt: at(-600),
  state: 'open',
  drill: false,
  deadlines: { phoneBy: null, writtenBy: null, nextFollowupBy: null },
  nextDue: null,
  reports: 0,
  findings: 0,
  ...over,
});

const report = (over: Partial<ReportView>): ReportView => ({
  id: 'r',
  incidentId: 'i',
  seq: 1,
  kind: 'phone',
  content: 'x',
  corrects: null,
  submittedAt: at(-60),
  submittedBy: 'u',
  dueAt: null,
  lateBySeconds: 0,
  signedAt: null,
  signedBy: null,
  ...over,
});

const incident = (over: Partial<IncidentView>): IncidentView => ({
  id: 'i',
  siteId: 's',
  siteName: '东山镇',
  title: '山体滑坡',
  category: '自然灾害',
  level: 'II',
  occurredAt: at(-900),
  learnedAt: at(-600),
  location: '石门村',
  summary: '',
  drillId: null,
  casualties: null,
  drill: false,
  state: 'open',
  external: null,
  createdAt: at(-600),
  deadlines: { phoneBy: at(1200), writtenBy: at(3000), nextFollowupBy: null },
  reports: [],
  findings: [],
  timeline: [],
  ...over,
});

describe('formatCountdown', () => {
  it('reads mm:ss under an hour, h:mm:ss under two days, days beyond, in the language', () => {
    expect(formatCountdown(299_400, 'zh-CN')).toBe('04:59');
    expect(formatCountdown(0, 'zh-CN')).toBe('00:00');
    expect(formatCountdown(3_723_000, 'zh-CN')).toBe('1:02:03');
    expect(formatCountdown(86_400_000, 'zh-CN')).toBe('24:00:00');
    expect(formatCountdown(3 * 86_400_000 + 4 * 3_600_000 + 5_000, 'zh-CN')).toBe('3天 04:00:05');
    expect(formatCountdown(3 * 86_400_000, 'en')).toBe('3d 00:00:00');
  });
  it('counts a late span the same way (the sign is the caller’s)', () => {
    expect(formatCountdown(-75_000, 'zh-CN')).toBe('01:15');
  });
});

describe('formatLate', () => {
  it('names units in Chinese, and English for en', () => {
    expect(formatLate(192, 'zh-CN')).toBe('3分12秒');
    expect(formatLate(3600, 'zh-CN')).toBe('1小时');
    expect(formatLate(90_061, 'zh-CN')).toBe('1天1小时1分1秒');
    expect(formatLate(0, 'zh-CN')).toBe('0秒');
    expect(formatLate(192, 'en')).toBe('3 min 12 s');
  });
});

describe('clock', () => {
  it('is ok, then soon within 5 minutes, then overdue at the deadline itself', () => {
    expect(clock(at(301), NOW).state).toBe('ok');
    expect(clock(at(300), NOW).state).toBe('soon');
    expect(clock(at(0), NOW)).toEqual({ state: 'overdue', leftMs: 0 });
    expect(clock(at(-5), NOW)).toEqual({ state: 'overdue', leftMs: -5000 });
  });
});

describe('incidentDeadlines', () => {
  it('owes the phone and written reports of a fresh incident', () => {
    expect(incidentDeadlines(incident({})).map((d) => [d.kind, d.status])).toEqual([
      ['phone', 'owed'],
      ['written', 'owed'],
    ]);
  });
  it('a phone report meets its deadline; an unsigned 初报 waits for 签发; a signed one meets it with its lateness', () => {
    const phone = report({ id: 'p', kind: 'phone', lateBySeconds: 30 });
    const unsigned = incidentDeadlines(incident({ reports: [phone, report({ id: 'w', kind: 'initial' })] }));
    expect(unsigned.map((d) => [d.kind, d.status, d.lateBySeconds])).toEqual([
      ['phone', 'met', 30],
      ['written', 'unsigned', 0],
    ]);
    const signed = incidentDeadlines(
      incident({
        reports: [phone, report({ id: 'w', kind: 'initial', signedAt: at(-5), lateBySeconds: 12 })],
        deadlines: { phoneBy: at(1200), writtenBy: at(3000), nextFollowupBy: at(86_400) },
      }),
    );
    expect(signed.map((d) => [d.kind, d.status, d.lateBySeconds])).toEqual([
      ['phone', 'met', 30],
      ['written', 'met', 12],
      ['followup', 'owed', 0],
    ]);
  });
  it('a Ⅲ/Ⅳ incident has no phone limit, and a closed one owes no 续报', () => {
    const rows = incidentDeadlines(
      incident({
        level: 'IV',
        state: 'closed',
        deadlines: { phoneBy: null, writtenBy: at(7200), nextFollowupBy: at(86_400) },
      }),
    );
    expect(rows.map((d) => d.kind)).toEqual(['written']);
  });
});

describe('sortByUrgency', () => {
  it('puts the longest overdue first, then the soonest due, then what owes nothing', () => {
    const rows = [
      row('idle', {}),
      row('later', { nextDue: { kind: 'initial', dueAt: at(3000) } }),
      row('late-a-little', { nextDue: { kind: 'phone', dueAt: at(-10) } }),
      row('soon', { nextDue: { kind: 'phone', dueAt: at(60) } }),
      row('late-a-lot', { nextDue: { kind: 'initial', dueAt: at(-900) } }),
    ];
    expect(sortByUrgency(rows, NOW).map((r) => r.id)).toEqual([
      'late-a-lot',
      'late-a-little',
      'soon',
      'later',
      'idle',
    ]);
  });
  it('breaks ties by level, puts drills below real incidents, and does not change its input', () => {
    const due = { kind: 'phone' as const, dueAt: at(60) };
    const rows = [
      row('drill', { level: 'I', drill: true, nextDue: due }),
      row('iv', { level: 'IV', nextDue: due }),
      row('i', { level: 'I', nextDue: due }),
    ];
    expect(sortByUrgency(rows, NOW).map((r) => r.id)).toEqual(['i', 'iv', 'drill']);
    expect(rows.map((r) => r.id)).toEqual(['drill', 'iv', 'i']);
  });
  it('a row turns overdue as time passes and moves up', () => {
    const rows = [
      row('a', { nextDue: { kind: 'phone', dueAt: at(5) } }),
      row('b', { level: 'I', nextDue: { kind: 'phone', dueAt: at(30) } }),
    ];
    expect(sortByUrgency(rows, NOW).map((r) => r.id)).toEqual(['a', 'b']);
    expect(sortByUrgency(rows, NOW + 10_000).map((r) => r.id)).toEqual(['a', 'b']);
    expect(clock(rows[0]!.nextDue!.dueAt, NOW + 10_000).state).toBe('overdue');
  });
});

describe('dailyOrder', () => {
  it('lists 漏报 and 待报 above 迟报, then the answered ones, by name', () => {
    const rows = [
      { siteName: '甲', state: 'submitted' as const },
      { siteName: '乙', state: 'late' as const },
      { siteName: '丙', state: 'missing' as const },
      { siteName: '丁', state: 'zero' as const },
      { siteName: '戊', state: 'pending' as const },
    ];
    expect(dailyOrder(rows).map((r) => r.state)).toEqual(['missing', 'pending', 'late', 'zero', 'submitted']);
  });
});

describe('Shanghai dates', () => {
  it('takes the day and month in UTC+8 whatever the browser zone', () => {
    expect(shanghaiToday(Date.parse('2026-12-31T16:30:00Z'))).toBe('2027-01-01');
    expect(shanghaiMonth(Date.parse('2026-12-31T15:59:00Z'))).toBe('2026-12');
  });
});

describe('step', () => {
  it('moves a day or a month across year ends and month lengths', () => {
    expect(step('2026-12-31', 1)).toBe('2027-01-01');
    expect(step('2027-03-01', -1)).toBe('2027-02-28');
    expect(step('2026-12', 1)).toBe('2027-01');
    expect(step('2027-01', -1)).toBe('2026-12');
  });
});
