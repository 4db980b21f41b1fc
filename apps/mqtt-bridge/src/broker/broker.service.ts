import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { parseDeviceTopic } from '#domain';
import { AppConfig, HealthRegistry, LOGGER, StartupError } from '#platform';
import { BridgeMetrics } from '../bridge/bridge-metrics.js';
import { DeviceIngest } from '../bridge/device-ingest.js';
import { PresenceOwnership } from '../bridge/presence-ownership.js';
import { RadioCommands } from '../bridge/radio-commands.js';
import { RadioIngest } from '../bridge/radio-ingest.js';
import { TerminalDelivery } from '../bridge/terminal-delivery.js';
import { TerminalRegistry } from '../bridge/terminal-registry.js';
import type { BrokerLink } from './broker-link.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { ExternalBroker } from './external-broker.js';

/**
 * Owns the MQTT side: the embedded broker, or a connection to the external one (MQTT_URL),
 * and wires it to the bridge: device input to DeviceIngest, the outbox out through
 * TerminalDelivery. Runs at bootstrap, once the registry has loaded the credentials.
 */
@Injectable()
export class BrokerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private link: BrokerLink | undefined;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
    private readonly registry: TerminalRegistry,
    private readonly ingest: DeviceIngest,
    private readonly delivery: TerminalDelivery,
    private readonly metrics: BridgeMetrics,
    private readonly ownership: PresenceOwnership,
    private readonly radio: RadioIngest,
    private readonly radioCommands: RadioCommands,
  ) {}

  get broker(): BrokerLink | undefined {
    return this.link;
  }

  async onApplicationBootstrap(): Promise<void> {
    const raw = this.config.raw;
    if (raw.MQTT_URL) {
      this.link = ExternalBroker.connect({
        url: raw.MQTT_URL,
        // Stable across restarts (its persistent session keeps device acks queued while the
        // bridge is down) and distinct per instance; set INSTANCE_ID when several bridges share a host.
        clientId: `yihu-bridge-${raw.INSTANCE_ID ?? hostname()}`,
        username: raw.MQTT_USERNAME,
        password: raw.MQTT_PASSWORD,
        caFile: raw.MQTT_TLS_CA,
        logger: this.logger,
      });
    } else {
      if (raw.MQTT_TLS_PORT && !(raw.MQTT_TLS_CERT && raw.MQTT_TLS_KEY)) {
        throw new StartupError('invalid MQTT_TLS_PORT: MQTT_TLS_CERT and MQTT_TLS_KEY must be set too');
      }
      // what a stopped hub's broker left `online` is offline: no connection survived it
      await this.ownership.start();
      this.link = await EmbeddedBroker.start({
        host: raw.MQTT_HOST,
        port: raw.MQTT_PORT,
        wsPort: raw.MQTT_WS_PORT,
        tls: raw.MQTT_TLS_PORT
          ? { port: raw.MQTT_TLS_PORT, certFile: raw.MQTT_TLS_CERT!, keyFile: raw.MQTT_TLS_KEY! }
          : undefined,
        logger: this.logger,
        limits: {
          maxPacketBytes: raw.MQTT_MAX_PACKET_BYTES,
          maxConnectBytes: raw.MQTT_MAX_CONNECT_BYTES,
          connectTimeoutMs: raw.MQTT_CONNECT_TIMEOUT_SECONDS * 1000,
          pendingPerAddress: raw.MQTT_PENDING_PER_ADDRESS,
          pendingTotal: raw.MQTT_PENDING_MAX,
        },
        gate: {
          authenticate: (clientId, username, password) =>
            this.registry.authenticate(clientId, username, password),
          rejected: (reason, clientId, detail) => {
            // the hooks pass the topic as detail: a radio one is counted by leaf too
            const leaf = detail ? parseDeviceTopic(detail)?.leaf : undefined;
            if (leaf?.startsWith('radio/')) this.metrics.rejectRadio(leaf, reason);
            else this.metrics.reject(reason);
            this.logger.debug({ reason, clientId, detail }, 'MQTT input refused');
          },
          kindOf: (clientId) => this.registry.kindOf(clientId),
        },
      });
    }
    const link = this.link;
    if (!raw.MQTT_URL) this.delivery.useConnectionEvents();
    link.onPresence((id, event) => this.ingest.connection(id, event));
    // the retained statuses that arrive with the re-subscription then replay to every device that is there
    link.onReconnect?.(() => {
      this.delivery.forgetPresence();
      this.radio.forgetPresence();
      this.ownership.subscribed();
    });
    this.registry.onCredentialsWithdrawn((id) => link.disconnect(id));
    // a revoked gateway's last disconnect or Will is input from a terminal no longer live, and dropped
    this.registry.onRevoked((id) => this.radio.presence(id, false));
    await this.delivery.attach(link);
    await this.radioCommands.attach(link);
    // A bridge starting after a crash may have PUBACKed device acks it never recorded; the
    // retained statuses that come with its subscription must replay to every device, even
    // where a replay claim from before the crash (its own, moments ago) is still fresh.
    if (raw.MQTT_URL) {
      this.delivery.forgetPresence();
      this.ownership.subscribed();
    }
    await link.onDeviceMessage((topic, payload) => this.ingest.message(topic, payload));
    this.health.register('broker', async () => ({
      ...link.health(),
      detail: { ...link.health().detail, terminalsOnline: this.delivery.onlineCount() },
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    // The broker's last presence events (every embedded connection closing) are written
    // before the database closes: it closes after every shutdown hook (bootstrap.ts), and
    // DeviceIngest's own drain ran earlier, at module destroy ("Driver not Connected").
    await this.link?.stop();
    await this.ingest.settle();
    await this.ownership
      .stop()
      .catch((err: unknown) =>
        this.logger.warn({ err }, "marking this bridge's terminals offline at shutdown failed"),
      );
  }
}
