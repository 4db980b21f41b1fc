import { describe, expect, it } from '@jest/globals';
import type { TeamView } from '#contracts';
import { readTeamsCsv, teamsCsv } from './teams-csv.js';

const SITE = '7d0f6c9e-1c55-4a39-9d43-0a4f8f5d1a01';
const team = (over: Partial<TeamView> = {}): TeamView => ({
  id: 'x',
  name: '溪口村应急突击队',
  kind: 'village-shock',
  siteId: SITE,
  siteName: '溪口村',
  leaderName: '李明',
  leaderPhone: '139 0000 0000',
  leaderUserId: null,
  headcount: 32,
  equipment: ['冲锋舟', '救生衣'],
  assembleMinutes: 20,
  status: 'deployed',
  lastVerifiedAt: '2026-11-30T16:00:00.000Z',
  lastAlert: null,
  createdAt: '',
  updatedAt: '',
  ...over,
});

describe('teams CSV', () => {
  it('writes a BOM, the zh header and Chinese kinds and statuses', () => {
    const csv = teamsCsv([team()]);
    expect(csv.split('\r\n')).toEqual([
      '\uFEFF队伍名称,类型,单位编号,单位名称,队长,队长电话,队长账号编号,人数,装备,集结时间（分钟）,状态,最近核验',
      `溪口村应急突击队,村级突击队,${SITE},溪口村,李明,139 0000 0000,,32,冲锋舟、救生衣,20,已出动,2026-11-30T16:00:00.000Z`,
      '',
    ]);
  });

  it('reads its own export back; 已出动 reads as 待命 (alerts decide), 不可用 stays', () => {
    const read = readTeamsCsv(
      teamsCsv([team(), team({ name: '二队', status: 'unavailable', kind: 'flood' })]),
    );
    expect(
      read.ok && read.rows.map((r) => [r.line, r.request.name, r.request.status, r.request.kind]),
    ).toEqual([
      [2, '溪口村应急突击队', 'available', 'village-shock'],
      [3, '二队', 'unavailable', 'flood'],
    ]);
    expect(read.ok && read.rows[0]!.request).toMatchObject({
      equipment: ['冲锋舟', '救生衣'],
      headcount: 32,
      lastVerifiedAt: '2026-11-30T16:00:00.000Z',
    });
  });

  it('takes a date alone as that day in Beijing, and codes as well as labels', () => {
    const csv = teamsCsv([team()])
      .replace('村级突击队', 'village-shock')
      .replace('2026-11-30T16:00:00.000Z', '2026-12-01');
    const read = readTeamsCsv(csv);
    expect(read.ok && read.rows[0]!.request.lastVerifiedAt).toBe('2026-12-01T00:00:00+08:00');
  });

  it('names the line of a wrong header, a bad field, a rule and a repeated name', () => {
    const good = teamsCsv([team()]);
    const issue = (text: string) => {
      const r = readTeamsCsv(text);
      return r.ok ? null : r.issue;
    };
    expect(issue('name,kind\r\n')).toMatchObject({ line: 1 });
    expect(issue(good.replace('139 0000 0000', 'call me'))).toMatchObject({
      line: 2,
      message: expect.stringContaining('队长电话'),
    });
    expect(issue(good.replace('村级突击队', '海军'))).toMatchObject({
      line: 2,
      message: expect.stringContaining('类型'),
    });
    expect(issue(good.replace(',32,', ',0,'))).toMatchObject({ line: 2 });
    const row = good.split('\r\n')[1]!;
    expect(issue(`${good}${row}\r\n`)).toMatchObject({
      line: 3,
      message: expect.stringContaining('第2行重复'),
    });
  });
});
