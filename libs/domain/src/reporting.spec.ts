import { describe, expect, it } from '@jest/globals';
import {
  countedAt,
  DEFAULT_REPORTING_RULES,
  dueFor,
  escalateAfterSeconds,
  incidentDeadlines,
  interviewDue,
  isClosed,
  lateBySeconds,
  learnedAtDenial,
  monthlyReporting,
  nextDue,
  quotedCsvCell,
  slotAnswered,
  toQuotedCsv,
  warningLeadSeconds,
  type ReportFact,
} from './reporting.js';

const t0 = new Date('2026-12-06T08:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const major = DEFAULT_REPORTING_RULES.I;

describe('incident deadlines', () => {
  it('count the phone and written limits from learnedAt, as the seeded national rule says', () => {
    const d = incidentDeadlines(major, t0, []);
    expect(d).toEqual({ phoneBy: at(1800), writtenBy: at(3600), nextFollowupBy: null });
    expect(incidentDeadlines(DEFAULT_REPORTING_RULES.III, t0, []).phoneBy).toBeNull();
    expect(incidentDeadlines(DEFAULT_REPORTING_RULES.unrated, t0, []).writtenBy).toEqual(at(7200));
  });

  it('owe a 续报 only after the 初报 is signed, every interval after the last counted one', () => {
    const unsigned: ReportFact[] = [{ kind: 'initial', submittedAt: at(100), signedAt: null }];
    expect(incidentDeadlines(major, t0, unsigned).nextFollowupBy).toBeNull();
    const signed: ReportFact[] = [{ kind: 'initial', submittedAt: at(100), signedAt: at(200) }];
    expect(incidentDeadlines(major, t0, signed).nextFollowupBy).toEqual(at(200 + 86_400));
    const more = [...signed, { kind: 'followup' as const, submittedAt: at(5000), signedAt: at(5100) }];
    expect(incidentDeadlines(major, t0, more).nextFollowupBy).toEqual(at(5100 + 86_400));
  });

  it('stop the 续报 after a signed 终报, not after an unsigned one', () => {
    const base: ReportFact[] = [{ kind: 'initial', submittedAt: at(100), signedAt: at(200) }];
    const unsigned = [...base, { kind: 'final' as const, submittedAt: at(300), signedAt: null }];
    expect(isClosed(unsigned)).toBe(false);
    expect(incidentDeadlines(major, t0, unsigned).nextFollowupBy).not.toBeNull();
    const signed = [...base, { kind: 'final' as const, submittedAt: at(300), signedAt: at(400) }];
    expect(isClosed(signed)).toBe(true);
    expect(incidentDeadlines(major, t0, signed).nextFollowupBy).toBeNull();
    expect(nextDue(incidentDeadlines(major, t0, signed), signed)).toBeNull();
  });

  it('count a phone report when made and a written one when signed', () => {
    expect(countedAt({ kind: 'phone', submittedAt: at(1), signedAt: null })).toEqual(at(1));
    expect(countedAt({ kind: 'initial', submittedAt: at(1), signedAt: null })).toBeNull();
    expect(slotAnswered('initial', [{ kind: 'initial', submittedAt: at(1), signedAt: null }])).toBe(false);
    expect(slotAnswered('initial', [{ kind: 'initial', submittedAt: at(1), signedAt: at(2) }])).toBe(true);
    expect(slotAnswered('phone', [{ kind: 'phone', submittedAt: at(1), signedAt: null }])).toBe(true);
  });

  it('match each kind to its deadline and say how late', () => {
    const d = incidentDeadlines(major, t0, []);
    expect(dueFor('phone', d)).toEqual({ slot: 'phone', dueAt: at(1800) });
    expect(dueFor('initial', d)).toEqual({ slot: 'initial', dueAt: at(3600) });
    expect(dueFor('followup', d)).toBeNull();
    expect(lateBySeconds(at(1800), at(1799))).toBe(0);
    expect(lateBySeconds(at(1800), at(1800))).toBe(0);
    expect(lateBySeconds(at(1800), at(1861.9))).toBe(61);
    expect(lateBySeconds(null, at(99_999))).toBe(0);
  });

  it('put the earliest unanswered deadline first for the countdown', () => {
    const d = incidentDeadlines(major, t0, []);
    expect(nextDue(d, [])).toEqual({ kind: 'phone', dueAt: at(1800) });
    const phoned: ReportFact[] = [{ kind: 'phone', submittedAt: at(10), signedAt: null }];
    expect(nextDue(d, phoned)).toEqual({ kind: 'initial', dueAt: at(3600) });
  });
});

describe('alert timing', () => {
  it('warns at the setting but never more than half the limit', () => {
    expect(warningLeadSeconds(600, 3600)).toBe(600);
    expect(warningLeadSeconds(600, 8)).toBe(4);
    expect(warningLeadSeconds(0, 3600)).toBe(0);
  });
  it('escalates after the setting, at most the limit, at least a second', () => {
    expect(escalateAfterSeconds(600, 3600)).toBe(600);
    expect(escalateAfterSeconds(600, 5)).toBe(5);
    expect(escalateAfterSeconds(600, 0)).toBe(1);
  });
});

describe('约谈 and the 通报', () => {
  const now = new Date('2026-12-06T00:00:00Z');
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);

  it('is due after three late or missed findings in twelve months, or one concealment', () => {
    const two = [
      { kind: 'late' as const, at: ago(10) },
      { kind: 'missed' as const, at: ago(100) },
    ];
    expect(interviewDue(two, now)).toBe(false);
    expect(interviewDue([...two, { kind: 'late', at: ago(200) }], now)).toBe(true);
    expect(interviewDue([...two, { kind: 'late', at: ago(400) }], now)).toBe(false);
    expect(interviewDue([{ kind: 'concealed', at: ago(300) }], now)).toBe(true);
    expect(interviewDue([{ kind: 'concealed', at: ago(366) }], now)).toBe(false);
  });

  it('counts reports due, on time, late, missed and concealed per site', () => {
    const rows = monthlyReporting(
      ['a', 'b'],
      [
        { siteId: 'a', lateBySeconds: 0 },
        { siteId: 'a', lateBySeconds: 30 },
        { siteId: 'a', lateBySeconds: 0 },
      ],
      [
        { siteId: 'a', kind: 'late', at: now },
        { siteId: 'a', kind: 'missed', at: now },
        { siteId: 'b', kind: 'concealed', at: now },
      ],
    );
    expect(rows).toEqual([
      { siteId: 'a', reportsDue: 4, onTime: 2, late: 1, missed: 1, concealed: 0 },
      { siteId: 'b', reportsDue: 0, onTime: 0, late: 0, missed: 0, concealed: 1 },
    ]);
  });
});

describe('input rules', () => {
  const now = new Date('2026-12-06T08:00:00Z');
  it('refuses learnedAt before occurredAt or in the future', () => {
    expect(learnedAtDenial(at(10), at(5), now)).toMatch(/before occurredAt/);
    expect(learnedAtDenial(t0, new Date(now.getTime() + 3_600_000), now)).toMatch(/future/);
    expect(learnedAtDenial(t0, t0, now)).toBeNull();
  });
});

describe('CSV', () => {
  it('quotes every cell, doubles quotes and keeps a formula as text', () => {
    expect(quotedCsvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(quotedCsvCell('-1')).toBe(`"'-1"`);
    expect(quotedCsvCell(-1)).toBe('"-1"');
    expect(quotedCsvCell(null)).toBe('""');
    expect(toQuotedCsv(['乡镇', 'n'], [['东镇', 3]])).toBe('\uFEFF"乡镇","n"\r\n"东镇","3"\r\n');
  });
});
