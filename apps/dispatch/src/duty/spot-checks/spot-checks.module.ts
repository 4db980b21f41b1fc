import { Module } from '@nestjs/common';
import { TerminalsModule } from '#terminals';
import { DirectivesModule } from '../../directives/directives.module.js';
import { MonthlyStatsService } from './monthly-stats.service.js';
import { DutyModule } from '../duty.module.js';
import { DutyRoster } from '../roster/duty-roster.service.js';
import { RosterLookup } from './roster-lookup.js';
import { SpotCheckAnswers } from './spot-check-answers.js';
import { SpotCheckBudget } from './spot-check-budget.js';
import { SpotCheckDelivery } from './spot-check-delivery.js';
import { SpotCheckOpenItems } from './spot-check-open-items.js';
import { SpotCheckSchedulesRepository } from './spot-check-schedules.repository.js';
import { SpotCheckSchedules } from './spot-check-schedules.service.js';
import { SpotCheckSettlement } from './spot-check-settlement.js';
import { DutyStatsController, SpotChecksController } from './spot-checks.controller.js';
import { SpotChecksGateway } from './spot-checks.gateway.js';
import { SpotChecksRepository } from './spot-checks.repository.js';
import { SpotChecksService } from './spot-checks.service.js';

/**
 * 查岗 spot checks, their schedules and the monthly 通报 (docs/spot-checks.md). The roster
 * is asked through RosterLookup, bound to the duty roster (DutyRoster.onRoster).
 */
@Module({
  imports: [DirectivesModule, TerminalsModule, DutyModule],
  controllers: [SpotChecksController, DutyStatsController],
  providers: [
    { provide: RosterLookup, useExisting: DutyRoster },
    SpotChecksRepository,
    SpotCheckSchedulesRepository,
    SpotCheckDelivery,
    SpotCheckSettlement,
    SpotCheckBudget,
    SpotCheckAnswers,
    SpotChecksService,
    SpotCheckSchedules,
    SpotCheckOpenItems,
    MonthlyStatsService,
    SpotChecksGateway,
  ],
})
export class SpotChecksModule {}
