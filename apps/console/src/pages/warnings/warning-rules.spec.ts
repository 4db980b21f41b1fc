import { describe, expect, it } from '@jest/globals';
import type { Role, WarningState } from '#contracts';
import { byAttention, effectiveState, warningActions } from './warning-rules.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const LATER = '2026-12-06T21:00:00+08:00';
const EARLIER = '2026-12-06T19:00:00+08:00';
const user = (role: Role, id = 'me') => ({ id, role });
const w = (
  state: WarningState,
  createdBy: string | null = 'editor',
  expires = '2026-12-07T12:00:00+08:00',
) => ({
  state,
  createdBy,
  expires,
});

describe('the buttons each user sees', () => {
  it('gives an editor 提交审核 on a draft, and nothing a dispatcher may not do', () => {
    expect(warningActions(user('dispatcher'), w('draft'), NOW).actions).toEqual(['submit']);
    expect(warningActions(user('dispatcher'), w('review'), NOW).actions).toEqual([]);
    expect(warningActions(user('dispatcher'), w('approved'), NOW).actions).toEqual(['publish']);
    expect(warningActions(user('dispatcher'), w('published'), NOW).actions).toEqual([]);
  });

  it('shows a duty officer no workflow at all', () => {
    for (const s of ['draft', 'review', 'approved', 'published'] as const)
      expect(warningActions(user('duty_officer'), w(s), NOW)).toEqual({ actions: [], selfBlocked: false });
  });

  it('lets a commander approve or send back what another person drafted, and publish before sign-off', () => {
    expect(warningActions(user('commander'), w('review'), NOW)).toEqual({
      actions: ['approve', 'reject', 'emergency'],
      selfBlocked: false,
    });
    expect(warningActions(user('commander'), w('draft'), NOW).actions).toEqual(['submit', 'emergency']);
    expect(warningActions(user('commander'), w('published'), NOW).actions).toEqual(['update', 'cancel']);
  });

  it('keeps 审核通过 from the editor of the warning and says why', () => {
    expect(warningActions(user('commander', 'editor'), w('review', 'editor'), NOW)).toEqual({
      actions: ['reject', 'emergency'],
      selfBlocked: true,
    });
  });

  it('lets the editor approve their own where the hub allows self-approval', () => {
    const mine = { ...w('review', 'editor'), selfApprovalAllowed: true };
    expect(warningActions(user('commander', 'editor'), mine, NOW)).toEqual({
      actions: ['approve', 'reject', 'emergency'],
      selfBlocked: false,
    });
    const strict = { ...w('review', 'editor'), selfApprovalAllowed: false };
    expect(warningActions(user('commander', 'editor'), strict, NOW).selfBlocked).toBe(true);
  });

  it('gives an admin the approver steps but never 紧急发布 (a commander act)', () => {
    expect(warningActions(user('admin'), w('review'), NOW).actions).toEqual(['approve', 'reject']);
    expect(warningActions(user('admin'), w('draft'), NOW).actions).toEqual(['submit']);
  });

  it('offers nothing to publish once the warning is past its expiry, and no change of a past one', () => {
    const past = '2026-12-06T19:59:00+08:00';
    expect(warningActions(user('commander'), w('approved', 'x', past), NOW).actions).toEqual([]);
    expect(warningActions(user('commander'), w('published', 'x', past), NOW).actions).toEqual([]);
    for (const s of ['superseded', 'cancelled', 'expired'] as const)
      expect(warningActions(user('commander'), w(s), NOW).actions).toEqual([]);
  });
});

describe('state as read', () => {
  it('reads a published warning past its expiry as expired, and nothing else', () => {
    expect(effectiveState('published', EARLIER, NOW)).toBe('expired');
    expect(effectiveState('published', LATER, NOW)).toBe('published');
    expect(effectiveState('cancelled', EARLIER, NOW)).toBe('cancelled');
  });
});

describe('the list order', () => {
  it('puts warnings in force first, red before blue, then those waiting for a step, then the past', () => {
    const row = (
      id: string,
      state: WarningState,
      level: 'red' | 'orange' | 'yellow' | 'blue',
      createdAt: string,
      expires = LATER,
    ) => ({
      id,
      state,
      level,
      createdAt,
      expires,
    });
    const rows = [
      row('old-draft', 'draft', 'red', '2026-12-06T01:00:00Z'),
      row('blue-live', 'published', 'blue', '2026-12-06T09:00:00Z'),
      row('cancelled', 'cancelled', 'red', '2026-12-06T11:00:00Z'),
      row('red-live', 'published', 'red', '2026-12-06T02:00:00Z'),
      row('in-review', 'review', 'yellow', '2026-12-06T03:00:00Z'),
      row('new-draft', 'draft', 'blue', '2026-12-06T10:00:00Z'),
      row('ran-out', 'published', 'red', '2026-12-06T10:30:00Z', EARLIER),
    ];
    expect(rows.sort(byAttention(NOW)).map((r) => r.id)).toEqual([
      'red-live',
      'blue-live',
      'in-review',
      'new-draft',
      'old-draft',
      'cancelled',
      'ran-out',
    ]);
  });
});
