import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  RADIO_BUS,
  RADIO_CMD_CLAIM_SECONDS,
  RADIO_CMD_LEAF,
  RadioCmdMessageSchema,
  TOPIC_ROOT,
  type RadioCmdMessage,
} from '#contracts';
import { CounterStore, EventBus, LOGGER } from '#platform';
import type { BrokerLink } from '../broker/broker-link.js';
import { BridgeMetrics } from './bridge-metrics.js';
import { TerminalRegistry } from './terminal-registry.js';

type Result = 'published' | 'other_bridge' | 'invalid' | 'not_radio' | 'failed';

/**
 * Commands from the radio server (RADIO_BUS.cmd) out to a gateway's `radio/cmd`, QoS 1, not
 * retained, for live radio gateways only. The bus fans every command out to every bridge,
 * and bridges on one external broker can all reach every gateway, so each command is
 * claimed first: the bridge whose claim on its id is first (INCR on a shared key with a
 * short expiry: CounterStore, in Redis in a cluster) publishes; the others let it be. One
 * Redis round trip, no polling. With the in-process bus there is one bridge: no claim.
 * If the claim itself fails (Redis unreachable) the command is published anyway: a second
 * copy is harmless to a gateway (every command is idempotent), a lost `unkey` leaves a
 * transmitter on air.
 */
@Injectable()
export class RadioCommands implements OnModuleDestroy {
  private unsubscribe: (() => void) | undefined;
  private link: BrokerLink | undefined;

  constructor(
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(CounterStore) private readonly claims: CounterStore,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: TerminalRegistry,
    private readonly metrics: BridgeMetrics,
  ) {}

  async attach(link: BrokerLink): Promise<void> {
    this.link = link;
    this.unsubscribe = await this.bus.subscribe<unknown>(RADIO_BUS.cmd, (m) => void this.command(m));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** resolves with what became of the command (tests read it through the metric) */
  async command(raw: unknown): Promise<Result> {
    const result = await this.handle(raw).catch((err: unknown) => {
      this.logger.error({ err }, 'radio command not published');
      return 'failed' as const;
    });
    this.metrics.radioCommands.inc({ result });
    return result;
  }

  private async handle(raw: unknown): Promise<Result> {
    const parsed = RadioCmdMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn({ issue: parsed.error.issues[0]?.message }, 'invalid radio command on the bus');
      return 'invalid';
    }
    const message = parsed.data as RadioCmdMessage;
    const { terminalId } = message;
    if (!this.registry.isLive(terminalId) || this.registry.kindOf(terminalId) !== 'radio') return 'not_radio';
    const link = this.link;
    if (!link) return 'failed';
    if (!(await this.claim(message))) return 'other_bridge';
    await link.publish(`${TOPIC_ROOT}/${terminalId}/radio/${RADIO_CMD_LEAF}`, JSON.stringify(message.cmd), {
      qos: 1,
      retain: false,
      terminal: terminalId,
    });
    return 'published';
  }

  private async claim(message: RadioCmdMessage): Promise<boolean> {
    if (this.bus.driver === 'in-process') return true;
    const id =
      message.id ??
      createHash('sha256')
        .update(`${message.terminalId}\n${JSON.stringify(message.cmd)}`)
        .digest('hex');
    try {
      const { count } = await this.claims.hit(`radio-cmd:${id}`, RADIO_CMD_CLAIM_SECONDS);
      return count === 1;
    } catch (err) {
      this.logger.warn(
        { err, terminalId: message.terminalId },
        'radio command claim failed; publishing anyway',
      );
      return true;
    }
  }
}
