import { Module } from '@nestjs/common';
import { DrillLinksModule } from '#platform';
import { DrillBudget } from './drill-budget.js';
import { DrillReportRepository } from './drill-report.repository.js';
import { DrillsController } from './drills.controller.js';
import { DrillsService } from './drills.service.js';

/** 演练 (issue 19): drills and their after-action reports. */
@Module({
  imports: [DrillLinksModule],
  controllers: [DrillsController],
  providers: [DrillsService, DrillReportRepository, DrillBudget],
})
export class DrillsModule {}
