/** A terminal outbox message, as the sender reads it. */
export interface OutboxRow {
  id: string;
  terminal_id: string;
  topic: 'directives' | 'notices';
  /** JSON text as stored: sent as is, never parsed and re-serialised */
  payload: string;
  expires_at: Date | null;
}

/** A row a sweep's UPDATE claimed, with its seq (a bigint, as text) for the order. */
export type ClaimedRow = OutboxRow & { seq: string };

/**
 * What an outbox read takes: `replay` everything not acknowledged, `unconfirmed` what the
 * device has not said `received` for, `fresh` what was never sent.
 */
export type OutboxRead = 'replay' | 'unconfirmed' | 'fresh';

/** The outbox as the queue sees it: the database in the bridge (DeliveryStore), an array in tests. */
export interface SendQueueOutbox {
  /** the terminals this bridge takes on replaying (the others are another bridge's) */
  claimReplays(terminalIds: string[]): Promise<Set<string>>;
  /** the terminals' rows in `which`, unexpired, by terminal and in seq order */
  read(which: OutboxRead, terminalIds: string[]): Promise<OutboxRow[]>;
  markSent(ids: string[]): Promise<void>;
}
