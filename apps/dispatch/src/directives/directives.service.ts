import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  AckDirectiveRequest,
  AckResponse,
  CancelDirectiveRequest,
  DirectiveDeliveryJob,
  DirectiveMessageView,
  DirectiveSummaryView,
  DirectiveView,
  FeedbackRequest,
  IssueDirectiveRequest,
  IssueDirectiveResponse,
  ListDirectivesQuery,
  RecipientState,
} from '#contracts';
import { defaultAckWithinSeconds, formatSerial, isExpired, isInScope, serialYear, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { BoardService } from './board.service.js';
import { ESCALATE_JOB } from './escalation.service.js';
import { DirectiveOutbox, FAN_OUT_DELIVERY } from './outbox.js';
import { RecipientStateService } from './recipient-state.service.js';
import { TargetingService } from './targeting.service.js';
import {
  countsOf,
  RECIPIENT_COLUMNS,
  toPushPayload,
  toRecipientView,
  type DirectiveRow,
  type RecipientRow,
} from './views.js';

/** The directive use cases: issue, read, update, cancel, 签收 (REST), 反馈. */
@Injectable()
export class DirectivesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly outbox: DirectiveOutbox,
    private readonly targeting: TargetingService,
    private readonly state: RecipientStateService,
    private readonly board: BoardService,
  ) {}

  async issue(
    actor: Actor,
    req: IssueDirectiveRequest,
    templateId: string | null = null,
  ): Promise<IssueDirectiveResponse> {
    const siteIds = await this.targeting.resolve(actor, req.targets);
    if (req.expiresAt && isExpired(req.expiresAt, new Date())) {
      throw new DomainError('invalid', 'expiresAt: must be in the future', [
        { path: 'expiresAt', message: 'must be in the future' },
      ]);
    }
    const ackWithin = req.ackWithinSeconds ?? defaultAckWithinSeconds(req.level);
    const id = randomUUID();
    const messageId = randomUUID();
    const directive = await this.dataSource.transaction(async (tx) => {
      const [now] = (await tx.query('SELECT now() AS now')) as { now: Date }[];
      const year = serialYear(now!.now);
      const [counter] = (await tx.query(
        `INSERT INTO directive_serials (year, last_value) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last_value = directive_serials.last_value + 1 RETURNING last_value`,
        [year],
      )) as { last_value: number }[];
      const serial = formatSerial(year, counter!.last_value);
      const [row] = (await tx.query(
        `INSERT INTO directives (id, serial, title, body, level, ack_within_seconds, ack_by, drill, issued_by,
                                 issuer_site_id, issuer_site_path, template_id, issued_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6::int, now() + make_interval(secs => $6::int), $7, $8, $9, $10, $11, now(), $12)
         RETURNING *`,
        [
          id,
          serial,
          req.title,
          req.body,
          req.level,
          ackWithin,
          req.drill ?? false,
          actor.userId,
          actor.siteId,
          actor.sitePath,
          templateId,
          req.expiresAt ?? null,
        ],
      )) as DirectiveRow[];
      await tx.query(
        `INSERT INTO directive_messages (id, directive_id, kind, text, actor_id) VALUES ($1, $2, 'issue', NULL, $3)`,
        [messageId, id, actor.userId],
      );
      await tx.query(
        `INSERT INTO directive_recipients (directive_id, site_id, next_escalation_at)
         SELECT $1, unnest($2::uuid[]), $3`,
        [id, siteIds, row!.ack_by],
      );
      await this.state.insertEvents(tx, [
        {
          directiveId: id,
          siteId: null,
          type: 'issued',
          from: null,
          to: 'pending',
          via: null,
          actorId: actor.userId,
          deviceId: null,
          note: null,
          data: { recipients: siteIds.length },
        },
      ]);
      const delivery: DirectiveDeliveryJob = {
        kind: 'directive',
        directiveId: id,
        messageId,
        siteIds,
        directive: toPushPayload(row!),
      };
      await this.outbox.write(tx, [
        { name: FAN_OUT_DELIVERY, data: delivery, key: `deliver:${messageId}` },
        {
          name: ESCALATE_JOB,
          data: { directiveId: id },
          key: `escalate:${id}:${row!.ack_by.getTime()}`,
          runAt: row!.ack_by,
        },
        // the same check expires the recipients when the validity ends
        ...(row!.expires_at
          ? [
              {
                name: ESCALATE_JOB,
                data: { directiveId: id },
                key: `escalate:${id}:${row!.expires_at.getTime()}`,
                runAt: row!.expires_at,
              },
            ]
          : []),
      ]);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive.issue',
          subjectType: 'directive',
          subjectId: id,
          data: {
            serial,
            title: req.title,
            level: req.level,
            ackWithinSeconds: ackWithin,
            drill: req.drill ?? false,
            expiresAt: req.expiresAt,
            siteIds,
            templateId,
          },
        },
        tx,
      );
      // read the answer before commit: on PGlite's one connection the outbox relay (delivery)
      // then has the connection to itself right after the commit
      return { row: row!, recipients: await this.recipientRows(id, null, tx) };
    });
    this.outbox.kick();
    return { id, serial: directive.row.serial, recipients: directive.recipients.map(toRecipientView) };
  }

  async get(actor: Actor, id: string): Promise<DirectiveView> {
    const { directive, fullView } = await this.load(actor, id);
    const recipients = await this.recipientRows(id, fullView ? null : actor);
    const messages = (await this.dataSource.query(
      'SELECT id, kind, text, actor_id, at FROM directive_messages WHERE directive_id = $1 ORDER BY at, id',
      [id],
    )) as {
      id: string;
      kind: DirectiveMessageView['kind'];
      text: string | null;
      actor_id: string | null;
      at: Date;
    }[];
    return {
      id: directive.id,
      serial: directive.serial,
      title: directive.title,
      body: directive.body,
      level: directive.level,
      status: directive.status,
      ackWithinSeconds: directive.ack_within_seconds,
      ackBy: directive.ack_by.toISOString(),
      expiresAt: directive.expires_at?.toISOString() ?? null,
      drill: directive.drill,
      issuedBy: directive.issued_by,
      issuerSiteId: directive.issuer_site_id,
      issuedAt: directive.issued_at.toISOString(),
      cancelledAt: directive.cancelled_at?.toISOString() ?? null,
      closedAt: directive.closed_at?.toISOString() ?? null,
      messages: messages.map((m) => ({
        id: m.id,
        kind: m.kind,
        text: m.text,
        actorId: m.actor_id,
        at: m.at.toISOString(),
      })),
      recipients: recipients.map(toRecipientView),
    };
  }

  /** Directives issued within the actor's scope, or addressed to a site in it. */
  async list(actor: Actor, query: ListDirectivesQuery): Promise<DirectiveSummaryView[]> {
    const scope = actor.role === 'admin' ? '/' : actor.sitePath;
    const rows = (await this.dataSource.query(
      `SELECT d.* FROM directives d
       WHERE ($1::directive_status IS NULL OR d.status = $1) AND ($2::timestamptz IS NULL OR d.issued_at >= $2)
         AND (d.issuer_site_path LIKE $3 || '%' OR EXISTS (
               SELECT 1 FROM directive_recipients r JOIN sites s ON s.id = r.site_id
               WHERE r.directive_id = d.id AND s.path LIKE $3 || '%'))
       ORDER BY d.issued_at DESC LIMIT $4`,
      [query.state ?? null, query.since ?? null, scope, query.limit],
    )) as DirectiveRow[];
    if (rows.length === 0) return [];
    const counts = (await this.dataSource.query(
      `SELECT r.directive_id, r.state, count(*) AS n FROM directive_recipients r JOIN sites s ON s.id = r.site_id
       WHERE r.directive_id = ANY($1::uuid[]) AND s.path LIKE $2 || '%' GROUP BY r.directive_id, r.state`,
      [rows.map((r) => r.id), scope],
    )) as { directive_id: string; state: RecipientState; n: string }[];
    return rows.map((d) => ({
      id: d.id,
      serial: d.serial,
      title: d.title,
      level: d.level,
      status: d.status,
      drill: d.drill,
      issuedAt: d.issued_at.toISOString(),
      ackBy: d.ack_by.toISOString(),
      issuedBy: d.issued_by,
      counts: countsOf(counts.filter((c) => c.directive_id === d.id)),
    }));
  }

  /** 签收 over REST: for the actor's own site, or on behalf of a site in scope (with a note). */
  async acknowledge(actor: Actor, id: string, req: AckDirectiveRequest): Promise<AckResponse> {
    const { siteId, via, note } = await this.actingFor(actor, id, req.siteId, req.note);
    const outcome = await this.state.acknowledge({
      directiveId: id,
      siteId,
      actorId: actor.userId,
      via,
      note,
    });
    if (!outcome.ok) throw outcome.error;
    return {
      directiveId: id,
      siteId,
      state: outcome.state,
      acknowledgedAt: outcome.acknowledgedAt?.toISOString() ?? null,
      duplicate: outcome.duplicate,
    };
  }

  /** 反馈/办结: completes the site's part; the directive closes when every recipient has completed. */
  async feedback(
    actor: Actor,
    id: string,
    req: FeedbackRequest,
  ): Promise<AckResponse & { directiveStatus: string }> {
    const { siteId, via, note } = await this.actingFor(actor, id, req.siteId, req.note);
    let closed = false;
    const result = await this.dataSource.transaction(async (tx) => {
      const [row] = (await tx.query(
        `SELECT r.state, r.acknowledged_at, d.status FROM directive_recipients r JOIN directives d ON d.id = r.directive_id
         WHERE r.directive_id = $1 AND r.site_id = $2 FOR UPDATE OF r`,
        [id, siteId],
      )) as { state: RecipientState; acknowledged_at: Date | null; status: string }[];
      if (!row) throw new DomainError('forbidden', `directive ${id} is not addressed to site ${siteId}`);
      if (row.status === 'cancelled') throw new DomainError('conflict', `directive ${id} was cancelled`);
      if (row.state === 'completed')
        throw new DomainError(
          'conflict',
          `site ${siteId} has already reported completion of directive ${id}`,
        );
      if (row.state !== 'acknowledged') {
        throw new DomainError(
          'conflict',
          `directive ${id} must be acknowledged (签收) by site ${siteId} before feedback`,
        );
      }
      const [[done]] = (await tx.query(
        `UPDATE directive_recipients SET state = 'completed', completed_at = now(), completed_by = $3, feedback = $4, updated_at = now()
         WHERE directive_id = $1 AND site_id = $2 RETURNING completed_at`,
        [id, siteId, actor.userId, req.text],
      )) as [{ completed_at: Date }[], number];
      await this.state.insertEvents(tx, [
        {
          directiveId: id,
          siteId,
          type: 'completed',
          from: 'acknowledged',
          to: 'completed',
          via,
          actorId: actor.userId,
          deviceId: null,
          note: note ?? null,
          data: { text: req.text },
        },
      ]);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive.feedback',
          subjectType: 'directive',
          subjectId: id,
          data: { siteId, via, text: req.text, note },
        },
        tx,
      );
      closed = await this.state.closeIfDone(tx, id, actor.userId);
      return { acknowledgedAt: row.acknowledged_at, completedAt: done!.completed_at };
    });
    this.board.changed(id, [siteId]);
    return {
      directiveId: id,
      siteId,
      state: 'completed',
      acknowledgedAt: result.acknowledgedAt?.toISOString() ?? null,
      duplicate: false,
      directiveStatus: closed ? 'closed' : 'issued',
    };
  }

  async cancel(actor: Actor, id: string, req: CancelDirectiveRequest): Promise<DirectiveView> {
    const { directive, fullView } = await this.load(actor, id);
    if (!fullView) throw new DomainError('forbidden', `directive ${id} was not issued within your scope`);
    const messageId = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      const [rows] = (await tx.query(
        `UPDATE directives SET status = 'cancelled', cancelled_at = now() WHERE id = $1 AND status = 'issued' RETURNING cancelled_at`,
        [id],
      )) as [{ cancelled_at: Date }[], number];
      if (rows.length === 0)
        throw new DomainError('conflict', `directive ${id} is already ${directive.status}`);
      await tx.query(
        `INSERT INTO directive_messages (id, directive_id, kind, text, actor_id) VALUES ($1, $2, 'cancel', $3, $4)`,
        [messageId, id, req.reason ?? null, actor.userId],
      );
      await tx.query(
        'UPDATE directive_recipients SET next_escalation_at = NULL, updated_at = now() WHERE directive_id = $1',
        [id],
      );
      const sites = (await tx.query('SELECT site_id FROM directive_recipients WHERE directive_id = $1', [
        id,
      ])) as { site_id: string }[];
      await this.state.insertEvents(tx, [
        {
          directiveId: id,
          siteId: null,
          type: 'cancelled',
          from: null,
          to: null,
          via: null,
          actorId: actor.userId,
          deviceId: null,
          note: req.reason ?? null,
        },
      ]);
      const job: DirectiveDeliveryJob = {
        kind: 'cancel',
        directiveId: id,
        messageId,
        siteIds: sites.map((s) => s.site_id),
        directive: toPushPayload(directive),
        cancelled: {
          directiveId: id,
          serial: directive.serial,
          reason: req.reason ?? null,
          at: rows[0]!.cancelled_at.toISOString(),
        },
      };
      await this.outbox.write(tx, [{ name: FAN_OUT_DELIVERY, data: job, key: `deliver:${messageId}` }]);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive.cancel',
          subjectType: 'directive',
          subjectId: id,
          data: { reason: req.reason ?? null },
        },
        tx,
      );
    });
    this.outbox.kick();
    this.board.changed(id, []);
    return this.get(actor, id);
  }

  /** An update (续发): a new message linked to the directive, delivered to every recipient. */
  async update(actor: Actor, id: string, text: string): Promise<DirectiveView> {
    const { directive, fullView } = await this.load(actor, id);
    if (!fullView) throw new DomainError('forbidden', `directive ${id} was not issued within your scope`);
    const messageId = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      const [locked] = (await tx.query('SELECT status FROM directives WHERE id = $1 FOR UPDATE', [id])) as {
        status: string;
      }[];
      if (locked!.status !== 'issued')
        throw new DomainError('conflict', `directive ${id} is ${locked!.status}; it cannot be updated`);
      const [msg] = (await tx.query(
        `INSERT INTO directive_messages (id, directive_id, kind, text, actor_id) VALUES ($1, $2, 'update', $3, $4) RETURNING at`,
        [messageId, id, text, actor.userId],
      )) as { at: Date }[];
      const sites = (await tx.query('SELECT site_id FROM directive_recipients WHERE directive_id = $1', [
        id,
      ])) as { site_id: string }[];
      await this.state.insertEvents(tx, [
        {
          directiveId: id,
          siteId: null,
          type: 'updated',
          from: null,
          to: null,
          via: null,
          actorId: actor.userId,
          deviceId: null,
          note: text,
        },
      ]);
      const job: DirectiveDeliveryJob = {
        kind: 'update',
        directiveId: id,
        messageId,
        siteIds: sites.map((s) => s.site_id),
        directive: toPushPayload(directive),
        update: { directiveId: id, serial: directive.serial, messageId, text, at: msg!.at.toISOString() },
      };
      await this.outbox.write(tx, [{ name: FAN_OUT_DELIVERY, data: job, key: `deliver:${messageId}` }]);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive.update',
          subjectType: 'directive',
          subjectId: id,
          data: { messageId, text },
        },
        tx,
      );
    });
    this.outbox.kick();
    return this.get(actor, id);
  }

  /** The live board is for those who issued within their scope (not duty officers). */
  async assertBoardAccess(actor: Actor, id: string): Promise<void> {
    const { fullView } = await this.load(actor, id);
    if (!fullView || actor.role === 'duty_officer')
      throw new DomainError('forbidden', `you may not watch the board of directive ${id}`);
  }

  /** Unacknowledged, live directives for a site: what a reconnecting console must see. */
  async openForSite(siteId: string): Promise<DirectiveRow[]> {
    return (await this.dataSource.query(
      `SELECT d.* FROM directive_recipients r JOIN directives d ON d.id = r.directive_id
       WHERE r.site_id = $1 AND d.status = 'issued' AND r.state IN ('pending', 'delivered', 'failed')
         AND (d.expires_at IS NULL OR d.expires_at > now())
       ORDER BY d.issued_at`,
      [siteId],
    )) as DirectiveRow[];
  }

  /** Which site the actor acts for, and how: their own site, or on behalf of one in scope (needs a note). */
  private async actingFor(
    actor: Actor,
    id: string,
    siteId: string | undefined,
    note: string | undefined,
  ): Promise<{ siteId: string; via: 'console' | 'on_behalf'; note: string | null }> {
    await this.load(actor, id);
    if (!siteId || siteId === actor.siteId)
      return { siteId: actor.siteId, via: 'console', note: note ?? null };
    if (actor.role === 'duty_officer') {
      throw new DomainError('forbidden', `a duty officer acts only for their own site, not site ${siteId}`);
    }
    const [site] = (await this.dataSource.query('SELECT path FROM sites WHERE id = $1', [siteId])) as {
      path: string;
    }[];
    if (!site)
      throw new DomainError('invalid', `siteId: site ${siteId} does not exist`, [
        { path: 'siteId', message: 'no such site' },
      ]);
    if (!isInScope(actor, site.path))
      throw new DomainError('forbidden', `site ${siteId} is outside your scope`);
    if (!note) {
      throw new DomainError('invalid', 'note: required when acting on behalf of another site', [
        { path: 'note', message: 'required when acting on behalf of another site' },
      ]);
    }
    return { siteId, via: 'on_behalf', note };
  }

  /**
   * A directive the actor may see: issued within their scope (full view), or addressed to
   * a site in their scope (they see only those recipients).
   */
  private async load(actor: Actor, id: string): Promise<{ directive: DirectiveRow; fullView: boolean }> {
    const [directive] = (await this.dataSource.query('SELECT * FROM directives WHERE id = $1', [
      id,
    ])) as DirectiveRow[];
    if (!directive) throw new DomainError('not_found', `directive ${id} does not exist`);
    if (isInScope(actor, directive.issuer_site_path)) return { directive, fullView: true };
    const [hit] = (await this.dataSource.query(
      `SELECT 1 FROM directive_recipients r JOIN sites s ON s.id = r.site_id WHERE r.directive_id = $1 AND s.path LIKE $2 || '%' LIMIT 1`,
      [id, actor.sitePath],
    )) as unknown[];
    if (!hit)
      throw new DomainError(
        'forbidden',
        `directive ${id} is neither issued within nor addressed to your scope`,
      );
    return { directive, fullView: false };
  }

  private async recipientRows(
    id: string,
    restrictTo: Actor | null,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<RecipientRow[]> {
    return (await manager.query(
      `SELECT ${RECIPIENT_COLUMNS} FROM directive_recipients r JOIN sites s ON s.id = r.site_id
       WHERE r.directive_id = $1 AND ($2::text IS NULL OR s.path LIKE $2 || '%') ORDER BY s.path`,
      [id, restrictTo?.sitePath ?? null],
    )) as RecipientRow[];
  }
}
