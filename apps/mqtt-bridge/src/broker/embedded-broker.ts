import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { ComponentHealth } from '#contracts';
import { StartupError } from '#platform';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  logger: Logger;
}

/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1) for a hub with no outside services.
 * Until terminals are provisioned (the MQTT bridge issue) it admits no device: every
 * CONNECT is refused with "bad username or password" [MQTT-3.2.2-5 return code 4].
 */
export class EmbeddedBroker {
  private constructor(
    readonly aedes: Aedes,
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const aedes = await Aedes.createBroker({
      authenticate: (_client, _username, _password, done) => {
        const err = Object.assign(new Error('bad username or password'), { returnCode: 4 });
        done(err as never, false);
      },
    });
    const server = createServer(aedes.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        aedes.close();
        reject(
          new StartupError(
            err.code === 'EADDRINUSE'
              ? `port ${options.port} is in use (MQTT_PORT); set MQTT_PORT to a free port, or MQTT_URL to use the broker already listening there`
              : `cannot listen on port ${options.port} (MQTT_PORT): ${err.message}`,
          ),
        );
      });
      server.listen(options.port, options.host, () => resolve());
    });
    options.logger.info({ port: options.port }, 'embedded MQTT broker listening');
    return new EmbeddedBroker(aedes, server, options.port);
  }

  health(): ComponentHealth {
    return { status: 'up', driver: 'aedes', detail: { port: this.port, clients: this.aedes.connectedClients } };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
  }
}
