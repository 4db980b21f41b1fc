import { describe, expect, it } from '@jest/globals';
import type { TeamView } from '#contracts';
import { emptyForm, formOf, splitEquipment, teamRequest } from './team-model.js';

describe('team form', () => {
  it('splits equipment on Chinese and Latin separators', () => {
    expect(splitEquipment('冲锋舟、救生衣，抽水泵, 绳索;\n头灯')).toEqual([
      '冲锋舟',
      '救生衣',
      '抽水泵',
      '绳索',
      '头灯',
    ]);
  });
  it('turns the form into the request: numbers, a Beijing date, trimmed texts', () => {
    const req = teamRequest({
      ...emptyForm('s1'),
      name: ' 突击队 ',
      headcount: '32',
      assembleMinutes: '20',
      lastVerifiedAt: '2026-12-01',
    });
    expect(req).toMatchObject({ name: '突击队', siteId: 's1', headcount: 32, assembleMinutes: 20 });
    expect(req.lastVerifiedAt).toBe('2026-12-01T00:00:00+08:00');
    expect(Number.isNaN(teamRequest(emptyForm()).headcount)).toBe(true);
  });
  it('reads a team back into the form with its Beijing date and settable status', () => {
    const f = formOf({
      name: 'x',
      kind: 'flood',
      siteId: 's',
      leaderName: 'l',
      leaderPhone: '1',
      headcount: 5,
      equipment: ['a', 'b'],
      assembleMinutes: 3,
      status: 'deployed',
      lastVerifiedAt: '2026-11-30T16:00:00.000Z',
    } as TeamView);
    expect(f).toMatchObject({
      equipment: 'a、b',
      status: 'available',
      lastVerifiedAt: '2026-12-01',
      headcount: '5',
    });
  });
});
