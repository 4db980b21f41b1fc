import { Module } from '@nestjs/common';
import { DirectivesModule } from '../../directives/directives.module.js';
import { TeamAlertsService } from './team-alerts.service.js';
import { TeamBudget } from './team-budget.js';
import { TeamImport } from './team-import.service.js';
import { TeamsCsvController } from './teams-csv.controller.js';
import { TeamsController } from './teams.controller.js';
import { TeamsRepository } from './teams.repository.js';
import { TeamsService } from './teams.service.js';

/** 应急队伍 (issue 23): teams, and alerting them; TeamAlertsService is for the plans area. */
@Module({
  imports: [DirectivesModule],
  controllers: [TeamsController, TeamsCsvController],
  providers: [TeamsRepository, TeamsService, TeamBudget, TeamAlertsService, TeamImport],
  exports: [TeamAlertsService],
})
export class TeamsModule {}
