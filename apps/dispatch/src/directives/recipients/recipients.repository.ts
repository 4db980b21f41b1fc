import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { RecipientState } from '#contracts';
import {
  AWAITING_ACK_STATES,
  FINAL_STATES,
  recipientKey,
  type RecipientSnapshot,
  type RowChange,
} from '#domain';
import {
  EVENT_COLUMNS,
  eventColumns,
  eventUnnest,
  type DirectiveEvent,
  type Queryable,
} from '../shared/directive-events.repository.js';
import { sqlList } from '../shared/sql.js';
import type { DirectiveRow } from '../shared/views.js';

/** States a recipient is still waited for in: re-send and escalation apply. */
const OPEN_STATES = sqlList(AWAITING_ACK_STATES);
const FINAL = sqlList(FINAL_STATES);

interface SnapshotRow {
  directive_id: string;
  site_id: string;
  state: RecipientState;
  acknowledged_at: Date | null;
  status: RecipientSnapshot['directiveStatus'];
  expired: boolean;
  issued_at: Date;
  expires_at: Date | null;
}

/** `directive_recipients`: one row per site a directive is addressed to, with its state. */
@Injectable()
export class RecipientsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Locks the rows (in one order, so two batches cannot deadlock) and reads what the receipt rules need. */
  async lockForReceipts(
    tx: EntityManager,
    pairs: { directiveId: string; siteId: string }[],
  ): Promise<Map<string, RecipientSnapshot>> {
    const list = [...new Map(pairs.map((p) => [recipientKey(p.directiveId, p.siteId), p])).values()];
    const rows = (await tx.query(
      `SELECT r.directive_id, r.site_id, r.state, r.acknowledged_at, d.status, d.issued_at, d.expires_at,
              (d.expires_at IS NOT NULL AND d.expires_at <= now()) AS expired
       FROM directive_recipients r
       JOIN unnest($1::uuid[], $2::uuid[]) AS q(directive_id, site_id)
         ON q.directive_id = r.directive_id AND q.site_id = r.site_id
       JOIN directives d ON d.id = r.directive_id
       ORDER BY r.directive_id, r.site_id
       FOR UPDATE OF r`,
      [list.map((p) => p.directiveId), list.map((p) => p.siteId)],
    )) as SnapshotRow[];
    return new Map(
      rows.map((r) => [
        recipientKey(r.directive_id, r.site_id),
        {
          state: r.state,
          directiveStatus: r.status,
          expired: r.expired,
          issuedAt: r.issued_at,
          expiresAt: r.expires_at,
          acknowledgedAt: r.acknowledged_at,
        },
      ]),
    );
  }

  /**
   * Writes a batch's row changes and their history in one statement (under a storm of acks
   * each round trip waits its turn in a busy event loop). Returns the transaction's time,
   * which is the recorded 签收 time.
   */
  async applyReceipts(tx: EntityManager, rows: RowChange[], events: DirectiveEvent[]): Promise<Date> {
    const [first] = (await tx.query(
      `WITH changed AS (
         UPDATE directive_recipients r SET
           state = q.state,
           delivered_at = CASE WHEN r.delivered_at IS NULL AND (q.delivered_via IS NOT NULL OR q.acked) THEN now() ELSE r.delivered_at END,
           delivered_via = coalesce(r.delivered_via, q.delivered_via, q.ack_via),
           acknowledged_at = CASE WHEN q.acked THEN now() ELSE r.acknowledged_at END,
           acknowledged_by = CASE WHEN q.acked THEN q.actor_id ELSE r.acknowledged_by END,
           acknowledged_via = CASE WHEN q.acked THEN q.ack_via ELSE r.acknowledged_via END,
           ack_note = CASE WHEN q.acked THEN q.note ELSE r.ack_note END,
           acknowledged_pressed_at = CASE WHEN q.acked THEN q.pressed_at ELSE r.acknowledged_pressed_at END,
           ack_clock_skew = CASE WHEN q.acked THEN q.clock_skew ELSE r.ack_clock_skew END,
           next_escalation_at = CASE WHEN q.acked THEN NULL ELSE r.next_escalation_at END,
           updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::recipient_state[], $4::varchar[], $5::bool[], $6::uuid[], $7::varchar[], $8::text[],
                     $19::timestamptz[], $20::varchar[])
              AS q(directive_id, site_id, state, delivered_via, acked, actor_id, ack_via, note, pressed_at, clock_skew)
         WHERE r.directive_id = q.directive_id AND r.site_id = q.site_id
         RETURNING 1),
       history AS (
         INSERT INTO directive_events (${EVENT_COLUMNS})
         SELECT * FROM unnest(${eventUnnest(9)}))
       SELECT now() AS at, (SELECT count(*) FROM changed) AS n`,
      [
        rows.map((p) => p.directiveId),
        rows.map((p) => p.siteId),
        rows.map((p) => p.state),
        rows.map((p) => p.deliveredVia),
        rows.map((p) => p.ack !== null),
        rows.map((p) => p.ack?.actorId ?? null),
        rows.map((p) => p.ack?.via ?? null),
        rows.map((p) => p.ack?.note ?? null),
        ...eventColumns(events),
        rows.map((p) => p.press?.at.toISOString() ?? null),
        rows.map((p) => p.press?.skew ?? null),
      ],
    )) as { at: Date; n: string }[];
    return first?.at ?? new Date();
  }

  /** pending → failed, only while the directive is issued (failureApplies). True if it changed. */
  async markFailed(tx: EntityManager, directiveId: string, siteId: string): Promise<boolean> {
    const [rows] = (await tx.query(
      `UPDATE directive_recipients r SET state = 'failed', updated_at = now()
       FROM directives d
       WHERE r.directive_id = $1 AND r.site_id = $2 AND r.state = 'pending' AND d.id = r.directive_id AND d.status = 'issued'
       RETURNING r.site_id`,
      [directiveId, siteId],
    )) as [unknown[], number];
    return rows.length > 0;
  }

  /** Closes the directive when every recipient has completed or expired. True if it closed now. */
  async closeDirectiveIfDone(tx: EntityManager, directiveId: string): Promise<boolean> {
    const [rows] = (await tx.query(
      `UPDATE directives SET status = 'closed', closed_at = now()
       WHERE id = $1 AND status = 'issued'
         AND NOT EXISTS (SELECT 1 FROM directive_recipients WHERE directive_id = $1 AND state NOT IN ${FINAL})
       RETURNING id`,
      [directiveId],
    )) as [unknown[], number];
    return rows.length > 0;
  }

  /** The directive, locked against a concurrent cancel or close while an action runs. */
  async lockDirective(tx: EntityManager, directiveId: string): Promise<DirectiveRow | undefined> {
    const [d] = (await tx.query('SELECT * FROM directives WHERE id = $1 FOR UPDATE', [
      directiveId,
    ])) as DirectiveRow[];
    return d;
  }

  /** Which of these sites still wait for the directive, with their escalation level. */
  async waiting(
    tx: EntityManager,
    directiveId: string,
    siteIds: string[],
  ): Promise<{ siteId: string; escalationLevel: number; own: Date | null }[]> {
    const rows = (await tx.query(
      `SELECT site_id, escalation_level, ack_by FROM directive_recipients
       WHERE directive_id = $1 AND site_id = ANY($2::uuid[]) AND state IN ${OPEN_STATES}`,
      [directiveId, siteIds],
    )) as { site_id: string; escalation_level: number; ack_by: Date | null }[];
    // `own`: the site's own 签收 deadline when it was added later (null: the directive's)
    return rows.map((r) => ({ siteId: r.site_id, escalationLevel: r.escalation_level, own: r.ack_by }));
  }

  /** Makes the site's next escalation step due now, if it still waits. True if it does. */
  async escalateNow(tx: EntityManager, directiveId: string, siteId: string): Promise<boolean> {
    const [rows] = (await tx.query(
      `UPDATE directive_recipients SET next_escalation_at = now()
       WHERE directive_id = $1 AND site_id = $2 AND state IN ${OPEN_STATES} RETURNING site_id`,
      [directiveId, siteId],
    )) as [unknown[], number];
    return rows.length > 0;
  }

  async escalationLevel(
    directiveId: string,
    siteId: string,
    db: Queryable = this.dataSource,
  ): Promise<number | null> {
    const [row] = (await db.query(
      'SELECT escalation_level FROM directive_recipients WHERE directive_id = $1 AND site_id = $2',
      [directiveId, siteId],
    )) as { escalation_level: number }[];
    return row?.escalation_level ?? null;
  }
}
