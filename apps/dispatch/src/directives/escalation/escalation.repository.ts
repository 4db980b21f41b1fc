import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { RecipientState } from '#contracts';
import { AWAITING_ACK_STATES, type DueRecipient, type PlannedStep } from '#domain';
import { sqlList } from '../shared/sql.js';
import type { DirectiveRow } from '../shared/views.js';

/** States a recipient is still waited for in: escalation and expiry apply. */
const WAITING = sqlList(AWAITING_ACK_STATES);

export interface DueRow extends DueRecipient {
  state: RecipientState;
}

/** What an escalation notice needs to say and to whom. */
export interface NoticeContext {
  directive: Pick<DirectiveRow, 'id' | 'serial' | 'title' | 'level' | 'drill' | 'issued_by'>;
  siteName: string;
  sitePath: string;
  leaderId: string | null;
}

/**
 * The escalation schedule: `directive_recipients.next_escalation_at` and `escalation_level`
 * (queue timers only wake the check; these columns are the truth).
 */
@Injectable()
export class EscalationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Directives with a step due, or past their validity with recipients still waiting. A
   * little grace, so the timer job (precise) normally wins over the sweep.
   */
  async dueDirectives(limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `(SELECT DISTINCT directive_id FROM directive_recipients
        WHERE next_escalation_at <= now() - interval '1 second' AND state IN ${WAITING})
       UNION
       (SELECT d.id FROM directives d
        WHERE d.status = 'issued' AND d.expires_at <= now() - interval '1 second'
          AND EXISTS (SELECT 1 FROM directive_recipients r
                      WHERE r.directive_id = d.id AND r.state IN ${WAITING}))
       LIMIT $1`,
      [limit],
    )) as { directive_id: string }[];
    return rows.map((r) => r.directive_id);
  }

  async directive(tx: EntityManager, directiveId: string): Promise<DirectiveRow | undefined> {
    const [d] = (await tx.query('SELECT * FROM directives WHERE id = $1', [directiveId])) as DirectiveRow[];
    return d;
  }

  /** The transaction's time: every step of one pass is measured from it. */
  async now(tx: EntityManager): Promise<Date> {
    const [{ now }] = (await tx.query('SELECT now() AS now')) as { now: Date }[];
    return now;
  }

  /** Recipients whose step is due, locked; those another pass holds are skipped (it takes them). */
  async lockDue(tx: EntityManager, directiveId: string): Promise<DueRow[]> {
    const rows = (await tx.query(
      `SELECT site_id, escalation_level, state FROM directive_recipients
       WHERE directive_id = $1 AND next_escalation_at <= now() AND state IN ${WAITING}
       ORDER BY site_id FOR UPDATE SKIP LOCKED`,
      [directiveId],
    )) as { site_id: string; escalation_level: number; state: RecipientState }[];
    return rows.map((r) => ({ siteId: r.site_id, escalationLevel: r.escalation_level, state: r.state }));
  }

  /** Past the last step: nothing left to schedule. */
  async unschedule(tx: EntityManager, directiveId: string, siteIds: string[]): Promise<void> {
    if (siteIds.length === 0) return;
    await tx.query(
      'UPDATE directive_recipients SET next_escalation_at = NULL WHERE directive_id = $1 AND site_id = ANY($2::uuid[])',
      [directiveId, siteIds],
    );
  }

  /** Advances each level only from the one planned on (a conditional UPDATE: no step is taken twice). */
  async advance(tx: EntityManager, directiveId: string, steps: PlannedStep[]): Promise<void> {
    await tx.query(
      `UPDATE directive_recipients r SET escalation_level = q.new_level, overdue = true, next_escalation_at = q.next_at, updated_at = now()
       FROM unnest($2::uuid[], $3::int[], $4::int[], $5::timestamptz[]) AS q(site_id, old_level, new_level, next_at)
       WHERE r.directive_id = $1 AND r.site_id = q.site_id AND r.escalation_level = q.old_level`,
      [
        directiveId,
        steps.map((s) => s.siteId),
        steps.map((s) => s.fromLevel),
        steps.map((s) => s.newLevel),
        steps.map((s) => s.nextAt?.toISOString() ?? null),
      ],
    );
  }

  /** The sites' own 签收 deadlines (null: the directive's), for a re-delivery to carry. */
  async ownDeadlines(
    tx: EntityManager,
    directiveId: string,
    siteIds: string[],
  ): Promise<{ siteId: string; own: Date | null }[]> {
    const rows = (await tx.query(
      'SELECT site_id, ack_by FROM directive_recipients WHERE directive_id = $1 AND site_id = ANY($2::uuid[])',
      [directiveId, siteIds],
    )) as { site_id: string; ack_by: Date | null }[];
    return rows.map((r) => ({ siteId: r.site_id, own: r.ack_by }));
  }

  /** When the directive's next step falls due, if any recipient still waits for one. */
  async nextDue(tx: EntityManager, directiveId: string): Promise<Date | null> {
    const [{ next }] = (await tx.query(
      `SELECT min(next_escalation_at) AS next FROM directive_recipients
       WHERE directive_id = $1 AND state IN ${WAITING}`,
      [directiveId],
    )) as { next: Date | null }[];
    return next;
  }

  /** Every recipient still waiting, locked (expiry takes them all). */
  async lockWaiting(
    tx: EntityManager,
    directiveId: string,
  ): Promise<{ siteId: string; state: RecipientState }[]> {
    const rows = (await tx.query(
      `SELECT site_id, state FROM directive_recipients
       WHERE directive_id = $1 AND state IN ${WAITING} ORDER BY site_id FOR UPDATE`,
      [directiveId],
    )) as { site_id: string; state: RecipientState }[];
    return rows.map((r) => ({ siteId: r.site_id, state: r.state }));
  }

  async expire(tx: EntityManager, directiveId: string, siteIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE directive_recipients SET state = 'expired', next_escalation_at = NULL, updated_at = now()
       WHERE directive_id = $1 AND site_id = ANY($2::uuid[])`,
      [directiveId, siteIds],
    );
  }

  /**
   * Of these sites, those with no leader on duty now: none rostered for this hour
   * (duty_shifts) and no fixed leader (duty_leaders). Step 2 can tell no one there.
   */
  async withoutLeader(tx: EntityManager, siteIds: string[]): Promise<Set<string>> {
    if (siteIds.length === 0) return new Set();
    const rows = (await tx.query(
      `SELECT id FROM unnest($1::uuid[]) AS q(id)
       WHERE NOT EXISTS (SELECT 1 FROM duty_leaders l WHERE l.site_id = q.id)
         AND NOT EXISTS (SELECT 1 FROM duty_shifts s
                         WHERE s.site_id = q.id AND s.role = 'leader' AND s.starts_at <= now() AND now() < s.ends_at)`,
      [siteIds],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The leader told at step 2 is the one rostered at the site at the step's time (duty_shifts,
   * issue 17); without one, the site's fixed leader on duty (duty_leaders) stands in.
   */
  async noticeContext(directiveId: string, siteId: string, at: Date): Promise<NoticeContext | null> {
    const [row] = (await this.dataSource.query(
      `SELECT d.id, d.serial, d.title, d.level, d.drill, d.issued_by, s.name AS site_name, s.path AS site_path,
              coalesce(
                (SELECT user_id FROM duty_shifts
                 WHERE site_id = s.id AND role = 'leader' AND starts_at <= $3 AND $3 < ends_at
                 ORDER BY starts_at DESC LIMIT 1),
                (SELECT user_id FROM duty_leaders WHERE site_id = s.id)) AS leader_id
       FROM directives d JOIN sites s ON s.id = $2 WHERE d.id = $1`,
      [directiveId, siteId, at],
    )) as (NoticeContext['directive'] & { site_name: string; site_path: string; leader_id: string | null })[];
    if (!row) return null;
    const { site_name, site_path, leader_id, ...directive } = row;
    return { directive, siteName: site_name, sitePath: site_path, leaderId: leader_id };
  }
}
