import { describe, expect, it } from '@jest/globals';
import type { DrillView } from '#contracts';
import {
  drillEndDenial,
  drillLinkDenial,
  drillReport,
  drillSitesVisibleTo,
  drillState,
  isDrillVisibleTo,
  secondsOf,
  type DrillFacts,
  type DrillItemRow,
} from './drills.js';

const t = (iso: string) => new Date(iso);
const drill: DrillFacts = {
  id: 'd1',
  siteIds: ['a', 'b'],
  startsAt: t('2026-12-07T01:00:00Z'),
  endsAt: t('2026-12-07T03:00:00Z'),
  endedAt: null,
};
const during = t('2026-12-07T02:00:00Z');

describe('drillState', () => {
  it('is scheduled, running, then ended; an early end ends it', () => {
    expect(drillState(drill, t('2026-12-07T00:59:59Z'))).toBe('scheduled');
    expect(drillState(drill, during)).toBe('running');
    expect(drillState(drill, drill.endsAt)).toBe('ended');
    expect(drillState({ ...drill, endedAt: during }, during)).toBe('ended');
  });
});

describe('drillLinkDenial', () => {
  it('allows an item whose sites are all in a drill that has not ended', () => {
    expect(drillLinkDenial('d1', drill, { siteIds: ['a'] }, during)).toBeNull();
    expect(drillLinkDenial('d1', drill, { drill: true, siteIds: ['a', 'b'] }, during)).toBeNull();
  });
  it('refuses an unknown drill (404), drill: false (422), an ended drill (409), sites outside (422)', () => {
    expect(drillLinkDenial('x', null, { siteIds: ['a'] }, during)?.code).toBe('not_found');
    expect(drillLinkDenial('d1', drill, { drill: false, siteIds: ['a'] }, during)?.code).toBe(
      'unprocessable',
    );
    expect(drillLinkDenial('d1', { ...drill, endedAt: during }, { siteIds: ['a'] }, during)?.code).toBe(
      'conflict',
    );
    expect(drillLinkDenial('d1', drill, { siteIds: ['a'] }, drill.endsAt)?.code).toBe('conflict');
    const outside = drillLinkDenial('d1', drill, { siteIds: ['a', 'c'] }, during);
    expect(outside?.code).toBe('unprocessable');
    expect(outside?.message).toContain('c');
  });
});

describe('drillSitesVisibleTo', () => {
  const reach = {
    creatorSitePath: '/r/c/',
    sites: [
      { id: 'a', path: '/r/c/a/' },
      { id: 'b', path: '/r/c/b/' },
    ],
  };
  const actor = (sitePath: string, role: 'dispatcher' | 'duty_officer' | 'admin' = 'dispatcher') => ({
    userId: 'u',
    role,
    siteId: 's',
    sitePath,
  });
  it("shows every site within the creator's scope, else the drill's sites in one's own", () => {
    expect(drillSitesVisibleTo(actor('/r/c/'), reach).map((s) => s.id)).toEqual(['a', 'b']);
    expect(drillSitesVisibleTo(actor('/r/c/b/', 'duty_officer'), reach).map((s) => s.id)).toEqual(['b']);
    expect(drillSitesVisibleTo(actor('/x/', 'admin'), reach).map((s) => s.id)).toEqual(['a', 'b']);
  });
  it('hides a drill that reaches nothing in scope: not created there, no site there', () => {
    expect(isDrillVisibleTo(actor('/r/other/'), reach)).toBe(false);
    // a township beside the drill's, within the same county
    expect(isDrillVisibleTo(actor('/r/c/d/', 'duty_officer'), reach)).toBe(false);
    expect(isDrillVisibleTo(actor('/r/c/a/', 'duty_officer'), reach)).toBe(true);
  });
});

describe('drillEndDenial', () => {
  it('ends a running or scheduled drill once', () => {
    expect(drillEndDenial(drill, during)).toBeNull();
    expect(drillEndDenial({ ...drill, endedAt: during }, during)?.code).toBe('conflict');
    expect(drillEndDenial(drill, drill.endsAt)?.code).toBe('conflict');
  });
});

describe('secondsOf', () => {
  it('gives sorted values, the median and the max', () => {
    expect(secondsOf([])).toEqual({ values: [], median: null, max: null });
    expect(secondsOf([30, 10, 20])).toEqual({ values: [10, 20, 30], median: 20, max: 30 });
    expect(secondsOf([10, 40, 20, 30])).toEqual({ values: [10, 20, 30, 40], median: 25, max: 40 });
  });
});

describe('drillReport', () => {
  const view: DrillView = {
    id: 'd1',
    name: '防汛演练',
    kind: 'functional',
    state: 'running',
    sites: [
      { id: 'a', name: '甲镇' },
      { id: 'b', name: '乙镇' },
      { id: 'c', name: '丙镇' },
    ],
    startsAt: drill.startsAt.toISOString(),
    endsAt: drill.endsAt.toISOString(),
    endedAt: null,
    endedBy: null,
    createdAt: drill.startsAt.toISOString(),
    createdBy: 'u',
    creatorSiteId: 'root',
  };
  const rows: DrillItemRow[] = [
    { kind: 'directive', siteId: 'a', delivered: true, ackSeconds: 12, answerSeconds: 90 },
    { kind: 'directive', siteId: 'a', delivered: true, ackSeconds: 30, answerSeconds: null },
    { kind: 'directive', siteId: 'b', delivered: true, ackSeconds: null, answerSeconds: null },
    { kind: 'spot_check', siteId: 'a', state: 'answered', answerSeconds: 8 },
    { kind: 'spot_check', siteId: 'b', state: 'missed', answerSeconds: null },
    { kind: 'incident', siteId: 'a', submitted: 2, late: 1 },
    { kind: 'warning', siteId: 'b', delivered: true, acknowledged: false },
    // a site not in the drill is ignored
    { kind: 'directive', siteId: 'z', delivered: true, ackSeconds: 1, answerSeconds: 1 },
  ];
  const r = drillReport(view, rows, during);

  it('counts per site, in the drill order, with timings', () => {
    expect(r.sites.map((s) => s.siteId)).toEqual(['a', 'b', 'c']);
    const a = r.sites[0]!;
    expect(a.directives).toMatchObject({ sent: 2, delivered: 2, acknowledged: 2, answered: 1 });
    expect(a.directives.ackSeconds).toEqual({ values: [12, 30], median: 21, max: 30 });
    expect(a.directives.answerSeconds.max).toBe(90);
    expect(a.spotChecks).toMatchObject({ sent: 1, onTime: 1, missed: 0 });
    expect(a.reports).toEqual({ incidents: 1, submitted: 2, late: 1 });
    expect(a.silent).toBe(false);
    const b = r.sites[1]!;
    expect(b.directives).toMatchObject({ sent: 1, delivered: 1, acknowledged: 0 });
    expect(b.spotChecks.missed).toBe(1);
    expect(b.warnings).toEqual({ sent: 1, delivered: 1, acknowledged: 0 });
    expect(b.silent).toBe(true);
    // c was sent nothing: not silent, just idle
    expect(r.sites[2]!.silent).toBe(false);
  });

  it('totals over the drill sites and lists who stands out', () => {
    expect(r.totals.directives).toMatchObject({ sent: 3, acknowledged: 2, answered: 1 });
    expect(r.totals.directives.ackSeconds.values).toEqual([12, 30]);
    expect(r.totals.spotChecks).toMatchObject({ sent: 2, onTime: 1, missed: 1 });
    expect(r.missed).toEqual({
      acknowledgement: ['b'],
      feedback: ['a', 'b'],
      spotCheck: ['b'],
      dailyReport: [],
      silent: ['b'],
    });
    expect(r.consultations).toEqual([]);
    expect(r.generatedAt).toBe(during.toISOString());
  });

  it('counts daily-report rounds and consultations per site; a report or a join is an answer', () => {
    const opened = during.getTime();
    const withRounds = drillReport(
      { ...view, sites: [...view.sites, { id: 'd', name: '丁镇' }] },
      [
        { kind: 'daily_report', siteId: 'a', state: 'zero', submitSeconds: 40 },
        { kind: 'daily_report', siteId: 'b', state: 'late', submitSeconds: 900 },
        { kind: 'daily_report', siteId: 'c', state: 'missing', submitSeconds: null },
        { kind: 'daily_report', siteId: 'd', state: 'pending', submitSeconds: null },
      ],
      during,
      [
        {
          id: 'k1',
          title: '演练会商',
          state: 'live',
          createdAt: new Date(opened),
          scheduledAt: null,
          endedAt: null,
          siteIds: ['c', 'd', 'z'],
          joins: [
            { siteId: 'c', joinedAt: new Date(opened + 25_000) },
            { siteId: 'c', joinedAt: new Date(opened + 5_000) },
            { siteId: 'root', joinedAt: new Date(opened + 2_000) },
          ],
        },
      ],
    );
    const [a, b, c, d] = withRounds.sites;
    expect(a!.dailyReports).toMatchObject({ sent: 1, submitted: 1, late: 0, missing: 0, pending: 0 });
    expect(a!.dailyReports.submitSeconds.values).toEqual([40]);
    expect(b!.dailyReports).toMatchObject({ sent: 1, submitted: 1, late: 1 });
    expect(c!.dailyReports).toMatchObject({ sent: 1, submitted: 0, missing: 1 });
    expect(c!.dailyReports.submitSeconds.values).toEqual([]);
    // c joined the consultation (its first join counts), so it answered something
    expect(c!.consultations).toEqual({
      invited: 1,
      joined: 1,
      joinSeconds: { values: [5], median: 5, max: 5 },
    });
    expect(c!.silent).toBe(false);
    // d was asked a report and a consultation and did neither
    expect(d!.consultations).toMatchObject({ invited: 1, joined: 0 });
    expect(d!.silent).toBe(true);
    expect(withRounds.totals.dailyReports).toMatchObject({
      sent: 4,
      submitted: 2,
      late: 1,
      missing: 1,
      pending: 1,
    });
    expect(withRounds.totals.dailyReports.submitSeconds).toEqual({
      values: [40, 900],
      median: 470,
      max: 900,
    });
    expect(withRounds.missed.dailyReport).toEqual(['c']);
    expect(withRounds.missed.silent).toEqual(['d']);
    // the consultation: only the drill's invited sites, started at the host's first join
    expect(withRounds.consultations).toEqual([
      expect.objectContaining({
        id: 'k1',
        invited: 2,
        joined: 1,
        startedAt: new Date(opened + 2_000).toISOString(),
        sites: [
          { siteId: 'c', siteName: '丙镇', joinedAt: new Date(opened + 5_000).toISOString(), joinSeconds: 5 },
          { siteId: 'd', siteName: '丁镇', joinedAt: null, joinSeconds: null },
        ],
      }),
    ]);
  });
});
