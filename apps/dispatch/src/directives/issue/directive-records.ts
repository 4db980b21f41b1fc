import { ESCALATE_JOB } from '../escalation/escalation.service.js';
import type { DirectiveEvent } from '../shared/directive-events.repository.js';
import type { OutboxJob } from '../shared/outbox.js';
import type { DirectiveRow } from '../shared/views.js';

/** The escalation check at the deadline and, when the validity ends, the one that expires the recipients. */
export function escalationChecks(row: DirectiveRow): OutboxJob[] {
  const check = (at: Date) => ({
    name: ESCALATE_JOB,
    data: { directiveId: row.id },
    key: `escalate:${row.id}:${at.getTime()}`,
    runAt: at,
  });
  return row.expires_at ? [check(row.ack_by), check(row.expires_at)] : [check(row.ack_by)];
}

/** A history row about the directive as a whole: no site, no recipient changes state. */
export function directiveEvent(
  directiveId: string,
  type: 'issued' | 'cancelled' | 'updated',
  actorId: string,
  note: string | null,
  extra: Partial<Pick<DirectiveEvent, 'to' | 'data'>> = {},
): DirectiveEvent {
  return {
    directiveId,
    siteId: null,
    type,
    from: null,
    to: null,
    via: null,
    actorId,
    deviceId: null,
    note,
    ...extra,
  };
}
