import { Module } from '@nestjs/common';
import { DirectivesModule } from '../directives/directives.module.js';
import { DirectiveOpenItems } from './handover/directive-open-items.js';
import { HandoversController } from './handover/handovers.controller.js';
import { HandoversRepository } from './handover/handovers.repository.js';
import { HandoversService } from './handover/handovers.service.js';
import { OpenItemSources } from './handover/open-items.js';
import { DutyLogController } from './log/duty-log.controller.js';
import { DutyLogRepository } from './log/duty-log.repository.js';
import { DutyLogService } from './log/duty-log.service.js';
import { DutyRosterController } from './roster/duty-roster.controller.js';
import { DutyRosterRepository } from './roster/duty-roster.repository.js';
import { DutyRoster } from './roster/duty-roster.service.js';

/**
 * Duty (值班, issue 17): the roster and the leader on duty by roster, handover (交接班) and
 * the duty log (值班日志). Exports DutyRoster for spot checks (`onRoster`) and OpenItemSources,
 * where a module with open work at a site (spot checks, reports due) registers its source.
 */
@Module({
  imports: [DirectivesModule],
  controllers: [DutyRosterController, HandoversController, DutyLogController],
  providers: [
    DutyRosterRepository,
    DutyRoster,
    OpenItemSources,
    HandoversRepository,
    HandoversService,
    DirectiveOpenItems,
    DutyLogRepository,
    DutyLogService,
  ],
  exports: [DutyRoster, OpenItemSources],
})
export class DutyModule {}
