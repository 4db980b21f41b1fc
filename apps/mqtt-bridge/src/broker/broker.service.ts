import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig, HealthRegistry, LOGGER } from '#platform';
import { EmbeddedBroker } from './embedded-broker.js';
import { ExternalBroker } from './external-broker.js';

/** Owns the MQTT side: the embedded broker, or a connection to the external one (MQTT_URL). */
@Injectable()
export class BrokerService implements OnModuleInit, OnApplicationShutdown {
  private embedded: EmbeddedBroker | undefined;
  private external: ExternalBroker | undefined;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly health: HealthRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const { MQTT_URL, MQTT_PORT, MQTT_HOST } = this.config.raw;
    if (MQTT_URL) {
      this.external = ExternalBroker.connect(MQTT_URL, `yihu-bridge-${this.config.instanceId}`, this.logger);
    } else {
      this.embedded = await EmbeddedBroker.start({ host: MQTT_HOST, port: MQTT_PORT, logger: this.logger });
    }
    this.health.register('broker', async () => (this.embedded ?? this.external)!.health());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
    await this.external?.stop();
  }
}
