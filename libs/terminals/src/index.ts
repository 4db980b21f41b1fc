export { TerminalsModule } from './terminals.module.js';
export {
  TerminalsService,
  newTerminalId,
  toTerminalView,
  type TerminalMessageView,
} from './terminals.service.js';
export {
  TerminalOutbox,
  type EnqueueOptions,
  type TerminalDirectiveInput,
  type TerminalMessageRow,
  type TerminalNoticeInput,
} from './terminal-outbox.js';
export { TerminalOutboxRepository } from './terminal-outbox.repository.js';
export { TerminalReceiptsRepository } from './terminal-receipts.repository.js';
export { TerminalChannel } from './terminal-channel.js';
export { TerminalSender, TerminalKinds } from './terminal-sender.js';
export {
  JobTerminalReceiptSink,
  TerminalReceiptSink,
  textAckReports,
  type TerminalReceipt,
} from './terminal-receipts.js';
export { ReceiptReconciler } from './receipt-reconciler.js';
export {
  PROCESS_ORIGIN,
  TERMINALS_CHANGED,
  TERMINALS_OUTBOX,
  type TerminalsChanged,
  type TerminalsOutboxNotice,
} from './terminal-events.js';
export { hashTerminalSecret, newTerminalSecret, verifyTerminalSecret } from './secret-hash.js';
