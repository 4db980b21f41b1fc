import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { EscalateRecipientResponse, ResendDirectiveResponse } from '#contracts';
import { byDeadline, radioSitesPerMessage, type Actor } from '#domain';
import { DomainError } from '#platform';
import { DirectivesService } from '../issue/directives.service.js';
import { EscalationService } from '../escalation/escalation.service.js';
import { SendBudget } from '../issue/send-budget.js';
import { DirectiveChanges } from '../shared/directive-changes.js';
import { DirectiveOutbox, FAN_OUT_DELIVERY, type FanOutDelivery } from '../shared/outbox.js';
import { toPushPayload, type DirectiveRow } from '../shared/views.js';
import { RecipientsRepository } from './recipients.repository.js';

/**
 * The board's manual actions on recipients that have not acknowledged: re-send now, or
 * take the next escalation step now instead of waiting for the timer. Both go through the
 * same outbox and escalation code as the automatic path, so a crash loses nothing.
 */
@Injectable()
export class RecipientActionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recipients: RecipientsRepository,
    private readonly changes: DirectiveChanges,
    private readonly outbox: DirectiveOutbox,
    private readonly directives: DirectivesService,
    private readonly escalation: EscalationService,
    private readonly budget: SendBudget,
  ) {}

  async resend(actor: Actor, id: string, siteIds: string[]): Promise<ResendDirectiveResponse> {
    await this.directives.assertBoardAccess(actor, id);
    await this.budget.take(actor);
    const sites = await this.dataSource.transaction(async (tx) => {
      const directive = await this.issued(tx, id);
      const open = await this.recipients.waiting(tx, id, siteIds);
      if (open.length === 0)
        throw new DomainError(
          'conflict',
          'none of these sites is waiting for this directive (already acknowledged, expired or not a recipient)',
        );
      const redelivery = Math.max(1, ...open.map((r) => r.escalationLevel));
      // one message per deadline: a site added later is shown its own; the radio, which
      // says no deadline, speaks the pass once per talkgroup
      const deadlines = byDeadline(open, directive.ack_by);
      const spoken = radioSitesPerMessage(deadlines);
      const jobs = deadlines.map(({ ackBy, siteIds }, i) => {
        const messageId = randomUUID();
        const job: FanOutDelivery = {
          kind: 'directive',
          directiveId: id,
          messageId,
          siteIds,
          directive: { ...toPushPayload(directive, redelivery), ackBy: ackBy.toISOString() },
          radioSiteIds: spoken[i]!,
        };
        return { name: FAN_OUT_DELIVERY, data: job, key: `deliver:${messageId}` };
      });
      await this.changes.record(tx, {
        jobs,
        audit: [
          {
            actorId: actor.userId,
            action: 'directive.resend',
            subjectType: 'directive',
            subjectId: id,
            data: { siteIds: open.map((r) => r.siteId) },
          },
        ],
      });
      return open.length;
    });
    this.outbox.kick();
    return { sites };
  }

  async escalate(actor: Actor, id: string, siteId: string): Promise<EscalateRecipientResponse> {
    await this.directives.assertBoardAccess(actor, id);
    await this.dataSource.transaction(async (tx) => {
      await this.issued(tx, id);
      if (!(await this.recipients.escalateNow(tx, id, siteId)))
        throw new DomainError(
          'conflict',
          `site ${siteId} is not waiting for this directive (already acknowledged, expired or not a recipient)`,
        );
      await this.changes.record(tx, {
        audit: [
          {
            actorId: actor.userId,
            action: 'directive.escalate.requested',
            subjectType: 'directive',
            subjectId: id,
            data: { siteId },
          },
        ],
      });
    });
    await this.escalation.escalate(id);
    return { escalationLevel: (await this.recipients.escalationLevel(id, siteId)) ?? 0 };
  }

  private async issued(tx: EntityManager, id: string): Promise<DirectiveRow> {
    const d = await this.recipients.lockDirective(tx, id);
    if (!d) throw new DomainError('not_found', `directive ${id} does not exist`);
    if (d.status !== 'issued') throw new DomainError('conflict', `directive ${id} is ${d.status}`);
    return d;
  }
}
