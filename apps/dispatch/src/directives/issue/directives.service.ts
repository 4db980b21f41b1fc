import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CancelDirectiveRequest,
  DirectiveDeliveryJob,
  DirectiveSummaryView,
  DirectiveView,
  IssueDirectiveRequest,
  IssueDirectiveResponse,
  ListDirectivesQuery,
} from '#contracts';
import {
  boardDenial,
  changeDenial,
  defaultAckWithinSeconds,
  expiryDenial,
  formatSerial,
  isInScope,
  scopePrefix,
  serialYear,
  updateDenial,
  type Actor,
} from '#domain';
import { DomainError, DrillLinks } from '#platform';
import { BoardService } from '../shared/board.service.js';
import { DirectiveChanges, type DirectiveChange } from '../shared/directive-changes.js';
import { DirectiveOutbox, FAN_OUT_DELIVERY } from '../shared/outbox.js';
import { refuse } from '../shared/refuse.js';
import { toPushPayload, toRecipientView, type DirectiveRow } from '../shared/views.js';
import { TargetingService } from '../targeting/targeting.service.js';
import { directiveEvent, escalationChecks } from './directive-records.js';
export type { DirectiveLink } from './directive-link.js';
import { merged, type DirectiveLink } from './directive-link.js';
import { DirectiveRevisions } from './directive-revisions.js';
import { DirectivesRepository, toDirectiveSummaryView, toDirectiveView } from './directives.repository.js';
import { SendBudget } from './send-budget.js';

/** The directive use cases: issue, read, update (续发, and a warning's revision), cancel, extend. */
@Injectable()
export class DirectivesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directives: DirectivesRepository,
    private readonly changes: DirectiveChanges,
    private readonly outbox: DirectiveOutbox,
    private readonly targeting: TargetingService,
    private readonly board: BoardService,
    private readonly budget: SendBudget,
    private readonly drillLinks: DrillLinks,
    private readonly revisions: DirectiveRevisions,
  ) {}

  async issue(
    actor: Actor,
    req: IssueDirectiveRequest,
    templateId: string | null = null,
    link: DirectiveLink = {},
  ): Promise<IssueDirectiveResponse> {
    const siteIds = await this.targeting.resolve(actor, req.targets);
    refuse(expiryDenial(req.expiresAt, new Date()));
    const drill = await this.drillLinks.check(actor, req.drillId, req.drill, siteIds);
    // after validation: a refused request sounds no alarm and costs the user nothing
    await this.budget.take(actor);
    const ackWithin = req.ackWithinSeconds ?? defaultAckWithinSeconds(req.level);
    const id = randomUUID();
    const messageId = randomUUID();
    const issued = await this.dataSource.transaction(async (tx) => {
      const joined = await link.within?.(tx, id);
      const year = serialYear(await this.directives.now(tx));
      const serial = formatSerial(year, await this.directives.takeSerialNumber(tx, year));
      const row = await this.directives.insert(tx, {
        id,
        serial,
        title: req.title,
        body: req.body,
        level: req.level,
        ackWithinSeconds: ackWithin,
        drill,
        issuedBy: actor.userId,
        issuerSiteId: actor.siteId,
        issuerSitePath: actor.sitePath,
        templateId,
        expiresAt: req.expiresAt ?? null,
        warningId: link.warningId ?? null,
      });
      await this.directives.insertMessage(tx, {
        id: messageId,
        directiveId: id,
        kind: 'issue',
        text: null,
        actorId: actor.userId,
      });
      await this.drillLinks.attach(tx, req.drillId, siteIds, { table: 'directives', id });
      await this.directives.insertRecipients(tx, id, siteIds, row.ack_by);
      const delivery: DirectiveDeliveryJob = {
        kind: 'directive',
        directiveId: id,
        messageId,
        siteIds,
        directive: toPushPayload(row),
      };
      const own: DirectiveChange = {
        events: [
          directiveEvent(id, 'issued', actor.userId, null, {
            to: 'pending',
            data: { recipients: siteIds.length },
          }),
        ],
        jobs: [
          { name: FAN_OUT_DELIVERY, data: delivery, key: `deliver:${messageId}` },
          ...escalationChecks(row),
        ],
        audit: [
          {
            actorId: actor.userId,
            action: 'directive.issue',
            subjectType: 'directive',
            subjectId: id,
            data: {
              serial,
              title: req.title,
              // what was sent is the record; the contract bounds it (8 KB of UTF-8)
              body: req.body,
              level: req.level,
              ackWithinSeconds: ackWithin,
              drill,
              ...(req.drillId ? { drillId: req.drillId } : {}),
              expiresAt: req.expiresAt,
              siteIds,
              templateId,
              ...(link.warningId ? { warningId: link.warningId } : {}),
            },
          },
        ],
      };
      await this.changes.record(tx, merged(own, joined));
      // read the answer before commit: on PGlite's one connection the outbox relay (delivery)
      // then has the connection to itself right after the commit
      return { row, recipients: await this.directives.recipients(id, null, tx) };
    });
    this.outbox.kick();
    const { row } = issued;
    return {
      id,
      serial: row.serial,
      recipients: issued.recipients.map((r) => toRecipientView(r, row.ack_by)),
    };
  }

  async get(actor: Actor, id: string): Promise<DirectiveView> {
    const { directive, fullView } = await this.load(actor, id);
    const recipients = await this.directives.recipients(id, fullView ? null : actor.sitePath);
    return toDirectiveView(directive, await this.directives.messages(id), recipients);
  }

  /** Directives issued within the actor's scope, or addressed to a site in it. */
  async list(actor: Actor, query: ListDirectivesQuery): Promise<DirectiveSummaryView[]> {
    const scope = scopePrefix(actor);
    const rows = await this.directives.list(scope, query);
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const counts = await this.directives.recipientCounts(ids, scope);
    const last = await this.directives.lastDeadlines(ids, scope);
    return rows.map((d) => toDirectiveSummaryView(d, counts, last.get(d.id)));
  }

  async cancel(
    actor: Actor,
    id: string,
    req: CancelDirectiveRequest,
    link: DirectiveLink = {},
  ): Promise<DirectiveView> {
    const { directive, fullView } = await this.load(actor, id);
    refuse(changeDenial(id, fullView));
    const messageId = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      const joined = await link.within?.(tx, id);
      const cancelledAt = await this.directives.cancel(tx, id);
      if (!cancelledAt) throw new DomainError('conflict', `directive ${id} is already ${directive.status}`);
      await this.directives.insertMessage(tx, {
        id: messageId,
        directiveId: id,
        kind: 'cancel',
        text: req.reason ?? null,
        actorId: actor.userId,
      });
      const job: DirectiveDeliveryJob = {
        kind: 'cancel',
        directiveId: id,
        messageId,
        siteIds: await this.directives.recipientSiteIds(tx, id),
        directive: toPushPayload(directive),
        cancelled: {
          directiveId: id,
          serial: directive.serial,
          reason: req.reason ?? null,
          at: cancelledAt.toISOString(),
        },
      };
      const own: DirectiveChange = {
        events: [directiveEvent(id, 'cancelled', actor.userId, req.reason ?? null)],
        jobs: [{ name: FAN_OUT_DELIVERY, data: job, key: `deliver:${messageId}` }],
        audit: [
          {
            actorId: actor.userId,
            action: 'directive.cancel',
            subjectType: 'directive',
            subjectId: id,
            data: { reason: req.reason ?? null },
          },
        ],
      };
      await this.changes.record(tx, merged(own, joined));
    });
    this.outbox.kick();
    this.board.changed(id, []);
    return this.get(actor, id);
  }

  /** An update (续发): a new message linked to the directive, delivered to every recipient. */
  async update(actor: Actor, id: string, text: string, link: DirectiveLink = {}): Promise<DirectiveView> {
    const { directive, fullView } = await this.load(actor, id);
    refuse(changeDenial(id, fullView));
    const messageId = randomUUID();
    const added = await this.dataSource.transaction(async (tx) => {
      const joined = await link.within?.(tx, id);
      refuse(updateDenial(id, await this.directives.lockStatus(tx, id)));
      const at = await this.directives.insertMessage(tx, {
        id: messageId,
        directiveId: id,
        kind: 'update',
        text,
        actorId: actor.userId,
      });
      // the notice goes to the recipients so far; sites added below get the directive itself
      const siteIds = await this.directives.recipientSiteIds(tx, id);
      const revised = await this.revisions.revise(tx, actor, id, link.revise);
      const now = revised.row ?? directive;
      const expiresAt = now.expires_at?.toISOString() ?? null;
      const job: DirectiveDeliveryJob = {
        kind: 'update',
        directiveId: id,
        messageId,
        siteIds,
        directive: toPushPayload(now),
        update: {
          directiveId: id,
          serial: directive.serial,
          messageId,
          text,
          at: at.toISOString(),
          // a device learns the new validity with the notice (device-protocol-v1.md)
          ...(expiresAt !== (directive.expires_at?.toISOString() ?? null) ? { expiresAt } : {}),
        },
      };
      const own: DirectiveChange = {
        events: [directiveEvent(id, 'updated', actor.userId, text)],
        jobs: [{ name: FAN_OUT_DELIVERY, data: job, key: `deliver:${messageId}` }],
        audit: [
          {
            actorId: actor.userId,
            action: 'directive.update',
            subjectType: 'directive',
            subjectId: id,
            data: { messageId, text },
          },
        ],
      };
      await this.changes.record(tx, merged(own, joined, revised.change));
      return revised.added;
    });
    this.outbox.kick();
    if (added.length) this.board.changed(id, added);
    return this.get(actor, id);
  }

  /**
   * Adds recipients to an issued directive (internal: a warning's widened area; no REST
   * route): the sites not yet recipients become `pending`, with their 签收 deadline and
   * escalation from now, and get the directive on every channel. 409 once cancelled,
   * closed or expired; 413 past DIRECTIVE_MAX_RECIPIENTS.
   */
  async extend(
    actor: Actor,
    id: string,
    siteIds: string[],
    link: DirectiveLink = {},
  ): Promise<DirectiveView> {
    const { fullView } = await this.load(actor, id);
    refuse(changeDenial(id, fullView));
    const added = await this.dataSource.transaction(async (tx) => {
      const joined = await link.within?.(tx, id);
      const revised = await this.revisions.revise(tx, actor, id, { ...link.revise, addSiteIds: siteIds });
      await this.changes.record(tx, merged(revised.change, joined));
      return revised.added;
    });
    this.outbox.kick();
    if (added.length) this.board.changed(id, added);
    return this.get(actor, id);
  }

  /** The live board is for those who issued within their scope (not duty officers). */
  async assertBoardAccess(actor: Actor, id: string): Promise<void> {
    const { fullView } = await this.load(actor, id);
    refuse(boardDenial(actor, id, fullView));
  }

  /** Unacknowledged, live directives for a site: what a reconnecting console must see. */
  openForSite(siteId: string): Promise<DirectiveRow[]> {
    return this.directives.openForSite(siteId);
  }

  /** 404 or 403 unless the actor may see the directive (issued within or addressed to their scope). */
  async assertVisible(actor: Actor, id: string): Promise<void> {
    await this.load(actor, id);
  }

  /**
   * A directive the actor may see: issued within their scope (full view), or addressed to
   * a site in their scope (they see only those recipients).
   */
  private async load(actor: Actor, id: string): Promise<{ directive: DirectiveRow; fullView: boolean }> {
    const directive = await this.directives.find(id);
    if (!directive) throw new DomainError('not_found', `directive ${id} does not exist`);
    if (isInScope(actor, directive.issuer_site_path)) return { directive, fullView: true };
    if (!(await this.directives.isAddressedWithin(id, actor.sitePath)))
      throw new DomainError(
        'forbidden',
        `directive ${id} is neither issued within nor addressed to your scope`,
      );
    return { directive, fullView: false };
  }
}
