import { Module } from '@nestjs/common';
import { DirectivesModule } from '../directives/directives.module.js';
import { DutyModule } from '../duty/duty.module.js';
import { DailyReportFactsRegistry } from './daily-report-facts.js';
import { ExternalRegistrations } from './external-registrations.js';
import { FindingsRepository } from './findings.repository.js';
import { FindingsService } from './findings.service.js';
import { IncidentAlerts } from './incident-alerts.js';
import { IncidentDeadlines } from './incident-deadlines.js';
import { IncidentOpenItems } from './incident-open-items.js';
import { IncidentReports } from './incident-reports.service.js';
import { IncidentTimeline } from './incident-timeline.js';
import { IncidentsController } from './incidents.controller.js';
import { IncidentsRepository } from './incidents.repository.js';
import { IncidentsService } from './incidents.service.js';
import { MissedCheck } from './missed-check.js';
import { ReportingAccess } from './reporting-access.js';
import { ReportingBudget } from './reporting-budget.js';
import { ReportingRules } from './reporting-rules.service.js';
import { ReportingController } from './reporting.controller.js';

/**
 * 信息报送 (issue 18, docs/reporting.md): incidents, their reports and deadlines, findings,
 * the monthly 通报. Exports DailyReportFactsRegistry, where the daily-report side registers
 * its findings and monthly counts.
 */
@Module({
  imports: [DirectivesModule, DutyModule],
  controllers: [IncidentsController, ReportingController],
  providers: [
    DailyReportFactsRegistry,
    IncidentsRepository,
    FindingsRepository,
    ReportingAccess,
    ReportingBudget,
    ReportingRules,
    IncidentAlerts,
    MissedCheck,
    IncidentDeadlines,
    IncidentTimeline,
    IncidentsService,
    ExternalRegistrations,
    IncidentReports,
    FindingsService,
    IncidentOpenItems,
  ],
  exports: [DailyReportFactsRegistry],
})
export class ReportingModule {}
