import { describe, expect, it } from '@jest/globals';
import { consultationsOfDrill, type DrillConsultationRow } from './drill-consultations.js';

const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 2, 0, s));
const row = (over: Partial<DrillConsultationRow>): DrillConsultationRow => ({
  id: 'k',
  title: '会商',
  state: 'scheduled',
  createdAt: at(0),
  scheduledAt: null,
  endedAt: null,
  siteIds: ['a', 'b'],
  joins: [],
  ...over,
});
const sites = [
  { id: 'a', name: '甲镇' },
  { id: 'b', name: '乙镇' },
];

describe('consultationsOfDrill', () => {
  it('counts from the scheduled time when it is later than the creation; an early join is 0 s', () => {
    const [c] = consultationsOfDrill(
      [
        row({
          scheduledAt: at(50),
          joins: [
            { siteId: 'a', joinedAt: at(40) },
            { siteId: 'b', joinedAt: at(80) },
          ],
        }),
      ],
      sites,
    );
    expect(c!.invitedAt).toBe(at(50).toISOString());
    expect(c!.sites.map((s) => s.joinSeconds)).toEqual([0, 30]);
    expect(c!.startedAt).toBe(at(40).toISOString());
  });

  it('a scheduled time before the creation counts from the creation; nobody joined: no start', () => {
    const [c] = consultationsOfDrill([row({ createdAt: at(10), scheduledAt: at(5) })], sites);
    expect(c!.invitedAt).toBe(at(10).toISOString());
    expect(c).toMatchObject({ invited: 2, joined: 0, startedAt: null });
  });

  it('keeps only the sites the reader sees, oldest consultation first', () => {
    const out = consultationsOfDrill(
      [row({ id: 'late', createdAt: at(30) }), row({ id: 'early', createdAt: at(1), siteIds: ['b', 'x'] })],
      [sites[1]!],
    );
    expect(out.map((c) => [c.id, c.invited])).toEqual([
      ['early', 1],
      ['late', 1],
    ]);
  });
});
