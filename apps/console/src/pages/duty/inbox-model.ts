import type { DirectivePushPayload, DirectiveView, RecipientState } from '#contracts';

/** One directive on a duty-room console, with where this site stands on it. */
export interface InboxItem {
  directive: DirectivePushPayload;
  state: RecipientState | 'cancelled';
  acknowledgedAt: string | null;
  updates: { id: string; text: string; at: string }[];
}

export type Inbox = Record<string, InboxItem>;

/** A push (first delivery, re-delivery or catch-up) never moves a site backwards. */
export function applyPush(inbox: Inbox, d: DirectivePushPayload): Inbox {
  const prev = inbox[d.id];
  if (prev) return { ...inbox, [d.id]: { ...prev, directive: d } };
  return { ...inbox, [d.id]: { directive: d, state: 'delivered', acknowledgedAt: null, updates: [] } };
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
      ackBy: v.ackBy,
      expiresAt: v.expiresAt ?? null,
      drill: v.drill,
      issuedAt: v.issuedAt,
      redelivery: 0,
    },
    state: v.status === 'cancelled' ? 'cancelled' : (mine?.state ?? 'pending'),
    acknowledgedAt: mine?.acknowledgedAt ?? null,
    updates: v.messages
      .filter((m) => m.kind === 'update' && m.text)
      .map((m) => ({ id: m.id, text: m.text!, at: m.at })),
  };
}

export const needsAck = (i: InboxItem) =>
  i.state === 'pending' || i.state === 'delivered' || i.state === 'failed';
export const needsFeedback = (i: InboxItem) => i.state === 'acknowledged';
