import type {
  DirectiveLevel,
  DirectivePushPayload,
  DirectiveRecipientView,
  OnBehalfRecord,
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
  /** the warning it carries (预警), or null (column added by issue 19) */
  warning_id?: string | null;
  /** the drill it was issued in (docs/drills.md) */
  drill_id?: string | null;
}

export interface RecipientRow {
  site_id: string;
  site_name: string;
  state: RecipientState;
  delivered_at: Date | null;
  delivered_via: TransitionVia | null;
  acknowledged_at: Date | null;
  acknowledged_pressed_at: Date | null;
  ack_clock_skew: 'ahead' | 'behind' | null;
  acknowledged_by: string | null;
  acknowledged_via: TransitionVia | null;
  ack_on_behalf: OnBehalfRecord | null;
  completed_at: Date | null;
  feedback: string | null;
  overdue: boolean;
  escalation_level: number;
  no_leader: boolean;
  /** the site's own 签收 deadline when it was added later; null: the directive's */
  ack_by: Date | null;
}

/**
 * A 代签收's record: its note from the row, the rest from the 签收's history event (kept
 * there so history stays append-only). The subquery runs only for on-behalf rows, on the
 * (directive_id, id) index.
 */
const ON_BEHALF_COLUMN = `CASE WHEN r.acknowledged_via = 'on_behalf' THEN
    jsonb_build_object('method', null, 'person', null, 'phone', null, 'at', null, 'note', r.ack_note)
    || coalesce((SELECT e.data->'onBehalf' FROM directive_events e
                 WHERE e.directive_id = r.directive_id AND e.site_id = r.site_id AND e.type = 'acknowledged'
                 ORDER BY e.id DESC LIMIT 1), '{}'::jsonb)
  END AS ack_on_behalf`;

/** Step 2 found nobody on duty to tell (escalation.service.ts records it on the step's event). */
const NO_LEADER_COLUMN = `(r.escalation_level >= 2 AND EXISTS (SELECT 1 FROM directive_events e
    WHERE e.directive_id = r.directive_id AND e.site_id = r.site_id
      AND e.type = 'escalated:notify_leader' AND e.data->>'noLeader' = 'true')) AS no_leader`;

export const RECIPIENT_COLUMNS = `r.site_id, s.name AS site_name, r.state, r.delivered_at, r.delivered_via, r.acknowledged_at,
  r.acknowledged_pressed_at, r.ack_clock_skew, r.acknowledged_by, r.acknowledged_via, r.completed_at, r.feedback, r.overdue, r.escalation_level,
  r.ack_by, ${ON_BEHALF_COLUMN}, ${NO_LEADER_COLUMN}`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * `directiveAckBy`: the directive's 签收 deadline, every recipient's but those added later
 * (a warning's widened area), whose own is in the row (NULL otherwise: issuing writes
 * nothing more, and the views need no per-row lookup of the directive).
 */
export function toRecipientView(r: RecipientRow, directiveAckBy: Date): DirectiveRecipientView {
  return {
    siteId: r.site_id,
    siteName: r.site_name,
    state: r.state,
    ackDeadline: (r.ack_by ?? directiveAckBy).toISOString(),
    deliveredAt: iso(r.delivered_at),
    deliveredVia: r.delivered_via,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedPressedAt: iso(r.acknowledged_pressed_at ?? r.acknowledged_at),
    acknowledgedClockSkew: r.ack_clock_skew,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedVia: r.acknowledged_via,
    acknowledgedOnBehalf: r.ack_on_behalf,
    completedAt: iso(r.completed_at),
    feedback: r.feedback,
    overdue: r.overdue,
    escalationLevel: r.escalation_level,
    ...(r.no_leader ? { noLeader: true } : {}),
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
    ...(d.warning_id ? { kind: 'warning' as const, warningId: d.warning_id } : {}),
  };
}

export function countsOf(
  rows: { state: RecipientState; n: string | number }[],
): Partial<Record<RecipientState, number>> {
  const counts: Partial<Record<RecipientState, number>> = {};
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}
