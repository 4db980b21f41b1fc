import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AckDirectiveRequest, AckResponse, FeedbackRequest } from '#contracts';
import { feedbackDenial, onBehalfDenial, type Actor } from '#domain';
import { DirectivesRepository } from '../issue/directives.repository.js';
import { DirectivesService } from '../issue/directives.service.js';
import { BoardService } from '../shared/board.service.js';
import { DirectiveChanges } from '../shared/directive-changes.js';
import { refuse } from '../shared/refuse.js';
import { SiteTargetsRepository } from '../targeting/site-targets.repository.js';
import { ChannelReports } from './channel-reports.js';
import { onBehalfOf } from './on-behalf.js';
import { RecipientStateService } from './recipient-state.service.js';

/**
 * A recipient's replies over REST: 签收 and 反馈/办结, for the actor's own site or on
 * behalf of a site in their scope (with a note). Devices and consoles 签收 through
 * ChannelReports too; this is the REST edge's use case.
 */
@Injectable()
export class RecipientReplies {
  constructor(
    private readonly dataSource: DataSource,
    private readonly directives: DirectivesService,
    private readonly rows: DirectivesRepository,
    private readonly sites: SiteTargetsRepository,
    private readonly changes: DirectiveChanges,
    private readonly state: RecipientStateService,
    private readonly reports: ChannelReports,
    private readonly board: BoardService,
  ) {}

  /** 签收 over REST: for the actor's own site, or on behalf of a site in scope (with a note). */
  async acknowledge(actor: Actor, id: string, req: AckDirectiveRequest): Promise<AckResponse> {
    const { siteId, via, note } = await this.actingFor(actor, id, req.siteId, req.note);
    const outcome = await this.reports.acknowledged({
      directiveId: id,
      siteId,
      actorId: actor.userId,
      via,
      note,
      ...onBehalfOf(via, req),
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
      const target = await this.rows.lockForFeedback(tx, id, siteId);
      refuse(
        feedbackDenial(
          id,
          siteId,
          target ? { recipientState: target.state, directiveStatus: target.status } : null,
        ),
      );
      const completedAt = await this.rows.complete(tx, id, siteId, actor.userId, req.text);
      await this.changes.record(tx, {
        events: [
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
        ],
        audit: [
          {
            actorId: actor.userId,
            action: 'directive.feedback',
            subjectType: 'directive',
            subjectId: id,
            data: { siteId, via, text: req.text, note },
          },
        ],
      });
      closed = await this.state.closeIfDone(tx, id, actor.userId);
      return { acknowledgedAt: target!.acknowledged_at, completedAt };
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

  /** Which site the actor acts for, and how: their own site, or on behalf of one in scope (needs a note). */
  private async actingFor(
    actor: Actor,
    id: string,
    siteId: string | undefined,
    note: string | undefined,
  ): Promise<{ siteId: string; via: 'console' | 'on_behalf'; note: string | null }> {
    await this.directives.assertVisible(actor, id);
    if (!siteId || siteId === actor.siteId)
      return { siteId: actor.siteId, via: 'console', note: note ?? null };
    refuse(onBehalfDenial(actor, siteId, await this.sites.path(siteId), note));
    return { siteId, via: 'on_behalf', note: note ?? null };
  }
}
