import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DirectiveDeliveryJob, EscalateRecipientResponse, ResendDirectiveResponse } from '#contracts';
import type { Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { DirectivesService } from './directives.service.js';
import { EscalationService } from './escalation.service.js';
import { DirectiveOutbox, FAN_OUT_DELIVERY } from './outbox.js';
import { toPushPayload, type DirectiveRow } from './views.js';

const OPEN_STATES = `('pending', 'delivered', 'failed')`;

/**
 * The board's manual actions on recipients that have not acknowledged: re-send now, or
 * take the next escalation step now instead of waiting for the timer. Both go through the
 * same outbox and escalation code as the automatic path, so a crash loses nothing.
 */
@Injectable()
export class RecipientActionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly outbox: DirectiveOutbox,
    private readonly directives: DirectivesService,
    private readonly escalation: EscalationService,
  ) {}

  async resend(actor: Actor, id: string, siteIds: string[]): Promise<ResendDirectiveResponse> {
    await this.directives.assertBoardAccess(actor, id);
    const sites = await this.dataSource.transaction(async (tx) => {
      const directive = await this.issued(tx.query.bind(tx), id);
      const open = (await tx.query(
        `SELECT site_id, escalation_level FROM directive_recipients
         WHERE directive_id = $1 AND site_id = ANY($2::uuid[]) AND state IN ${OPEN_STATES}`,
        [id, siteIds],
      )) as { site_id: string; escalation_level: number }[];
      if (open.length === 0)
        throw new DomainError(
          'conflict',
          'none of these sites is waiting for this directive (already acknowledged, expired or not a recipient)',
        );
      const messageId = randomUUID();
      const job: DirectiveDeliveryJob = {
        kind: 'directive',
        directiveId: id,
        messageId,
        siteIds: open.map((r) => r.site_id),
        directive: toPushPayload(directive, Math.max(1, ...open.map((r) => r.escalation_level))),
      };
      await this.outbox.write(tx, [{ name: FAN_OUT_DELIVERY, data: job, key: `deliver:${messageId}` }]);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive.resend',
          subjectType: 'directive',
          subjectId: id,
          data: { siteIds: job.siteIds },
        },
        tx,
      );
      return open.length;
    });
    this.outbox.kick();
    return { sites };
  }

  async escalate(actor: Actor, id: string, siteId: string): Promise<EscalateRecipientResponse> {
    await this.directives.assertBoardAccess(actor, id);
    await this.dataSource.transaction(async (tx) => {
      await this.issued(tx.query.bind(tx), id);
      const [rows] = (await tx.query(
        `UPDATE directive_recipients SET next_escalation_at = now()
         WHERE directive_id = $1 AND site_id = $2 AND state IN ${OPEN_STATES} RETURNING site_id`,
        [id, siteId],
      )) as [unknown[], number];
      if (rows.length === 0)
        throw new DomainError(
          'conflict',
          `site ${siteId} is not waiting for this directive (already acknowledged, expired or not a recipient)`,
        );
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive.escalate.requested',
          subjectType: 'directive',
          subjectId: id,
          data: { siteId },
        },
        tx,
      );
    });
    await this.escalation.escalate(id);
    const [row] = (await this.dataSource.query(
      'SELECT escalation_level FROM directive_recipients WHERE directive_id = $1 AND site_id = $2',
      [id, siteId],
    )) as { escalation_level: number }[];
    return { escalationLevel: row?.escalation_level ?? 0 };
  }

  private async issued(
    query: (sql: string, params: unknown[]) => Promise<unknown>,
    id: string,
  ): Promise<DirectiveRow> {
    const [d] = (await query('SELECT * FROM directives WHERE id = $1 FOR UPDATE', [id])) as DirectiveRow[];
    if (!d) throw new DomainError('not_found', `directive ${id} does not exist`);
    if (d.status !== 'issued') throw new DomainError('conflict', `directive ${id} is ${d.status}`);
    return d;
  }
}
