import { Module } from '@nestjs/common';
import { BoardService } from './board.service.js';
import { ConsoleChannel } from './console-channel.js';
import {
  DirectivesController,
  DirectiveTemplatesController,
  LeaderOnDutyController,
  SiteGroupsController,
} from './directives.controller.js';
import { DirectivesGateway } from './directives.gateway.js';
import { DirectivesService } from './directives.service.js';
import { EscalationService } from './escalation.service.js';
import { DirectiveOutbox } from './outbox.js';
import { RealtimeServer } from './realtime.js';
import { RecipientActionsController } from './recipient-actions.controller.js';
import { RecipientActionsService } from './recipient-actions.service.js';
import { RecipientStateService } from './recipient-state.service.js';
import { TargetingService } from './targeting.service.js';

/**
 * The closed loop (闭环): issue → delivered → 签收 → 反馈 → closed, with escalation.
 * Exports RecipientStateService so an in-process channel can report (docs/channels.md).
 */
@Module({
  controllers: [
    DirectivesController,
    SiteGroupsController,
    DirectiveTemplatesController,
    LeaderOnDutyController,
    RecipientActionsController,
  ],
  providers: [
    RealtimeServer,
    DirectiveOutbox,
    BoardService,
    RecipientStateService,
    TargetingService,
    DirectivesService,
    EscalationService,
    ConsoleChannel,
    DirectivesGateway,
    RecipientActionsService,
  ],
  exports: [RecipientStateService, DirectivesService],
})
export class DirectivesModule {}
