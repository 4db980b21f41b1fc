import { Module } from '@nestjs/common';
import { DirectivesModule } from '../../directives/directives.module.js';
import { TeamAlertsService } from './team-alerts.service.js';
import { TeamBudget } from './team-budget.js';
import { TeamsController } from './teams.controller.js';
import { TeamsRepository } from './teams.repository.js';
import { TeamsService } from './teams.service.js';

/** 应急队伍 (issue 23): teams, and alerting them; TeamAlertsService is for the plans area. */
@Module({
  imports: [DirectivesModule],
  controllers: [TeamsController],
  providers: [TeamsRepository, TeamsService, TeamBudget, TeamAlertsService],
  exports: [TeamAlertsService],
})
export class TeamsModule {}
