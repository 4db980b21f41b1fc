import { Module } from '@nestjs/common';
import { DrillLinksModule } from '#platform';
import { DirectivesModule } from '../../directives/directives.module.js';
import { DutyModule } from '../../duty/duty.module.js';
import { ReportingModule } from '../reporting.module.js';
import { DailyReportAlerts } from './daily-report-alerts.js';
import { DailyReportFacts } from './daily-report-facts.source.js';
import { DailyReportOpenItems } from './daily-report-open-items.js';
import { DailyReportsController } from './daily-reports.controller.js';
import { DailyReportsGateway } from './daily-reports.gateway.js';
import { DailyReportsRepository } from './daily-reports.repository.js';
import { DailyReportsService } from './daily-reports.service.js';
import { DailyRoundScheduler } from './daily-round-scheduler.js';
import { DailyRoundTimers } from './daily-round-timers.js';
import { DailyRoundsService } from './daily-rounds.service.js';

/**
 * 日报告/零报告 (issue 18, docs/reporting-daily.md): rounds by hand and by the scheduler,
 * versions from consoles and terminals, the due/overdue alerts, and the daily findings
 * registered with the reporting module's DailyReportFactsRegistry.
 */
@Module({
  imports: [DirectivesModule, DrillLinksModule, DutyModule, ReportingModule],
  controllers: [DailyReportsController],
  providers: [
    DailyReportsRepository,
    DailyReportAlerts,
    DailyRoundTimers,
    DailyRoundsService,
    DailyReportsService,
    DailyRoundScheduler,
    DailyReportFacts,
    DailyReportOpenItems,
    DailyReportsGateway,
  ],
  exports: [DailyReportFacts],
})
export class DailyReportsModule {}
