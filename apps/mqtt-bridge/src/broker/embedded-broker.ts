import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { TOPIC_ROOT, type ComponentHealth } from '#contracts';
import { deviceMaySubscribe, devicePublishDenial } from '#domain';
import { StartupError } from '#platform';
import type { RejectReason } from '../bridge/bridge-metrics.js';
import type { BrokerLink, DeviceMessageHandler, PresenceHandler } from './broker-link.js';

/**
 * aedes' connected clients by id (the map exists but is not in its typings), with the
 * granted subscriptions and the session's next packet id (aedes' own counter, shared here).
 */
type SessionClient = Client & {
  subscriptions: Record<string, { qos?: number } | undefined>;
  _nextId: number;
};

/** How the embedded broker asks the bridge who may connect, and tells it what it refused. */
export interface DeviceGate {
  /** null to admit; otherwise why not */
  authenticate(
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<RejectReason | null>;
  rejected(reason: RejectReason, clientId: string | null, detail?: string): void;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  wsPort?: number;
  tls?: { port: number; certFile: string; keyFile: string };
  logger: Logger;
  gate: DeviceGate;
}

type Closable = { close(cb: () => void): unknown };

function listen(server: Server | WebSocketServer, port: number, host: string, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          err.code === 'EADDRINUSE'
            ? `port ${port} is in use (${name}); set ${name} to a free port, or MQTT_URL to use the broker already listening there`
            : `cannot listen on port ${port} (${name}): ${err.message}`,
        ),
      );
    if (server instanceof WebSocketServer) {
      server.once('error', onError);
      server.once('listening', () => resolve());
    } else {
      server.once('error', onError);
      server.listen(port, host, () => resolve());
    }
  });
}

/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1) for a hub with no outside services: TCP on
 * MQTT_PORT, optionally WebSocket and mqtts. Devices log in with clientId = username =
 * terminal id and the terminal secret; the device ACL (libs/domain device-acl) decides
 * every subscribe and publish. The bridge itself talks to aedes in-process.
 */
export class EmbeddedBroker implements BrokerLink {
  private readonly servers: Closable[] = [];
  private presence: PresenceHandler = () => undefined;
  /** acks and statuses, taken straight from the device's PUBLISH (see authorizePublish) */
  private deviceMessage: DeviceMessageHandler | undefined;

  private constructor(
    readonly aedes: Aedes,
    readonly port: number,
    private readonly logger: Logger,
  ) {}

  static async start(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
    const { gate, logger } = options;
    // the hooks below run only once clients connect, after the broker object exists
    let broker: EmbeddedBroker;
    // device acks and statuses the bridge has taken (authorizePublish): see the publish wrapper below
    const taken = new WeakSet<object>();
    const aedes = await Aedes.createBroker({
      // aedes' default (100 deliveries in flight) parks the rest of a burst in mqemitter's
      // array queue, whose shift() copies the whole array once it is large: a 10,000
      // terminal fan-out and its 20,000 acks spent ~0.8 s of the hub's one thread there.
      // Unbounded here: the queue held the same messages anyway, only slower to take out.
      concurrency: 0,
      authenticate: (client, username, password, done) => {
        gate.authenticate(client.id, username, password).then(
          (reason) => {
            if (!reason) return done(null, true);
            gate.rejected(reason, client.id);
            // [MQTT-3.2.2-5]: 2 = identifier rejected, 4 = bad user name or password
            const returnCode = reason === 'client_id_mismatch' ? 2 : 4;
            done(Object.assign(new Error(reason), { returnCode }) as never, false);
          },
          (err: Error) => {
            logger.error({ err }, 'terminal authentication failed');
            done(Object.assign(new Error('server unavailable'), { returnCode: 3 }) as never, false);
          },
        );
      },
      authorizeSubscribe: (client, sub, done) => {
        if (deviceMaySubscribe(client.id, sub.topic))
          return done(null, { ...sub, qos: Math.min(sub.qos, 1) as 0 | 1 });
        gate.rejected('subscribe_denied', client.id, sub.topic);
        // a null subscription answers SUBACK 0x80 and keeps the connection [MQTT-3.9.3]
        done(null, null);
      },
      authorizePublish: (client, packet, done) => {
        // 3.1.1 has no negative PUBACK: an unauthorised PUBLISH ends the connection [MQTT-3.3.5-2 allows either]
        if (!client) return done(new Error('no client'));
        const denial = devicePublishDenial(
          client.id,
          packet.topic,
          packet.payload?.length ?? 0,
          packet.retain,
        );
        if (!denial) {
          // A retained status (and the retained Will) is kept by no one here: only the bridge
          // may read status topics, and it sees each one live; this broker's memory dies with
          // the hub. Stored, every SUBSCRIBE scanned all of them: 10,000 terminals took 105 s
          // to connect instead of a few.
          packet.retain = false;
          // The bridge is the only reader of acks and statuses, so it takes them here rather
          // than through a subscription: routing 20,000 acks of a fan-out through aedes'
          // matcher to one in-process subscriber cost the hub's thread for nothing. The
          // PUBACK still follows only once aedes has processed the PUBLISH.
          broker.takeDeviceMessage(packet.topic, packet.payload as Buffer);
          taken.add(packet);
          return done(null);
        }
        gate.rejected(denial, client.id, packet.topic.slice(0, 200));
        done(new Error(denial));
      },
      // the bridge's own publishes never go back to it as device input, and a device
      // receives nothing it did not subscribe to under its own id
      authorizeForward: (client: Client, packet) => {
        if (packet.topic.startsWith(`${TOPIC_ROOT}/${client.id}/`)) return packet;
        return null;
      },
    });
    // A device's PUBLISH the bridge has taken ends once aedes has answered it (PUBACK for
    // QoS 1): nobody else may read acks and statuses (the device ACL), so routing them (a
    // packet copy, the offline-session lookup, the matcher, the \`publish\` event) did work
    // for no reader, 20,000 times a fan-out, on the thread that sends the directive.
    // aedes' PUBLISH handler calls its own publish(); the typings know only two arguments.
    type Route = (packet: object, client: unknown, done?: (err?: Error) => void) => void;
    const route = (aedes.publish as unknown as Route).bind(aedes);
    (aedes as unknown as { publish: Route }).publish = (packet, client, done) => {
      if (typeof client !== 'function' && taken.delete(packet)) return done?.();
      return route(packet, client, done);
    };
    broker = new EmbeddedBroker(aedes, options.port, logger);
    aedes.on('clientReady', (client) => broker.presence(client.id, 'connected'));
    aedes.on('subscribe', (subscriptions, client) => {
      if (client && subscriptions.some((sub) => sub.topic === `${TOPIC_ROOT}/${client.id}/directives`))
        broker.presence(client.id, 'subscribed');
    });
    aedes.on('clientDisconnect', (client) => broker.presence(client.id, 'disconnected'));
    aedes.on('clientError', (client, err) =>
      logger.debug({ clientId: client.id, err: err.message }, 'MQTT client error'),
    );
    aedes.on('connectionError', (_client, err) =>
      logger.debug({ err: err.message }, 'MQTT connection error'),
    );

    try {
      const tcp = createServer(aedes.handle);
      broker.servers.push(tcp);
      await listen(tcp, options.port, options.host, 'MQTT_PORT');
      if (options.wsPort) {
        const ws = new WebSocketServer({ host: options.host, port: options.wsPort });
        ws.on('connection', (socket, req) => aedes.handle(createWebSocketStream(socket), req));
        broker.servers.push(ws);
        await listen(ws, options.wsPort, options.host, 'MQTT_WS_PORT');
      }
      if (options.tls) {
        let cert: Buffer;
        let key: Buffer;
        try {
          cert = readFileSync(options.tls.certFile);
          key = readFileSync(options.tls.keyFile);
        } catch (err) {
          throw new StartupError(`cannot read MQTT_TLS_CERT/MQTT_TLS_KEY: ${(err as Error).message}`);
        }
        const tls = createTlsServer({ cert, key }, aedes.handle);
        broker.servers.push(tls);
        await listen(tls as unknown as Server, options.tls.port, options.host, 'MQTT_TLS_PORT');
      }
    } catch (err) {
      await broker.stop();
      throw err;
    }
    logger.info(
      { port: options.port, wsPort: options.wsPort, tlsPort: options.tls?.port },
      'embedded MQTT broker listening',
    );
    return broker;
  }

  publish(
    topic: string,
    payload: string,
    options: { qos: 0 | 1; retain?: boolean; terminal?: string },
  ): Promise<void> {
    // A terminal's own topic while it is connected and subscribed: written to its socket here.
    const client = options.terminal ? this.client(options.terminal) : undefined;
    const granted = client?.connected && !options.retain ? client.subscriptions[topic] : undefined;
    if (client && granted) return this.writeToSession(client, topic, payload, options.qos, granted.qos ?? 0);
    // Otherwise through aedes, which queues it for an offline persistent session.
    const packet = {
      cmd: 'publish' as const,
      topic,
      payload: Buffer.from(payload),
      qos: options.qos,
      retain: options.retain ?? false,
      dup: false,
    };
    return new Promise((resolve, reject) => {
      this.aedes.publish(packet, (err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * The PUBLISH goes straight onto the terminal's socket, at the QoS it was granted, with a
   * packet id from the session's own counter (aedes numbers its packets from the same one,
   * so the two never collide). aedes' routing would have matched the topic against 20,000
   * subscriptions, and its delivery kept a copy of each QoS 1 message in the session's
   * in-flight store until the PUBACK, behind two promises and two event-loop turns per
   * message: work for a store this broker does not need, because the outbox in the
   * database is the store (every reconnect replays what is unacknowledged, whatever the
   * broker remembers). The device's PUBACK still reaches aedes, which finds nothing to
   * clear. Resolves once the socket took the packet, or after a full buffer drained.
   */
  private writeToSession(
    client: SessionClient,
    topic: string,
    payload: string,
    qos: 0 | 1,
    grantedQos: number,
  ): Promise<void> {
    const atQos = Math.min(qos, grantedQos) as 0 | 1;
    let messageId: number | undefined;
    if (atQos > 0) {
      messageId = client._nextId;
      client._nextId = messageId >= 65535 ? 1 : messageId + 1;
    }
    const packet = {
      cmd: 'publish' as const,
      topic,
      payload: Buffer.from(payload),
      qos: atQos,
      messageId,
      retain: false,
      dup: false,
    };
    const conn = client.conn as unknown as NodeJS.WritableStream & { destroyed?: boolean };
    return new Promise((resolve, reject) => {
      const closed = () => reject(new Error('connection closed'));
      if (conn.destroyed) return closed();
      let flushed: boolean;
      try {
        flushed = mqttPacket.writeToStream(packet, conn);
      } catch (err) {
        return reject(err as Error);
      }
      if (flushed) return resolve();
      // a device that reads slowly: the next message waits for its socket (or its end)
      const settle = (ok: boolean) => {
        conn.removeListener('drain', onDrain);
        conn.removeListener('close', onClose);
        if (ok) resolve();
        else closed();
      };
      // a socket destroyed with writes pending may still say `drain` as it empties its buffer
      const onDrain = () => settle(!conn.destroyed);
      const onClose = () => settle(false);
      conn.once('drain', onDrain);
      conn.once('close', onClose);
    });
  }

  private client(id: string): SessionClient | undefined {
    return (this.aedes as unknown as { clients: Record<string, SessionClient | undefined> }).clients[id];
  }

  async onDeviceMessage(handler: DeviceMessageHandler): Promise<void> {
    this.deviceMessage = handler;
  }

  private takeDeviceMessage(topic: string, payload: Buffer): void {
    // the ACL let through only the device's own acks and status; DeviceIngest checks the rest
    if (!this.deviceMessage) return;
    try {
      this.deviceMessage(topic, payload);
    } catch (err) {
      this.logger.error({ err, topic }, 'device message handler failed');
    }
  }

  onPresence(handler: PresenceHandler): void {
    this.presence = handler;
  }

  disconnect(terminalId: string): void {
    this.client(terminalId)?.close();
  }

  health(): ComponentHealth {
    return {
      status: 'up',
      driver: 'aedes',
      detail: { port: this.port, clients: this.aedes.connectedClients },
    };
  }

  async stop(): Promise<void> {
    // aedes first: it closes every client, and a server only finishes closing once its sockets have
    if (!this.aedes.closed) await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    for (const server of this.servers.splice(0)) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
