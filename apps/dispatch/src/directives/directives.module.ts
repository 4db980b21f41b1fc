import { Module } from '@nestjs/common';
import { TerminalsModule } from '#terminals';
import { DrillLinksModule } from '#platform';
import { ConsultInvitations } from './channels/consult-invitations.js';
import { ConsoleChannel } from './channels/console-channel.js';
import { DirectivesGateway } from './directives.gateway.js';
import { EscalationRepository } from './escalation/escalation.repository.js';
import { EscalationService } from './escalation/escalation.service.js';
import { DirectivesController } from './issue/directives.controller.js';
import { DirectivesRepository } from './issue/directives.repository.js';
import { DirectiveRevisions } from './issue/directive-revisions.js';
import { DirectivesService } from './issue/directives.service.js';
import { SendBudget } from './issue/send-budget.js';
import { DutyLeadersRepository } from './leader-on-duty/duty-leaders.repository.js';
import { LeaderOnDutyController } from './leader-on-duty/leader-on-duty.controller.js';
import { LeaderOnDutyService } from './leader-on-duty/leader-on-duty.service.js';
import { ChannelReports } from './recipients/channel-reports.js';
import { RecipientActionsController } from './recipients/recipient-actions.controller.js';
import { RecipientActionsService } from './recipients/recipient-actions.service.js';
import { RecipientReplies } from './recipients/recipient-replies.service.js';
import { RecipientStateService } from './recipients/recipient-state.service.js';
import { RecipientsRepository } from './recipients/recipients.repository.js';
import { BoardRepository } from './shared/board.repository.js';
import { BoardService } from './shared/board.service.js';
import { DirectiveChanges } from './shared/directive-changes.js';
import { DirectiveEventsRepository } from './shared/directive-events.repository.js';
import { DirectiveOutbox } from './shared/outbox.js';
import { OutboxRepository } from './shared/outbox.repository.js';
import { RealtimeServer } from './shared/realtime.js';
import { SiteGroupsController } from './targeting/site-groups.controller.js';
import { SiteGroupsRepository } from './targeting/site-groups.repository.js';
import { SiteGroupsService } from './targeting/site-groups.service.js';
import { SiteTargetsRepository } from './targeting/site-targets.repository.js';
import { TargetingService } from './targeting/targeting.service.js';
import { DirectiveTemplatesController } from './templates/directive-templates.controller.js';
import { DirectiveTemplatesRepository } from './templates/directive-templates.repository.js';
import { DirectiveTemplatesService } from './templates/directive-templates.service.js';

/**
 * The closed loop (闭环): issue → delivered → 签收 → 反馈 → closed, with escalation.
 * Exports ChannelReports so an in-process channel can report (docs/channels.md), and the
 * Socket.IO server for other areas that push to consoles (spot checks).
 */
@Module({
  // re-exported: every area that issues through directives may join its items to a drill
  // TerminalsModule: a moved validity reaches the terminal outbox in the same transaction
  imports: [DrillLinksModule, TerminalsModule],
  controllers: [
    DirectivesController,
    SiteGroupsController,
    DirectiveTemplatesController,
    LeaderOnDutyController,
    RecipientActionsController,
  ],
  providers: [
    RealtimeServer,
    OutboxRepository,
    DirectiveOutbox,
    DirectiveEventsRepository,
    DirectiveChanges,
    BoardRepository,
    BoardService,
    RecipientsRepository,
    RecipientStateService,
    ChannelReports,
    TargetingService,
    DirectivesService,
    DirectiveRevisions,
    EscalationRepository,
    EscalationService,
    ConsoleChannel,
    ConsultInvitations,
    DirectivesGateway,
    RecipientActionsService,
    RecipientReplies,
    SendBudget,
    SiteTargetsRepository,
    DirectivesRepository,
    SiteGroupsRepository,
    SiteGroupsService,
    DirectiveTemplatesRepository,
    DirectiveTemplatesService,
    DutyLeadersRepository,
    LeaderOnDutyService,
  ],
  exports: [
    ChannelReports,
    RecipientStateService,
    DirectivesService,
    RealtimeServer,
    DrillLinksModule,
    // plans check a plan's directive targets as an issue would (docs/plans.md)
    TargetingService,
    DirectiveTemplatesRepository,
  ],
})
export class DirectivesModule {}
