import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DirectiveBoardPayload, RecipientState } from '#contracts';
import { RECIPIENT_COLUMNS, type RecipientRow } from './views.js';

/** The reads behind the dispatcher's live board (always fresh: never a state that was not committed). */
@Injectable()
export class BoardRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The directive's status and 签收 deadline (its recipients' unless added later). */
  async head(directiveId: string): Promise<{ status: DirectiveBoardPayload['status']; ackBy: Date } | null> {
    const [d] = (await this.dataSource.query('SELECT status, ack_by FROM directives WHERE id = $1', [
      directiveId,
    ])) as { status: DirectiveBoardPayload['status']; ack_by: Date }[];
    return d ? { status: d.status, ackBy: d.ack_by } : null;
  }

  /** Where the directive was issued (`/root/.../site/`): who may see it in their list. */
  async issuerSitePath(directiveId: string): Promise<string | null> {
    const [d] = (await this.dataSource.query('SELECT issuer_site_path FROM directives WHERE id = $1', [
      directiveId,
    ])) as { issuer_site_path: string }[];
    return d?.issuer_site_path ?? null;
  }

  async recipientSiteIds(directiveId: string): Promise<string[]> {
    const rows = (await this.dataSource.query(
      'SELECT site_id FROM directive_recipients WHERE directive_id = $1',
      [directiveId],
    )) as { site_id: string }[];
    return rows.map((r) => r.site_id);
  }

  async countsByState(directiveId: string): Promise<{ state: RecipientState; n: string }[]> {
    return (await this.dataSource.query(
      'SELECT state, count(*) AS n FROM directive_recipients WHERE directive_id = $1 GROUP BY state',
      [directiveId],
    )) as { state: RecipientState; n: string }[];
  }

  /** The given recipients (all of them when siteIds is null), in site tree order. */
  async recipients(directiveId: string, siteIds: string[] | null): Promise<RecipientRow[]> {
    return (await this.dataSource.query(
      `SELECT ${RECIPIENT_COLUMNS} FROM directive_recipients r JOIN sites s ON s.id = r.site_id
       WHERE r.directive_id = $1 AND ($2::uuid[] IS NULL OR r.site_id = ANY($2::uuid[])) ORDER BY s.path`,
      [directiveId, siteIds],
    )) as RecipientRow[];
  }
}
