import { randomUUID } from 'node:crypto';

/** Event bus channels between the terminals REST side (any app) and the bridge. */
export const TERMINALS_CHANGED = 'terminals.changed';
export const TERMINALS_OUTBOX = 'terminals.outbox';

export interface TerminalsChanged {
  id: string;
  revoked: boolean;
  /** a new secret: a connection made with the old one is closed, as for a revocation */
  rotated?: boolean;
}

/** New rows in terminal_messages for this directive: the bridge sends what it can now. */
export interface TerminalsOutboxNotice {
  directiveId: string;
  /**
   * Set when a bridge process queued them and has handed them to the broker itself. Every
   * bridge shares the broker and sees every device's status, so that bridge reached every
   * terminal online: the others skip the notice (stragglers are swept). Without it (a test
   * call from a REST-only process, a retried job), every bridge sends what is queued.
   */
  origin?: string;
}

/** This process, as the origin of outbox notices. */
export const PROCESS_ORIGIN = randomUUID();
