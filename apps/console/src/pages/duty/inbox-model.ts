import type {
  DirectiveExpiryPayload,
  DirectiveLevel,
  DirectivePushPayload,
  DirectiveView,
  RecipientState,
} from '#contracts';

/** One directive on a duty-room console, with where this site stands on it. */
export interface InboxItem {
  directive: DirectivePushPayload;
  state: RecipientState | 'cancelled';
  acknowledgedAt: string | null;
  updates: { id: string; text: string; at: string }[];
  /** this site's escalation level on the directive (0: not escalated) */
  escalationLevel: number;
  /** who issued it, when the REST view has been read */
  issuer?: { name: string | null; phone: string | null };
  /** a warning's update moved the validity while this console was open */
  validityMoved?: boolean;
}

export type Inbox = Record<string, InboxItem>;

/** A push (first delivery, re-delivery or catch-up) never moves a site backwards. */
export function applyPush(inbox: Inbox, d: DirectivePushPayload): Inbox {
  const prev = inbox[d.id];
  const escalated = Math.max(prev?.escalationLevel ?? 0, d.redelivery);
  if (prev) return { ...inbox, [d.id]: { ...prev, directive: d, escalationLevel: escalated } };
  return {
    ...inbox,
    [d.id]: {
      directive: d,
      state: 'delivered',
      acknowledgedAt: null,
      updates: [],
      escalationLevel: escalated,
    },
  };
}

export function fromView(v: DirectiveView): InboxItem {
  const mine = v.recipients[0];
  return {
    directive: {
      id: v.id,
      serial: v.serial,
      title: v.title,
      body: v.body,
      level: v.level,
      // this site's own deadline: a site added by a warning's widened area has a later one
      ackBy: mine?.ackDeadline ?? v.ackBy,
      expiresAt: v.expiresAt ?? null,
      drill: v.drill,
      issuedAt: v.issuedAt,
      redelivery: 0,
      // a warning (预警) travels as a directive; the push says so, and so must the REST view
      ...(v.warningId ? { kind: 'warning' as const, warningId: v.warningId } : {}),
    },
    state: v.status === 'cancelled' ? 'cancelled' : (mine?.state ?? 'pending'),
    acknowledgedAt: mine?.acknowledgedAt ?? null,
    updates: v.messages
      .filter((m) => m.kind === 'update' && m.text)
      .map((m) => ({ id: m.id, text: m.text!, at: m.at })),
    escalationLevel: mine?.escalationLevel ?? 0,
    issuer: { name: v.issuerName ?? null, phone: v.issuerPhone ?? null },
  };
}

/** The validity moved (`directive.expiry`): the card shows the new one. */
export function applyExpiry(inbox: Inbox, e: DirectiveExpiryPayload): Inbox {
  const item = inbox[e.directiveId];
  if (!item) return inbox;
  return {
    ...inbox,
    [e.directiveId]: {
      ...item,
      directive: { ...item.directive, expiresAt: e.expiresAt },
      validityMoved: true,
    },
  };
}

export const needsAck = (i: InboxItem) =>
  i.state === 'pending' || i.state === 'delivered' || i.state === 'failed';
export const needsFeedback = (i: InboxItem) => i.state === 'acknowledged';
export const isOverdue = (i: InboxItem, now: number) =>
  needsAck(i) && new Date(i.directive.ackBy).getTime() < now;

const LEVEL_RANK: Record<DirectiveLevel, number> = { red: 0, orange: 1, yellow: 2, blue: 3 };

/**
 * Urgency first: overdue 签收 (most severe level first), then the other unsigned ones by
 * level, then those waiting only for 反馈; within a group the earliest deadline leads.
 */
export function byUrgency(now: number): (a: InboxItem, b: InboxItem) => number {
  const group = (i: InboxItem) => (isOverdue(i, now) ? 0 : needsAck(i) ? 1 : 2);
  return (a, b) =>
    group(a) - group(b) ||
    LEVEL_RANK[a.directive.level] - LEVEL_RANK[b.directive.level] ||
    a.directive.ackBy.localeCompare(b.directive.ackBy);
}
