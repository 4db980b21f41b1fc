import { describe, expect, it } from '@jest/globals';
import type { DirectiveRecipientView, DirectiveSummaryView } from '#contracts';
import { progressOf } from './list-progress.js';
import type { LiveBoard } from './use-boards.js';

// issued 10:00 with 10 minutes to 签收; a township added at 10:20 has until 10:30
const ACK_BY = '2026-12-06T10:10:00Z';
const ADDED_BY = '2026-12-06T10:30:00Z';
const at = (hhmm: string) => Date.parse(`2026-12-06T${hhmm}:00Z`);

const summary = (over: Partial<DirectiveSummaryView> = {}): DirectiveSummaryView => ({
  id: 'd1',
  serial: '2026-0001',
  title: '青山县暴雨橙色预警',
  level: 'orange',
  status: 'issued',
  drill: false,
  issuedAt: '2026-12-06T10:00:00Z',
  ackBy: ACK_BY,
  lastAckBy: ADDED_BY,
  issuedBy: 'u1',
  // one original site acknowledged, one original and the added one waiting
  counts: { acknowledged: 1, delivered: 2 },
  ...over,
});

const recipient = (siteId: string, over: Partial<DirectiveRecipientView>) =>
  ({ siteId, state: 'delivered', overdue: false, ackDeadline: ACK_BY, ...over }) as DirectiveRecipientView;

const live: LiveBoard = {
  status: 'issued',
  counts: { acknowledged: 1, delivered: 2 },
  recipients: {
    s1: recipient('s1', { state: 'acknowledged' }),
    s2: recipient('s2', {}),
    s9: recipient('s9', { ackDeadline: ADDED_BY }),
  },
};

describe('the board list without a live board (the list counts alone)', () => {
  it('marks nothing past due while the added site still has time, though the directive ackBy has passed', () => {
    expect(progressOf(summary(), undefined, at('10:20'))).toEqual({ acked: 1, total: 3, overdue: 0 });
  });

  it('marks every waiting site once the latest deadline (lastAckBy) has passed', () => {
    expect(progressOf(summary(), undefined, at('10:31'))).toEqual({ acked: 1, total: 3, overdue: 2 });
  });

  it('is the directive ackBy when no site was added (lastAckBy equals it)', () => {
    const plain = summary({ lastAckBy: ACK_BY });
    expect(progressOf(plain, undefined, at('10:05')).overdue).toBe(0);
    expect(progressOf(plain, undefined, at('10:11')).overdue).toBe(2);
  });

  it('marks nothing on a closed directive', () => {
    expect(progressOf(summary({ status: 'closed' }), undefined, at('10:31')).overdue).toBe(0);
  });
});

describe('the board list with a live board', () => {
  it('judges each waiting site by its own deadline: the original one is overdue, the added one is not yet', () => {
    expect(progressOf(summary(), live, at('10:20'))).toEqual({ acked: 1, total: 3, overdue: 1 });
  });

  it('counts the added site too once its own deadline has passed', () => {
    expect(progressOf(summary(), live, at('10:31')).overdue).toBe(2);
  });

  it("takes the server's overdue mark as it is", () => {
    const marked = {
      ...live,
      recipients: { ...live.recipients, s9: { ...live.recipients.s9!, overdue: true } },
    };
    expect(progressOf(summary(), marked, at('10:05')).overdue).toBe(1);
  });

  it('marks nothing once the live board says closed', () => {
    expect(progressOf(summary(), { ...live, status: 'closed' }, at('10:31')).overdue).toBe(0);
  });
});
