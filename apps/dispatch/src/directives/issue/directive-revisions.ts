import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DirectiveDeliveryJob, DirectiveLevel } from '#contracts';
import { extensionDenial, sitesToAdd, updateDenial, type Actor } from '#domain';
import { AppConfig, DomainError, DrillLinks } from '#platform';
import { TerminalOutbox } from '#terminals';
import { EXPIRY_MOVED_JOB, type ExpiryMovedJob } from '../channels/console-channel.js';
import { ESCALATE_JOB } from '../escalation/escalation.service.js';
import type { DirectiveChange } from '../shared/directive-changes.js';
import { FAN_OUT_DELIVERY } from '../shared/outbox.js';
import { refuse } from '../shared/refuse.js';
import { toPushPayload, type DirectiveRow } from '../shared/views.js';
import { merged, type DirectiveRevision } from './directive-link.js';
import { DirectivesRepository } from './directives.repository.js';

/** What a site added later is shown: the directive as it now stands (a warning's update), not as issued. */
export interface ShownAs {
  title: string;
  body: string;
  level: DirectiveLevel;
}

const escalateAt = (id: string, at: Date) => ({
  name: ESCALATE_JOB,
  data: { directiveId: id },
  key: `escalate:${id}:${at.getTime()}`,
  runAt: at,
});

/**
 * Changes to an issued directive besides a 续发 text: a moved validity, new content (a
 * warning's update) and more recipients (extend). Each works in the caller's transaction on
 * the directive row it has locked and returns what DirectiveChanges.record must write with
 * it (history, outbox jobs, audit).
 */
@Injectable()
export class DirectiveRevisions {
  constructor(
    private readonly directives: DirectivesRepository,
    private readonly drillLinks: DrillLinks,
    private readonly terminals: TerminalOutbox,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /**
   * The validity first, so recipients added after it are checked against and sent the new
   * one; then the content, so escalation's re-delivery, a reconnecting console's catch-up
   * and the added sites all carry the directive as it now stands. `row` is the directive
   * after it all (undefined: no revision asked for).
   */
  async revise(
    tx: EntityManager,
    actor: Actor,
    id: string,
    revision: DirectiveRevision | undefined,
  ): Promise<{ row?: DirectiveRow; added: string[]; change: DirectiveChange }> {
    if (!revision) return { added: [], change: {} };
    let row = await this.directives.lock(tx, id);
    if (!row) throw new DomainError('not_found', `directive ${id} does not exist`);
    let moved: DirectiveChange = {};
    if (revision.expiresAt !== undefined) {
      refuse(updateDenial(id, row.status));
      ({ row, change: moved } = await this.moveExpiry(tx, actor, row, revision.expiresAt));
    }
    let reshown: DirectiveChange = {};
    if (revision.shown) ({ row, change: reshown } = await this.reshow(tx, actor, row, revision.shown));
    if (!revision.addSiteIds?.length) return { row, added: [], change: merged(moved, reshown) };
    const grown = await this.addRecipients(tx, actor, row, revision.addSiteIds);
    return { row, added: grown.added, change: merged(moved, reshown, grown.change) };
  }

  /**
   * The wanted sites that are not recipients yet become `pending` recipients, their 签收
   * deadline and escalation counted from now, and get the directive on every channel (a
   * delivery job for them only). Refused (409) once the directive is no longer live, and
   * past DIRECTIVE_MAX_RECIPIENTS (413).
   */
  async addRecipients(
    tx: EntityManager,
    actor: Actor,
    row: DirectiveRow,
    wanted: string[],
  ): Promise<{ added: string[]; change: DirectiveChange }> {
    const existing = await this.directives.recipientSiteIds(tx, row.id);
    const added = sitesToAdd(existing, wanted);
    const now = await this.directives.now(tx);
    refuse(
      extensionDenial(
        row.id,
        {
          status: row.status,
          expiresAt: row.expires_at,
          recipients: existing.length,
          adding: added.length,
          maxRecipients: this.config.raw.DIRECTIVE_MAX_RECIPIENTS,
        },
        now,
      ),
    );
    if (added.length === 0) return { added, change: {} };
    // a drill's directive grows only within the drill's sites (docs/drills.md)
    await this.drillLinks.attach(tx, row.drill_id ?? undefined, added);
    const ackBy = new Date(now.getTime() + row.ack_within_seconds * 1000);
    await this.directives.insertRecipients(tx, row.id, added, ackBy, true);
    const messageId = randomUUID();
    const delivery: DirectiveDeliveryJob = {
      kind: 'directive',
      directiveId: row.id,
      messageId,
      siteIds: added,
      directive: { ...toPushPayload(row), ackBy: ackBy.toISOString() },
    };
    return {
      added,
      change: {
        events: added.map((siteId) => ({
          directiveId: row.id,
          siteId,
          type: 'extended',
          from: null,
          to: 'pending' as const,
          via: null,
          actorId: actor.userId,
          deviceId: null,
          note: null,
          data: { ackBy: ackBy.toISOString() },
        })),
        jobs: [
          { name: FAN_OUT_DELIVERY, data: delivery, key: `deliver:${messageId}` },
          escalateAt(row.id, ackBy),
        ],
        audit: [
          {
            actorId: actor.userId,
            action: 'directive.extend',
            subjectType: 'directive',
            subjectId: row.id,
            data: { siteIds: added, ackBy: ackBy.toISOString() },
          },
        ],
      },
    };
  }

  /**
   * What the directive now says (a warning's update: headline, body, level), in its row;
   * what it said before is in this step's audit entry (and the issue's). Unchanged: nothing
   * is written.
   */
  async reshow(
    tx: EntityManager,
    actor: Actor,
    row: DirectiveRow,
    shown: ShownAs,
  ): Promise<{ row: DirectiveRow; change: DirectiveChange }> {
    if (row.title === shown.title && row.body === shown.body && row.level === shown.level)
      return { row, change: {} };
    const was = { title: row.title, body: row.body, level: row.level };
    const now = await this.directives.setContent(tx, row.id, shown);
    return {
      row: now,
      change: {
        events: [
          {
            directiveId: row.id,
            siteId: null,
            type: 'revised',
            from: null,
            to: null,
            via: null,
            actorId: actor.userId,
            deviceId: null,
            note: null,
            data: {
              from: { title: was.title, level: was.level },
              to: { title: shown.title, level: shown.level },
            },
          },
        ],
        audit: [
          {
            actorId: actor.userId,
            action: 'directive.revise',
            subjectType: 'directive',
            subjectId: row.id,
            data: { from: was, to: shown },
          },
        ],
      },
    };
  }

  /**
   * A new validity: the directive row, the expiry check (a timer job at the new time; one
   * left at the old time finds the row's new validity and does nothing), the terminal
   * messages not yet expired, and `directive.expiry` to the recipients' consoles and the
   * board. Unchanged: nothing is written.
   */
  async moveExpiry(
    tx: EntityManager,
    actor: Actor,
    row: DirectiveRow,
    expiresAt: string | null,
  ): Promise<{ row: DirectiveRow; change: DirectiveChange }> {
    const from = row.expires_at?.toISOString() ?? null;
    const to = expiresAt ? new Date(expiresAt).toISOString() : null;
    if (from === to) return { row, change: {} };
    const moved = await this.directives.setExpiry(tx, row.id, to);
    await this.terminals.moveExpiry(tx, row.id, moved.expires_at);
    const told: ExpiryMovedJob = {
      directiveId: row.id,
      serial: row.serial,
      expiresAt: to,
      previousExpiresAt: from,
      at: (await this.directives.now(tx)).toISOString(),
    };
    return {
      row: moved,
      change: {
        events: [
          {
            directiveId: row.id,
            siteId: null,
            type: 'expiry_moved',
            from: null,
            to: null,
            via: null,
            actorId: actor.userId,
            deviceId: null,
            note: null,
            data: { from, to },
          },
        ],
        jobs: [
          ...(moved.expires_at ? [escalateAt(row.id, moved.expires_at)] : []),
          { name: EXPIRY_MOVED_JOB, data: told, key: `expiry:${row.id}:${told.at}` },
        ],
        audit: [
          {
            actorId: actor.userId,
            action: 'directive.expiry_moved',
            subjectType: 'directive',
            subjectId: row.id,
            data: { from, to },
          },
        ],
      },
    };
  }
}
