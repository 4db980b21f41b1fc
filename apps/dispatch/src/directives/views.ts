import type {
  DirectiveLevel,
  DirectivePushPayload,
  DirectiveRecipientView,
  RecipientState,
  TransitionVia,
} from '#contracts';

export interface DirectiveRow {
  id: string;
  serial: string;
  title: string;
  body: string;
  level: DirectiveLevel;
  status: 'issued' | 'cancelled' | 'closed';
  ack_within_seconds: number;
  ack_by: Date;
  expires_at: Date | null;
  drill: boolean;
  issued_by: string;
  issuer_site_id: string;
  issuer_site_path: string;
  issued_at: Date;
  cancelled_at: Date | null;
  closed_at: Date | null;
}

export interface RecipientRow {
  site_id: string;
  site_name: string;
  state: RecipientState;
  delivered_at: Date | null;
  delivered_via: TransitionVia | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_via: TransitionVia | null;
  completed_at: Date | null;
  feedback: string | null;
  overdue: boolean;
  escalation_level: number;
}

export const RECIPIENT_COLUMNS = `r.site_id, s.name AS site_name, r.state, r.delivered_at, r.delivered_via, r.acknowledged_at,
  r.acknowledged_by, r.acknowledged_via, r.completed_at, r.feedback, r.overdue, r.escalation_level`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toRecipientView(r: RecipientRow): DirectiveRecipientView {
  return {
    siteId: r.site_id,
    siteName: r.site_name,
    state: r.state,
    deliveredAt: iso(r.delivered_at),
    deliveredVia: r.delivered_via,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    acknowledgedVia: r.acknowledged_via,
    completedAt: iso(r.completed_at),
    feedback: r.feedback,
    overdue: r.overdue,
    escalationLevel: r.escalation_level,
  };
}

export function toPushPayload(d: DirectiveRow, redelivery = 0): DirectivePushPayload {
  return {
    id: d.id,
    serial: d.serial,
    title: d.title,
    body: d.body,
    level: d.level,
    ackBy: d.ack_by.toISOString(),
    expiresAt: d.expires_at?.toISOString() ?? null,
    drill: d.drill,
    issuedAt: d.issued_at.toISOString(),
    redelivery,
  };
}

export function countsOf(
  rows: { state: RecipientState; n: string | number }[],
): Partial<Record<RecipientState, number>> {
  const counts: Partial<Record<RecipientState, number>> = {};
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}
