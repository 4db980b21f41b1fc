import type { DirectiveRecipientView, DirectiveSummaryView, RecipientState } from '#contracts';
import { isAcked } from '../../lib/levels.js';
import type { LiveBoard } from './use-boards.js';

const WAITING: RecipientState[] = ['pending', 'delivered', 'failed'];

export interface ListProgress {
  acked: number;
  total: number;
  overdue: number;
}

/**
 * 3/5 签收 and how many are past their deadline: from the live board when watched, else the
 * list's counts. A site added later (a warning's widened area) has a deadline of its own:
 * the live board judges each site by its `ackDeadline`; the counts, which do not say whose
 * deadline is whose, call every waiting site overdue only once the latest one (`lastAckBy`)
 * has passed, never a site whose own deadline is still ahead.
 */
export function progressOf(d: DirectiveSummaryView, board: LiveBoard | undefined, now: number): ListProgress {
  if (board && d.status === 'issued') {
    const due = Date.parse(d.ackBy);
    const dueOf = (r: DirectiveRecipientView) => (r.ackDeadline ? Date.parse(r.ackDeadline) : due);
    const rs = Object.values(board.recipients);
    return {
      acked: rs.filter((r) => isAcked(r.state)).length,
      total: rs.length,
      overdue:
        board.status === 'issued'
          ? rs.filter((r) => !isAcked(r.state) && (r.overdue || now > dueOf(r))).length
          : 0,
    };
  }
  const pastDue = d.status === 'issued' && now > Date.parse(d.lastAckBy);
  const n = (s: RecipientState) => d.counts[s] ?? 0;
  const total = Object.values(d.counts).reduce((a, b) => a + (b ?? 0), 0);
  return {
    acked: n('acknowledged') + n('completed'),
    total,
    overdue: pastDue ? WAITING.reduce((a, s) => a + n(s), 0) : 0,
  };
}
