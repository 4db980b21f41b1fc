import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  DirectiveLevel,
  DirectiveMessageView,
  DirectiveSummaryView,
  DirectiveView,
  ListDirectivesQuery,
  RecipientState,
} from '#contracts';
import {
  countsOf,
  RECIPIENT_COLUMNS,
  toRecipientView,
  type DirectiveRow,
  type RecipientRow,
} from '../shared/views.js';

export interface NewDirective {
  id: string;
  serial: string;
  title: string;
  body: string;
  level: DirectiveLevel;
  ackWithinSeconds: number;
  drill: boolean;
  issuedBy: string;
  issuerSiteId: string;
  issuerSitePath: string;
  templateId: string | null;
  expiresAt: string | null;
  /** the warning (预警) this directive carries on every channel; null for a plain directive */
  warningId?: string | null;
}

export interface DirectiveMessageRow {
  id: string;
  kind: DirectiveMessageView['kind'];
  text: string | null;
  actor_id: string | null;
  at: Date;
}

/** A site's recipient row with its directive's status, locked for 反馈. */
export interface FeedbackTargetRow {
  state: RecipientState;
  acknowledged_at: Date | null;
  status: DirectiveRow['status'];
}

export interface RecipientCountRow {
  directive_id: string;
  state: RecipientState;
  n: string;
}

/**
 * The directive as issued: directives, their per-year serials (directive_serials), their
 * messages (issue, 续发, cancel) and the recipient rows issuing creates and reads back.
 * Writes take the caller's transaction; reads default to the pool.
 */
@Injectable()
export class DirectivesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The database's clock: serials and deadlines follow it, not the app server's. */
  async now(tx: EntityManager): Promise<Date> {
    const [row] = (await tx.query('SELECT now() AS now')) as { now: Date }[];
    return row!.now;
  }

  /** The year's next serial number; the counter row's lock orders concurrent issues. */
  async takeSerialNumber(tx: EntityManager, year: number): Promise<number> {
    const [counter] = (await tx.query(
      `INSERT INTO directive_serials (year, last_value) VALUES ($1, 1)
       ON CONFLICT (year) DO UPDATE SET last_value = directive_serials.last_value + 1 RETURNING last_value`,
      [year],
    )) as { last_value: number }[];
    return counter!.last_value;
  }

  /** ack_by (and the first escalation) follow from the database's clock at insert. */
  async insert(tx: EntityManager, d: NewDirective): Promise<DirectiveRow> {
    const [row] = (await tx.query(
      `INSERT INTO directives (id, serial, title, body, level, ack_within_seconds, ack_by, drill, issued_by,
                               issuer_site_id, issuer_site_path, template_id, issued_at, expires_at, warning_id)
       VALUES ($1, $2, $3, $4, $5, $6::int, now() + make_interval(secs => $6::int), $7, $8, $9, $10, $11, now(), $12, $13)
       RETURNING *`,
      [
        d.id,
        d.serial,
        d.title,
        d.body,
        d.level,
        d.ackWithinSeconds,
        d.drill,
        d.issuedBy,
        d.issuerSiteId,
        d.issuerSitePath,
        d.templateId,
        d.expiresAt,
        d.warningId ?? null,
      ],
    )) as DirectiveRow[];
    return row!;
  }

  /** A message of the directive (the issue itself, a 续发, a cancellation); returns when it was recorded. */
  async insertMessage(
    tx: EntityManager,
    m: {
      id: string;
      directiveId: string;
      kind: DirectiveMessageView['kind'];
      text: string | null;
      actorId: string;
    },
  ): Promise<Date> {
    const [row] = (await tx.query(
      `INSERT INTO directive_messages (id, directive_id, kind, text, actor_id) VALUES ($1, $2, $3, $4, $5) RETURNING at`,
      [m.id, m.directiveId, m.kind, m.text, m.actorId],
    )) as { at: Date }[];
    return row!.at;
  }

  /**
   * One pending recipient per site, first escalated at the deadline. `own`: the sites are
   * added later and the deadline is theirs (left NULL at issue: the directive's `ack_by`).
   */
  async insertRecipients(
    tx: EntityManager,
    directiveId: string,
    siteIds: string[],
    deadline: Date,
    own = false,
  ) {
    await tx.query(
      `INSERT INTO directive_recipients (directive_id, site_id, next_escalation_at, ack_by)
       SELECT $1, unnest($2::uuid[]), $3, $4`,
      [directiveId, siteIds, deadline, own ? deadline : null],
    );
  }

  /** The directive, with whom the duty rooms can call back about it. */
  async find(id: string): Promise<(DirectiveRow & IssuerColumns) | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT d.*, u.display_name AS issuer_name, u.phone AS issuer_phone
       FROM directives d LEFT JOIN users u ON u.id = d.issued_by WHERE d.id = $1`,
      [id],
    )) as (DirectiveRow & IssuerColumns)[];
    return row;
  }

  /** Whether the directive is addressed to a site in the subtree at `scope`. */
  async isAddressedWithin(id: string, scope: string): Promise<boolean> {
    const [hit] = (await this.dataSource.query(
      `SELECT 1 FROM directive_recipients r JOIN sites s ON s.id = r.site_id WHERE r.directive_id = $1 AND s.path LIKE $2 || '%' LIMIT 1`,
      [id, scope],
    )) as unknown[];
    return hit !== undefined;
  }

  /** The recipients by site path, all of them or those in the subtree at `scope`. */
  async recipients(
    id: string,
    scope: string | null,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<RecipientRow[]> {
    return (await manager.query(
      `SELECT ${RECIPIENT_COLUMNS} FROM directive_recipients r JOIN sites s ON s.id = r.site_id
       WHERE r.directive_id = $1 AND ($2::text IS NULL OR s.path LIKE $2 || '%') ORDER BY s.path`,
      [id, scope],
    )) as RecipientRow[];
  }

  async recipientSiteIds(tx: EntityManager, id: string): Promise<string[]> {
    const rows = (await tx.query('SELECT site_id FROM directive_recipients WHERE directive_id = $1', [
      id,
    ])) as {
      site_id: string;
    }[];
    return rows.map((s) => s.site_id);
  }

  async messages(id: string): Promise<DirectiveMessageRow[]> {
    return (await this.dataSource.query(
      'SELECT id, kind, text, actor_id, at FROM directive_messages WHERE directive_id = $1 ORDER BY at, id',
      [id],
    )) as DirectiveMessageRow[];
  }

  /** Newest first: issued within the scope, or addressed to a site in it. */
  async list(scope: string, query: ListDirectivesQuery): Promise<DirectiveRow[]> {
    return (await this.dataSource.query(
      `SELECT d.* FROM directives d
       WHERE ($1::directive_status IS NULL OR d.status = $1) AND ($2::timestamptz IS NULL OR d.issued_at >= $2)
         AND (d.issuer_site_path LIKE $3 || '%' OR EXISTS (
               SELECT 1 FROM directive_recipients r JOIN sites s ON s.id = r.site_id
               WHERE r.directive_id = d.id AND s.path LIKE $3 || '%'))
       ORDER BY d.issued_at DESC LIMIT $4`,
      [query.state ?? null, query.since ?? null, scope, query.limit],
    )) as DirectiveRow[];
  }

  /** Recipients per directive and state, counting only sites within the scope. */
  async recipientCounts(ids: string[], scope: string): Promise<RecipientCountRow[]> {
    return (await this.dataSource.query(
      `SELECT r.directive_id, r.state, count(*) AS n FROM directive_recipients r JOIN sites s ON s.id = r.site_id
       WHERE r.directive_id = ANY($1::uuid[]) AND s.path LIKE $2 || '%' GROUP BY r.directive_id, r.state`,
      [ids, scope],
    )) as RecipientCountRow[];
  }

  /**
   * The latest 签收 deadline within the scope, per directive, where a site added later has
   * one past the directive's (other directives are absent: their `ack_by` is every site's).
   */
  async lastDeadlines(ids: string[], scope: string): Promise<Map<string, Date>> {
    const rows = (await this.dataSource.query(
      `SELECT r.directive_id, max(r.ack_by) AS last FROM directive_recipients r JOIN sites s ON s.id = r.site_id
       WHERE r.directive_id = ANY($1::uuid[]) AND r.ack_by IS NOT NULL AND s.path LIKE $2 || '%'
       GROUP BY r.directive_id`,
      [ids, scope],
    )) as { directive_id: string; last: Date }[];
    return new Map(rows.map((r) => [r.directive_id, r.last]));
  }

  /** Unacknowledged, live directives for a site: what a reconnecting console must see. */
  async openForSite(siteId: string): Promise<DirectiveRow[]> {
    // the site's own deadline when it was added later (a console shows the one it must meet)
    const rows = (await this.dataSource.query(
      `SELECT d.*, r.ack_by AS own_ack_by FROM directive_recipients r JOIN directives d ON d.id = r.directive_id
       WHERE r.site_id = $1 AND d.status = 'issued' AND r.state IN ('pending', 'delivered', 'failed')
         AND (d.expires_at IS NULL OR d.expires_at > now())
       ORDER BY d.issued_at`,
      [siteId],
    )) as (DirectiveRow & { own_ack_by: Date | null })[];
    return rows.map(({ own_ack_by, ...d }) => ({ ...d, ack_by: own_ack_by ?? d.ack_by }));
  }

  /** The site's recipient row, locked until the transaction ends so two 反馈 cannot both pass the check. */
  async lockForFeedback(
    tx: EntityManager,
    id: string,
    siteId: string,
  ): Promise<FeedbackTargetRow | undefined> {
    const [row] = (await tx.query(
      `SELECT r.state, r.acknowledged_at, d.status FROM directive_recipients r JOIN directives d ON d.id = r.directive_id
       WHERE r.directive_id = $1 AND r.site_id = $2 FOR UPDATE OF r`,
      [id, siteId],
    )) as FeedbackTargetRow[];
    return row;
  }

  /** Records the site's 反馈; returns when it completed. */
  async complete(
    tx: EntityManager,
    id: string,
    siteId: string,
    actorId: string,
    text: string,
  ): Promise<Date> {
    const [[done]] = (await tx.query(
      `UPDATE directive_recipients SET state = 'completed', completed_at = now(), completed_by = $3, feedback = $4, updated_at = now()
       WHERE directive_id = $1 AND site_id = $2 RETURNING completed_at`,
      [id, siteId, actorId, text],
    )) as [{ completed_at: Date }[], number];
    return done!.completed_at;
  }

  /** Cancels a live directive and stops its escalation; null when it was no longer live. */
  async cancel(tx: EntityManager, id: string): Promise<Date | null> {
    const [rows] = (await tx.query(
      `UPDATE directives SET status = 'cancelled', cancelled_at = now() WHERE id = $1 AND status = 'issued' RETURNING cancelled_at`,
      [id],
    )) as [{ cancelled_at: Date }[], number];
    if (rows.length === 0) return null;
    await tx.query(
      'UPDATE directive_recipients SET next_escalation_at = NULL, updated_at = now() WHERE directive_id = $1',
      [id],
    );
    return rows[0]!.cancelled_at;
  }

  /** The directive row, locked until the transaction ends (recipients added, validity moved). */
  async lock(tx: EntityManager, id: string): Promise<DirectiveRow | undefined> {
    const [row] = (await tx.query('SELECT * FROM directives WHERE id = $1 FOR UPDATE', [
      id,
    ])) as DirectiveRow[];
    return row;
  }

  /** A new validity; returns the row as it now is. */
  async setExpiry(tx: EntityManager, id: string, expiresAt: string | null): Promise<DirectiveRow> {
    const [[row]] = (await tx.query('UPDATE directives SET expires_at = $2 WHERE id = $1 RETURNING *', [
      id,
      expiresAt,
    ])) as [DirectiveRow[], number];
    return row!;
  }

  /** What the directive now says (a warning's update); returns the row as it now is. */
  async setContent(
    tx: EntityManager,
    id: string,
    c: { title: string; body: string; level: DirectiveLevel },
  ): Promise<DirectiveRow> {
    const [[row]] = (await tx.query(
      'UPDATE directives SET title = $2, body = $3, level = $4 WHERE id = $1 RETURNING *',
      [id, c.title, c.body, c.level],
    )) as [DirectiveRow[], number];
    return row!;
  }

  /** The directive's status, its row locked so a cancel or close waits for the 续发 under way. */
  async lockStatus(tx: EntityManager, id: string): Promise<DirectiveRow['status']> {
    const [locked] = (await tx.query('SELECT status FROM directives WHERE id = $1 FOR UPDATE', [id])) as {
      status: DirectiveRow['status'];
    }[];
    return locked!.status;
  }
}

/** Joined from the issuer's user row where a query reads it. */
export interface IssuerColumns {
  issuer_name?: string | null;
  issuer_phone?: string | null;
}

export function toDirectiveView(
  d: DirectiveRow & IssuerColumns,
  messages: DirectiveMessageRow[],
  recipients: RecipientRow[],
): DirectiveView {
  return {
    id: d.id,
    serial: d.serial,
    title: d.title,
    body: d.body,
    level: d.level,
    status: d.status,
    ackWithinSeconds: d.ack_within_seconds,
    ackBy: d.ack_by.toISOString(),
    expiresAt: d.expires_at?.toISOString() ?? null,
    drill: d.drill,
    ...(d.warning_id ? { warningId: d.warning_id } : {}),
    ...(d.drill_id ? { drillId: d.drill_id } : {}),
    issuedBy: d.issued_by,
    issuerSiteId: d.issuer_site_id,
    ...(d.issuer_name !== undefined
      ? { issuerName: d.issuer_name, issuerPhone: d.issuer_phone ?? null }
      : {}),
    issuedAt: d.issued_at.toISOString(),
    cancelledAt: d.cancelled_at?.toISOString() ?? null,
    closedAt: d.closed_at?.toISOString() ?? null,
    messages: messages.map((m) => ({
      id: m.id,
      kind: m.kind,
      text: m.text,
      actorId: m.actor_id,
      at: m.at.toISOString(),
    })),
    recipients: recipients.map((r) => toRecipientView(r, d.ack_by)),
  };
}

export function toDirectiveSummaryView(
  d: DirectiveRow,
  counts: RecipientCountRow[],
  lastDeadline?: Date,
): DirectiveSummaryView {
  const last = lastDeadline && lastDeadline > d.ack_by ? lastDeadline : d.ack_by;
  return {
    id: d.id,
    serial: d.serial,
    title: d.title,
    level: d.level,
    status: d.status,
    drill: d.drill,
    issuedAt: d.issued_at.toISOString(),
    ackBy: d.ack_by.toISOString(),
    lastAckBy: last.toISOString(),
    issuedBy: d.issued_by,
    counts: countsOf(counts.filter((c) => c.directive_id === d.id)),
  };
}
