import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DirectiveDeliveryJob, DirectiveLevel } from '#contracts';
import { extensionDenial, sitesToAdd, type Actor } from '#domain';
import { AppConfig } from '#platform';
import { TerminalOutbox } from '#terminals';
import { DrillLinks } from '../../drills/drill-links.js';
import { ESCALATE_JOB } from '../escalation/escalation.service.js';
import type { DirectiveChange } from '../shared/directive-changes.js';
import { FAN_OUT_DELIVERY } from '../shared/outbox.js';
import { refuse } from '../shared/refuse.js';
import { toPushPayload, type DirectiveRow } from '../shared/views.js';
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
 * Changes to an issued directive besides a 续发 text: more recipients (extend) and a moved
 * validity. Each works in the caller's transaction on the directive row it has locked and
 * returns what DirectiveChanges.record must write with it (history, outbox jobs, audit).
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
    shown?: ShownAs,
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
    await this.directives.insertRecipients(tx, row.id, added, ackBy);
    const messageId = randomUUID();
    const delivery: DirectiveDeliveryJob = {
      kind: 'directive',
      directiveId: row.id,
      messageId,
      siteIds: added,
      directive: { ...toPushPayload(row), ...shown, ackBy: ackBy.toISOString() },
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
            data: { siteIds: added, ackBy: ackBy.toISOString(), ...(shown ? { shown } : {}) },
          },
        ],
      },
    };
  }

  /**
   * A new validity: the directive row, the expiry check (a timer job at the new time; one
   * left at the old time finds the row's new validity and does nothing) and the terminal
   * messages not yet expired. Unchanged: nothing is written.
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
        jobs: moved.expires_at ? [escalateAt(row.id, moved.expires_at)] : [],
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
