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
}
