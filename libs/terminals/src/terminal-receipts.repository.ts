import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A device receipt on an outbox row that its recipient has not heard of (see ReceiptReconciler). */
export interface UnreportedReceiptRow {
  /** the terminal message's id */
  id: string;
  terminal_id: string;
  directive_id: string;
  site_id: string;
  state: 'received' | 'acknowledged';
  at: Date;
  pressed_at: Date | null;
}

/**
 * What the receipt path reads about directives and 查岗 spot checks: which exist, and which
 * receipts they missed.
 */
@Injectable()
export class TerminalReceiptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The ids among `ids` that are directives (a test call's id is not). */
  async existingDirectives(ids: string[]): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT d.id::text AS id FROM directives d WHERE d.id::text = ANY($1::text[])`,
      [ids],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The ids among `ids` that are 查岗 spot checks (their messages' 签收 is the site's answer). */
  async existingSpotChecks(ids: string[]): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT c.id::text AS id FROM spot_checks c WHERE c.id::text = ANY($1::text[])`,
      [ids],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * The oldest receipt per (directive, site, state) of live directives (issued, not
   * expired) whose recipient is still behind it, older than `settleSeconds`.
   */
  async unreported(settleSeconds: number, limit: number): Promise<UnreportedReceiptRow[]> {
    return (await this.dataSource.query(
      `SELECT DISTINCT ON (r.directive_id, r.site_id, m.state)
         m.id, m.terminal_id, m.directive_id, r.site_id, m.state::text AS state,
         coalesce(m.acknowledged_at, m.received_at) AS at, m.acknowledged_device_at AS pressed_at
       FROM directive_recipients r
       JOIN directives d ON d.id = r.directive_id
       JOIN terminal_messages m ON m.directive_id = r.directive_id::text AND m.topic = 'directives'
       -- a radio gateway's text acks report nothing (textAckReports)
       JOIN terminals t ON t.id = m.terminal_id AND t.site_id = r.site_id AND t.kind <> 'radio'
       WHERE d.status = 'issued' AND (d.expires_at IS NULL OR d.expires_at > now())
         AND (
           (r.state IN ('pending', 'delivered') AND m.state = 'acknowledged'
             AND m.acknowledged_at < now() - make_interval(secs => $1))
           OR (r.state = 'pending' AND m.state = 'received'
             AND m.received_at < now() - make_interval(secs => $1)))
       ORDER BY r.directive_id, r.site_id, m.state, at
       LIMIT $2`,
      [settleSeconds, limit],
    )) as UnreportedReceiptRow[];
  }

  /**
   * A terminal's 签收 of a 查岗 spot check's message that its check has not heard of: the
   * oldest per (check, site) whose target is still `pending` or `missed` (an `answered` or
   * `late` one keeps its first answer), acknowledged more than `settleSeconds` ago, of checks
   * created in the last `horizonDays` (a check's window is at most an hour; an answer after
   * it is still recorded, as late).
   */
  async unreportedSpotCheckAnswers(
    settleSeconds: number,
    horizonDays: number,
    limit: number,
  ): Promise<UnreportedReceiptRow[]> {
    return (await this.dataSource.query(
      `SELECT DISTINCT ON (tg.check_id, tg.site_id)
         m.id, m.terminal_id, m.directive_id, tg.site_id, 'acknowledged' AS state,
         m.acknowledged_at AS at, m.acknowledged_device_at AS pressed_at
       FROM spot_checks c
       JOIN spot_check_targets tg ON tg.check_id = c.id AND tg.state IN ('pending', 'missed')
       JOIN terminal_messages m ON m.directive_id = c.id::text AND m.topic = 'directives'
         AND m.state = 'acknowledged' AND m.acknowledged_at < now() - make_interval(secs => $1)
       JOIN terminals t ON t.id = m.terminal_id AND t.site_id = tg.site_id
       WHERE c.created_at > now() - make_interval(days => $2) AND 'terminal' = ANY(c.channels)
       ORDER BY tg.check_id, tg.site_id, m.acknowledged_at
       LIMIT $3`,
      [settleSeconds, horizonDays, limit],
    )) as UnreportedReceiptRow[];
  }
}
