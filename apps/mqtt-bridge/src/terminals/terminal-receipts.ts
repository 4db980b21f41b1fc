import { Inject, Injectable } from '@nestjs/common';
import { EventBus } from '#platform';

/**
 * What a terminal reported about one directive message. `delivered` is the device's own
 * "received"; `acknowledged` is a person pressing 签收 on the device. A broker PUBACK is
 * neither and is never reported.
 */
export interface TerminalReceipt {
  directiveId: string;
  terminalId: string;
  siteId: string;
  messageId: string;
  state: 'delivered' | 'acknowledged' | 'expired';
  at: string;
}

export const TERMINAL_RECEIPTS = 'directives.terminal-receipts';

/**
 * Where the bridge reports receipts: the seam to the directives' recipient states. The
 * default publishes them on the event bus (channel `directives.terminal-receipts`); the
 * directives module replaces this provider, or subscribes to that channel.
 */
export abstract class TerminalReceiptSink {
  abstract report(receipts: TerminalReceipt[]): Promise<void>;
}

@Injectable()
export class BusTerminalReceiptSink extends TerminalReceiptSink {
  constructor(@Inject(EventBus) private readonly bus: EventBus) {
    super();
  }

  async report(receipts: TerminalReceipt[]): Promise<void> {
    if (receipts.length) await this.bus.publish(TERMINAL_RECEIPTS, receipts);
  }
}
