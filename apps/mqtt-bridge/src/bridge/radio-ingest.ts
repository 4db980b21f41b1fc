import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  MAX_RADIO_PAYLOAD_BYTES,
  RADIO_BUS,
  RadioEventSchema,
  RadioJoinSchema,
  RadioStateSchema,
  type RadioGatewayMessage,
  type RadioPresenceMessage,
} from '#contracts';
import { RADIO_RATE_PER_SECOND, RateBuckets } from '#domain';
import { AppConfig, EventBus, LOGGER } from '#platform';
import { BridgeMetrics, type RejectReason } from './bridge-metrics.js';
import { TerminalRegistry } from './terminal-registry.js';

type Leaf = RadioGatewayMessage['leaf'];
const SCHEMAS: Record<Leaf, z.ZodType> = {
  join: RadioJoinSchema,
  state: RadioStateSchema,
  events: RadioEventSchema,
};
const isLeaf = (leaf: string): leaf is Leaf => Object.hasOwn(SCHEMAS, leaf);

/**
 * A radio gateway's `radio/join`, `radio/state` and `radio/events` (device protocol v1,
 * "Radio gateways"): bounded, parsed, validated with the contract's schemas and rate
 * limited per gateway and leaf, then published on the bus (RADIO_BUS.gateway) for the
 * radio server, with this bridge's id. Nothing is stored here. What fails is counted
 * (by reason, and by leaf and reason) and dropped; the connection stays.
 */
@Injectable()
export class RadioIngest {
  private readonly rates = new RateBuckets();
  /** the last presence edge this bridge announced per gateway: only changes go on the bus */
  private readonly announced = new Map<string, boolean>();
  readonly bridge: string;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EventBus) private readonly bus: EventBus,
    private readonly registry: TerminalRegistry,
    private readonly metrics: BridgeMetrics,
  ) {
    this.bridge = config.instanceId;
  }

  /** `leaf` without its `radio/` prefix; the topic was parsed and its terminal is live */
  message(terminalId: string, leaf: string, payload: Buffer, now = Date.now()): void {
    const label = `radio/${leaf}`;
    const reject = (reason: RejectReason, detail?: string) => {
      this.metrics.rejectRadio(label, reason);
      this.logger.debug({ reason, terminalId, leaf: label, detail }, 'radio gateway input rejected');
    };
    // the ACL lets neither through; this holds should a broker be configured without it
    if (!isLeaf(leaf)) return reject('unknown_leaf');
    if (this.registry.kindOf(terminalId) !== 'radio') return reject('not_radio');
    if (payload.length > MAX_RADIO_PAYLOAD_BYTES) return reject('too_large');
    if (!this.rates.take(`${terminalId}/${leaf}`, RADIO_RATE_PER_SECOND[leaf], now))
      return reject('rate_limited');
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return reject('malformed_json');
    }
    const result = SCHEMAS[leaf].safeParse(json);
    if (!result.success) return reject('invalid_schema', result.error.issues[0]?.message);
    const message = {
      terminalId,
      siteId: this.registry.siteOf(terminalId) ?? '',
      bridge: this.bridge,
      leaf,
      body: result.data,
    } as RadioGatewayMessage;
    this.metrics.radioForwarded.inc(label);
    this.bus
      .publish(RADIO_BUS.gateway, message)
      .catch((err: unknown) => this.logger.warn({ err, terminalId, leaf }, 'radio message not published'));
  }

  /**
   * A terminal went on or off line as this bridge saw it; for radio gateways the radio
   * server is told (it drops the gateway's media and unkeys it when it goes).
   */
  presence(terminalId: string, online: boolean): void {
    if (this.registry.kindOf(terminalId) !== 'radio') return;
    if (this.announced.get(terminalId) === online) return;
    this.announced.set(terminalId, online);
    if (!online) this.rates.forget(`${terminalId}/`);
    const message: RadioPresenceMessage = {
      terminalId,
      siteId: this.registry.siteOf(terminalId) ?? '',
      bridge: this.bridge,
      online,
      at: new Date().toISOString(),
    };
    this.bus
      .publish(RADIO_BUS.presence, message)
      .catch((err: unknown) => this.logger.warn({ err, terminalId }, 'radio presence not published'));
  }

  /** after the broker link was down: whatever was announced may be stale, so the next edge goes out */
  forgetPresence(): void {
    this.announced.clear();
  }
}
