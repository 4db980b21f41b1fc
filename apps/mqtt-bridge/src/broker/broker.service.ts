import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig, HealthRegistry, LOGGER, StartupError } from '#platform';
import { BridgeMetrics } from '../bridge/bridge-metrics.js';
import { DeviceIngest } from '../bridge/device-ingest.js';
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
      this.link = await EmbeddedBroker.start({
        host: raw.MQTT_HOST,
        port: raw.MQTT_PORT,
        wsPort: raw.MQTT_WS_PORT,
        tls: raw.MQTT_TLS_PORT
          ? { port: raw.MQTT_TLS_PORT, certFile: raw.MQTT_TLS_CERT!, keyFile: raw.MQTT_TLS_KEY! }
          : undefined,
        logger: this.logger,
        gate: {
          authenticate: (clientId, username, password) =>
            this.registry.authenticate(clientId, username, password),
          rejected: (reason, clientId, detail) => {
            this.metrics.reject(reason);
            this.logger.debug({ reason, clientId, detail }, 'MQTT input refused');
          },
        },
      });
    }
    const link = this.link;
    if (!raw.MQTT_URL) this.delivery.useConnectionEvents();
    link.onPresence((id, event) => this.ingest.connection(id, event));
    // the retained statuses that arrive with the re-subscription then replay to every device that is there
    link.onReconnect?.(() => this.delivery.forgetPresence());
    this.registry.onRevoked((id) => link.disconnect(id));
    await this.delivery.attach(link);
    // A bridge starting after a crash may have PUBACKed device acks it never recorded; the
    // retained statuses that come with its subscription must replay to every device, even
    // where a replay claim from before the crash (its own, moments ago) is still fresh.
    if (raw.MQTT_URL) this.delivery.forgetPresence();
    await link.onDeviceMessage((topic, payload) => this.ingest.message(topic, payload));
    this.health.register('broker', async () => ({
      ...link.health(),
      detail: { ...link.health().detail, terminalsOnline: this.delivery.onlineCount() },
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.link?.stop();
  }
}
