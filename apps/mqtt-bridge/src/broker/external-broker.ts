import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { ComponentHealth } from '#contracts';
import { redactUrl } from '#platform';

/**
 * A connection to the cluster's broker (Mosquitto or EMQX). A broker outage must not take
 * dispatch down: the client reconnects on its own and health reports it.
 */
export class ExternalBroker {
  private lastError: string | undefined;

  private constructor(
    readonly client: MqttClient,
    private readonly url: string,
  ) {}

  static connect(url: string, clientId: string, logger: Logger): ExternalBroker {
    const client = mqtt.connect(url, {
      clientId,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 2000,
      connectTimeout: 5000,
    });
    const broker = new ExternalBroker(client, url);
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

  health(): ComponentHealth {
    return {
      status: this.client.connected ? 'up' : 'down',
      driver: 'external',
      detail: { url: redactUrl(this.url) },
      ...(this.client.connected ? {} : { error: this.lastError ?? 'not connected' }),
    };
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
  }
}
