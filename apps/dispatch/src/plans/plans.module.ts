import { Module } from '@nestjs/common';
import { DirectivesModule } from '../directives/directives.module.js';
import { TeamAlertsService } from '../resources/teams/team-alerts.service.js';
import { TeamsModule } from '../resources/teams/teams.module.js';
import { WarningsModule } from '../warnings/warnings.module.js';
import { PlanBudget } from './plan-budget.js';
import { PlanChecks } from './plan-checks.js';
import { PlanTeams, TeamAlerts } from './plan-teams.js';
import { PlansController } from './plans.controller.js';
import { PlansRepository } from './plans.repository.js';
import { PlansService } from './plans.service.js';
import { NewActions } from './responses/new-actions.js';
import { ResponseBoard } from './responses/response-board.js';
import { ResponseRunner } from './responses/response-runner.js';
import { ResponsesController } from './responses/responses.controller.js';
import { ResponsesRepository } from './responses/responses.repository.js';
import { ResponsesService } from './responses/responses.service.js';

/** 预案 and 启动响应 (issue 23, docs/plans.md). */
@Module({
  imports: [DirectivesModule, WarningsModule, TeamsModule],
  controllers: [PlansController, ResponsesController],
  providers: [
    PlansRepository,
    PlanChecks,
    PlanTeams,
    PlanBudget,
    PlansService,
    ResponsesRepository,
    NewActions,
    ResponseRunner,
    ResponseBoard,
    ResponsesService,
    // the teams area's service, behind the small seam responses use (plan-teams.ts)
    { provide: TeamAlerts, useExisting: TeamAlertsService },
  ],
})
export class PlansModule {}
