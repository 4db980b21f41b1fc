import { randomUUID } from 'node:crypto';

/** Event bus channels between the terminals REST side (any app) and the bridge. */
export const TERMINALS_CHANGED = 'terminals.changed';
export const TERMINALS_OUTBOX = 'terminals.outbox';

export interface TerminalsChanged {
  id: string;
  revoked: boolean;
}

/** New rows in terminal_messages for this directive: the bridge sends what it can now. */
export interface TerminalsOutboxNotice {
  directiveId: string;
  /** the process that queued them; it has handed the rows to its own bridge already */
  origin?: string;
}

/** This process, as the origin of outbox notices. */
export const PROCESS_ORIGIN = randomUUID();
