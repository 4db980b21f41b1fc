import { describe, expect, it } from '@jest/globals';
import type { PlanAction } from '#contracts';
import {
  actionKey,
  actionsForLevelChange,
  actionsOfLevel,
  boardActionState,
  compareLevels,
  dutyDirective,
  levelChange,
  levelChangeDirective,
  levelLabel,
  planEditDenial,
  responseChangeDenial,
  responseCommandDenial,
  responseEndDenial,
  RESPONSE_ACTION_STALL_SECONDS,
} from './plans.js';

const actor = (role: 'admin' | 'commander' | 'dispatcher' | 'duty_officer') => ({
  userId: 'u',
  role,
  siteId: 's',
  sitePath: '/s/',
});
const directive: PlanAction = {
  kind: 'directive',
  title: '转移',
  body: '立即转移。',
  level: 'orange',
  targets: { siteIds: ['a'] },
};

describe('plan rules', () => {
  it('orders levels Ⅰ > Ⅱ > Ⅲ > Ⅳ: towards Ⅰ is a raise', () => {
    expect(compareLevels('I', 'IV')).toBeLessThan(0);
    expect(levelChange('III', 'II')).toBe('raise');
    expect(levelChange('II', 'IV')).toBe('lower');
    expect(levelChange('II', 'II')).toBe('same');
    expect(levelLabel('III')).toBe('Ⅲ级');
  });

  it('lets admins and commanders write plans and command responses, nobody else', () => {
    expect(planEditDenial(actor('commander'))).toBeNull();
    expect(planEditDenial(actor('admin'))).toBeNull();
    expect(planEditDenial(actor('dispatcher'))?.code).toBe('forbidden');
    expect(responseCommandDenial(actor('duty_officer'))?.code).toBe('forbidden');
    expect(responseCommandDenial(actor('commander'))).toBeNull();
  });

  it('refuses a change to the same level or after the end, and a second end', () => {
    expect(responseChangeDenial({ endedAt: null, level: 'III' }, 'III')?.code).toBe('conflict');
    expect(responseChangeDenial({ endedAt: new Date(), level: 'III' }, 'II')?.code).toBe('conflict');
    expect(responseChangeDenial({ endedAt: null, level: 'III' }, 'II')).toBeNull();
    expect(responseEndDenial({ endedAt: new Date() })?.code).toBe('conflict');
    expect(responseEndDenial({ endedAt: null })).toBeNull();
  });

  it('keys an action by content, whatever the order of its fields', () => {
    const reordered = JSON.parse(
      '{"targets":{"siteIds":["a"]},"level":"orange","body":"立即转移。","title":"转移","kind":"directive"}',
    ) as PlanAction;
    expect(actionKey(reordered)).toBe(actionKey(directive));
    expect(actionKey({ ...directive, title: '别的' } as PlanAction)).not.toBe(actionKey(directive));
  });

  it('starts on a level change only what is not running: teams already alerted and a second consultation are left out', () => {
    const next: PlanAction[] = [
      directive,
      { kind: 'directive', title: '停课', body: '停课。', level: 'red', targets: { siteIds: ['b'] } },
      { kind: 'consultation', siteIds: ['a', 'b'] },
      { kind: 'alert-teams', teamIds: ['t1', 't2'] },
      { kind: 'alert-teams', teamIds: ['t1'] },
    ];
    const out = actionsForLevelChange(next, {
      actions: [directive],
      alertedTeamIds: ['t1'],
      consultationOpen: true,
    });
    expect(out).toEqual([next[1], { kind: 'alert-teams', teamIds: ['t2'] }]);
    expect(
      actionsForLevelChange(next, { actions: [], alertedTeamIds: [], consultationOpen: false }),
    ).toHaveLength(5);
  });

  it('reads the actions of a level, none for a level the plan lacks', () => {
    const levels = [{ level: 'III' as const, actions: [directive] }];
    expect(actionsOfLevel(levels, 'III')).toEqual([directive]);
    expect(actionsOfLevel(levels, 'I')).toEqual([]);
  });

  it('shows a pending action past the stall bound as interrupted (a crash mid-start)', () => {
    const now = new Date('2026-07-01T00:10:00Z');
    const at = (s: number) => new Date(now.getTime() - s * 1000);
    expect(boardActionState({ state: 'pending', createdAt: at(5) }, now)).toBe('pending');
    expect(
      boardActionState({ state: 'pending', createdAt: at(RESPONSE_ACTION_STALL_SECONDS + 1) }, now),
    ).toBe('interrupted');
    expect(boardActionState({ state: 'failed', createdAt: at(3600) }, now)).toBe('failed');
  });

  it('words the duty and level-change directives in Chinese', () => {
    const duty = dutyDirective('防汛预案', 'III', '每小时报告。');
    expect(duty.title).toBe('加强值班值守（Ⅲ级响应）');
    expect(duty.body).toContain('带班领导');
    expect(duty.body).toContain('每小时报告。');
    expect(levelChangeDirective('防汛预案', 'III', 'II').title).toBe('响应级别调整为Ⅱ级');
    expect(levelChangeDirective('防汛预案', 'II', 'IV').body).toContain('降低');
  });
});
