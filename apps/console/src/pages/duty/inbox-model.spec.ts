import { describe, expect, it } from '@jest/globals';
import type { DirectiveView } from '#contracts';
import { fromView } from './inbox-model.js';

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
