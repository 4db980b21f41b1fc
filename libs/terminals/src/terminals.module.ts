import { Module } from '@nestjs/common';
import { TerminalOutboxRepository } from './terminal-outbox.repository.js';
import { TerminalOutbox } from './terminal-outbox.js';
import { TerminalReceiptsRepository } from './terminal-receipts.repository.js';
import { TerminalsController } from './terminals.controller.js';
import { TerminalsRepository } from './terminals.repository.js';
import { TerminalsService } from './terminals.service.js';

/**
 * Terminal provisioning (REST) and the outbox the terminal channel writes to. Imported by
 * the bridge and by dispatch, so whichever app serves REST or issues directives has it;
 * in the hub Nest builds it once.
 */
@Module({
  controllers: [TerminalsController],
  providers: [
    TerminalsService,
    TerminalsRepository,
    TerminalOutbox,
    TerminalOutboxRepository,
    // for the receipt sink and the reconciler, which the bridge provides
    TerminalReceiptsRepository,
  ],
  exports: [TerminalsService, TerminalOutbox, TerminalReceiptsRepository],
})
export class TerminalsModule {}
