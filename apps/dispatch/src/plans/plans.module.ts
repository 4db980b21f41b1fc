import { Module } from '@nestjs/common';
import { DirectivesModule } from '../directives/directives.module.js';
import { WarningsModule } from '../warnings/warnings.module.js';
import { PlanBudget } from './plan-budget.js';
import { PlanChecks } from './plan-checks.js';
import { PlanTeams, TeamAlerts } from './plan-teams.js';
import { PlansController } from './plans.controller.js';
import { PlansRepository } from './plans.repository.js';
import { PlansService } from './plans.service.js';
import { ResponseBoard } from './responses/response-board.js';
import { ResponseRunner } from './responses/response-runner.js';
import { ResponsesController } from './responses/responses.controller.js';
import { ResponsesRepository } from './responses/responses.repository.js';
import { ResponsesService } from './responses/responses.service.js';
import { DomainError } from '#platform';

/** 预案 and 启动响应 (issue 23, docs/plans.md). */
@Module({
  imports: [DirectivesModule, WarningsModule],
  controllers: [PlansController, ResponsesController],
  providers: [
    PlansRepository,
    PlanChecks,
    PlanTeams,
    PlanBudget,
    PlansService,
    ResponsesRepository,
    ResponseRunner,
    ResponseBoard,
    ResponsesService,
    {
      provide: TeamAlerts,
      useValue: {
        alert: () => Promise.reject(new DomainError('unprocessable', 'teams are not available yet')),
        releaseForResponse: () => Promise.resolve(),
      },
    },
  ],
})
export class PlansModule {}
