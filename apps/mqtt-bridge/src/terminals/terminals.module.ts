import { Module } from '@nestjs/common';
import { TerminalOutbox } from './terminal-outbox.js';
import { TerminalsController } from './terminals.controller.js';
import { TerminalsService } from './terminals.service.js';

/**
 * Terminal provisioning (REST) and the outbox the terminal channel writes to. Imported by
 * the bridge and by dispatch, so whichever app serves REST or issues directives has it;
 * in the hub Nest builds it once.
 */
@Module({
  controllers: [TerminalsController],
  providers: [TerminalsService, TerminalOutbox],
  exports: [TerminalsService, TerminalOutbox],
})
export class TerminalsModule {}
