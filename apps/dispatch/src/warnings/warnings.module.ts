import { Module } from '@nestjs/common';
import { DirectivesModule } from '../directives/directives.module.js';
import { WarningAreasRepository } from './warning-areas.repository.js';
import { WarningBudget } from './warning-budget.js';
import { WarningCap } from './warning-cap.service.js';
import { WarningCoverageRepository } from './warning-coverage.repository.js';
import { WarningEvents } from './warning-events.js';
import { WarningIdentifiers } from './warning-identifiers.js';
import { WarningPublication } from './warning-publication.service.js';
import { WarningsController } from './warnings.controller.js';
import { WarningsRepository } from './warnings.repository.js';
import { WarningsService } from './warnings.service.js';

/** 预警信息发布 (issue 19): the workflow, publication through directives, CAP and coverage. */
@Module({
  imports: [DirectivesModule],
  controllers: [WarningsController],
  providers: [
    WarningsRepository,
    WarningAreasRepository,
    WarningCoverageRepository,
    WarningIdentifiers,
    WarningEvents,
    WarningBudget,
    WarningsService,
    WarningPublication,
    WarningCap,
  ],
  // a response (plans) drafts its warnings through the normal flow
  exports: [WarningsService],
})
export class WarningsModule {}
