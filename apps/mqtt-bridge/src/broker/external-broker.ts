import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { DEVICE_REPORTS_LEAF, RADIO_DEVICE_LEAVES, TOPIC_ROOT, type ComponentHealth } from '#contracts';
import { redactUrl, StartupError } from '#platform';
import type { BrokerLink, DeviceMessageHandler, PresenceHandler } from './broker-link.js';

/** The bridges' shared subscription to device acks (group `yihu-bridge`). */
export const ACKS_SHARED = `$share/yihu-bridge/${TOPIC_ROOT}/+/acks`;

/** Terminals' 零报告, each to ONE bridge like the acks (the dispatch side is idempotent anyway). */
export const REPORTS_SHARED = `$share/yihu-bridge/${TOPIC_ROOT}/+/${DEVICE_REPORTS_LEAF}`;

/**
 * Radio gateways' join, state and events, each to ONE bridge like the acks: every bridge
 * forwarding each of them to the bus would key a talkgroup N times. Named leaf by leaf:
 * `radio/+` would also bring back the bridges' own `radio/cmd`.
 */
export const RADIO_SHARED = RADIO_DEVICE_LEAVES.map(
  (leaf) => `$share/yihu-bridge/${TOPIC_ROOT}/+/radio/${leaf}`,
);

export interface ExternalBrokerOptions {
  url: string;
  clientId: string;
  username: string;
  password?: string;
  caFile?: string;
  logger: Logger;
}

/**
 * A connection to the cluster's broker (Mosquitto or EMQX). A broker outage must not take
 * dispatch down: the client reconnects on its own and health reports it. The session is
 * persistent (clean: false, QoS 1 subscriptions) so device acks published while the
 * bridge is restarting wait for it at the broker.
 */
export class ExternalBroker implements BrokerLink {
  private lastError: string | undefined;
  /** the broker refused a subscription: the bridge is deaf to device input (health says so) */
  private subscriptionProblem: string | undefined;

  private constructor(
    readonly client: MqttClient,
    private readonly url: string,
    private readonly logger: Logger,
  ) {}

  static connect(options: ExternalBrokerOptions): ExternalBroker {
    const { url, logger } = options;
    let ca: Buffer | undefined;
    if (options.caFile) {
      try {
        ca = readFileSync(options.caFile);
      } catch (err) {
        throw new StartupError(`cannot read MQTT_TLS_CA ${options.caFile}: ${(err as Error).message}`);
      }
    }
    const client = mqtt.connect(url, {
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      protocolVersion: 4,
      clean: false,
      reconnectPeriod: 2000,
      connectTimeout: 5000,
      ...(ca ? { ca } : {}),
    });
    const broker = new ExternalBroker(client, url, logger);
    client.on('connect', () => {
      broker.lastError = undefined;
      logger.info({ url: redactUrl(url) }, 'connected to MQTT broker');
    });
    client.on('error', (err) => {
      broker.lastError = err.message;
      logger.warn({ err: err.message }, 'MQTT broker connection error');
    });
    return broker;
  }

  async publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain ?? false });
  }

  async onDeviceMessage(handler: DeviceMessageHandler): Promise<void> {
    this.client.on('message', (topic, payload) => handler(topic, payload));
    const filters = {
      // each ack to ONE of the bridge instances sharing the broker (MQTT 5 shared
      // subscription, which Mosquitto and EMQX also grant 3.1.1 clients): N bridges
      // recording every ack N times was N times the database work for nothing
      [ACKS_SHARED]: { qos: 1 as const },
      ...Object.fromEntries(RADIO_SHARED.map((f) => [f, { qos: 1 as const }])),
      [REPORTS_SHARED]: { qos: 1 as const },
      // statuses to every bridge: each one needs to know who is online to send
      [`${TOPIC_ROOT}/+/status`]: { qos: 1 as const },
    };
    const subscribe = () => {
      // bridges before shared subscriptions kept this one in their persistent session
      this.client.unsubscribe(`${TOPIC_ROOT}/+/acks`, () => undefined);
      this.client.subscribe(filters, (err, granted) => {
        // a refused filter (SUBACK 0x80) leaves the bridge connected but deaf to it; mqtt.js
        // reports it as an error without saying which filter, or (MQTT 5) in `granted`
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        this.subscriptionProblem = refused.length
          ? `subscription refused: ${refused.join(', ')}`
          : err
            ? `subscription refused (${err.message}) for ${Object.keys(filters).join(', ')}`
            : undefined;
        if (this.subscriptionProblem)
          this.logger.error(
            { problem: this.subscriptionProblem },
            'MQTT broker refused the bridge its subscriptions; check its ACL',
          );
      });
    };
    // a persistent session keeps the subscriptions; subscribing again on each connect covers a broker that lost it
    this.client.on('connect', subscribe);
    if (this.client.connected) subscribe();
  }

  onReconnect(handler: () => void): void {
    let first = true;
    this.client.on('connect', () => {
      if (!first) handler();
      first = false;
    });
    if (this.client.connected) first = false;
  }

  onPresence(_handler: PresenceHandler): void {
    // an external broker reports presence through the devices' retained status and Will
  }

  disconnect(_terminalId: string): void {
    // the external broker enforces revocation through its own auth (password file / HTTP auth)
  }

  health(): ComponentHealth {
    const up = this.client.connected && !this.subscriptionProblem;
    return {
      status: up ? 'up' : 'down',
      driver: 'external',
      detail: { url: redactUrl(this.url) },
      ...(up ? {} : { error: this.subscriptionProblem ?? this.lastError ?? 'not connected' }),
    };
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
  }
}
