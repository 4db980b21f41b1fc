import { describe, expect, it } from '@jest/globals';
import type { AuditEntryView } from '#contracts';
import { zh } from '../i18n/zh.js';
import { auditSentence, kindsOf, type AuditNames } from './audit-sentence.js';

const t = (k: keyof typeof zh) => zh[k];
const names: AuditNames = {
  user: (id) => (id === 'u1' ? '李调度' : null),
  site: (id) => (id === 's1' ? '白水乡' : null),
  directive: (id) => (id === 'd1' ? '2026-0007《山洪预警》' : null),
  terminal: () => null,
};
const entry = (action: string, data: Record<string, unknown>, over: Partial<AuditEntryView> = {}) =>
  ({
    seq: 1,
    at: '2026-12-06T06:03:00Z',
    actorId: 'u1',
    action,
    subjectType: 'directive',
    subjectId: 'd1',
    data,
    prevHash: '',
    hash: '',
    ...over,
  }) as AuditEntryView;

describe('audit entries as sentences', () => {
  it('reads a 代签收 with its method, person and note', () => {
    const e = entry('directive.ack', {
      siteId: 's1',
      via: 'on_behalf',
      note: '值班员电台确认',
      onBehalf: { method: 'radio', person: '王五', phone: null, at: null },
    });
    expect(auditSentence(e, names, t)).toBe(
      '李调度 为 白水乡 代签收指令 2026-0007《山洪预警》：电台代签 · 王五 · 值班员电台确认',
    );
    expect(kindsOf(e)).toEqual(['ack', 'onBehalf']);
  });

  it('names by serial and title, and never shows an unknown action key', () => {
    const issue = entry(
      'directive.issue',
      { serial: '2026-0008', title: '新指令', siteIds: ['a', 'b'] },
      { subjectId: 'd9' },
    );
    expect(auditSentence(issue, names, t)).toBe('李调度 下发指令 2026-0008《新指令》，共 2 个单位');
    const odd = auditSentence(entry('something.new', {}, { actorId: 'abcdef1234' }), names, t);
    expect(odd).toBe('#abcdef12 执行了其他操作');
  });
});

describe('the resources and plans areas', () => {
  it('names a team, a stock import and a failed login in words', () => {
    const team = entry('team.create', { name: '上游镇防汛抢险队' }, { subjectType: 'team', subjectId: 't1' });
    expect(auditSentence(team, names, t)).toBe('李调度 新建应急队伍 上游镇防汛抢险队');
    const stock = entry('stock.import', { rows: 12, created: 3 }, { subjectType: 'depot' });
    expect(auditSentence(stock, names, t)).toBe('李调度 导入物资表，共 12 行');
    const login = entry('auth.login_failed', { username: 'wang' }, { actorId: null, subjectType: 'address' });
    expect(auditSentence(login, names, t)).toBe('账号 wang 登录失败');
  });
});
