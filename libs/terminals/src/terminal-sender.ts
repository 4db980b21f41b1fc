import type { TerminalMessageRow } from './terminal-outbox.js';

/**
 * What the terminal channel needs from whoever sends to terminals in this process: the MQTT
 * bridge's delivery, which the mqtt-bridge module provides under this token. The channel is
 * provided only beside a bridge, so a dispatch-only process has neither: what it enqueues
 * (test calls) reaches the bridges through the outbox notice on the event bus.
 */
export abstract class TerminalSender {
  /** whether this process sends to the broker yet (then other bridges skip its notice) */
  abstract readonly attached: boolean;
  /** rows this process just committed: sent now to the terminals online, in order */
  abstract queued(rows: TerminalMessageRow[]): void;
}

/** The bridge's view of a live terminal's kind: receipts from radio gateways report as `radio`. */
export abstract class TerminalKinds {
  abstract kindOf(terminalId: string): 'push' | 'radio' | undefined;
}
