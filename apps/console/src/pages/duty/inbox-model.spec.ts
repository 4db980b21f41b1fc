import { describe, expect, it } from '@jest/globals';
import type { DirectiveRecipientView, DirectiveView } from '#contracts';
import { applyExpiry, fromView, isOverdue } from './inbox-model.js';

const view = (over: Partial<DirectiveView> = {}): DirectiveView => ({
  id: 'd1',
  serial: '2026-0001',
  title: '青山县暴雨橙色预警',
  body: '转移群众',
  level: 'orange',
  status: 'issued',
  ackWithinSeconds: 600,
  ackBy: '2026-12-06T10:10:00Z',
  expiresAt: null,
  drill: false,
  issuedBy: 'u1',
  issuerSiteId: 's1',
  issuedAt: '2026-12-06T10:00:00Z',
  cancelledAt: null,
  closedAt: null,
  messages: [],
  recipients: [],
  ...over,
});

describe('a directive read back over REST (after a reload)', () => {
  it('stays a 预警 when it carries a warning, as the push said', () => {
    expect(fromView(view({ warningId: 'w1' })).directive).toMatchObject({ kind: 'warning', warningId: 'w1' });
  });

  it('is a plain directive otherwise', () => {
    const d = fromView(view()).directive;
    expect(d.kind).toBeUndefined();
    expect(d.warningId).toBeUndefined();
  });
});

describe("a site added later (a warning's widened area)", () => {
  const mine = {
    siteId: 's9',
    siteName: '乙镇',
    state: 'delivered',
    ackDeadline: '2026-12-06T10:40:00.000Z',
    overdue: false,
    escalationLevel: 0,
  } as DirectiveRecipientView;

  it("counts down to its own 签收 deadline, not the directive's", () => {
    const item = fromView(view({ recipients: [mine] }));
    expect(item.directive.ackBy).toBe('2026-12-06T10:40:00.000Z');
    // past the directive's deadline, before its own: not overdue
    expect(isOverdue(item, Date.parse('2026-12-06T10:20:00Z'))).toBe(false);
    expect(isOverdue(item, Date.parse('2026-12-06T10:41:00Z'))).toBe(true);
  });

  it('shows a validity moved by an update', () => {
    const inbox = { d1: fromView(view({ expiresAt: '2026-12-06T12:00:00.000Z' })) };
    const next = applyExpiry(inbox, {
      directiveId: 'd1',
      serial: '2026-0001',
      expiresAt: '2026-12-06T14:00:00.000Z',
      previousExpiresAt: '2026-12-06T12:00:00.000Z',
      at: '2026-12-06T10:30:00.000Z',
    });
    expect(next.d1).toMatchObject({
      directive: { expiresAt: '2026-12-06T14:00:00.000Z' },
      validityMoved: true,
    });
    expect(applyExpiry(inbox, { ...next.d1!.directive, directiveId: 'other' } as never)).toBe(inbox);
  });
});
