import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import type { Logger } from 'pino';
import { TOPIC_ROOT, type ComponentHealth } from '#contracts';
import { StartupError } from '#platform';
import type { BrokerLink, DeviceMessageHandler, PresenceHandler } from './broker-link.js';
import {
  capPacketSize,
  DEFAULT_BROKER_LIMITS,
  parserHasLengthStep,
  PendingConnections,
  type BrokerLimits,
} from './connection-limits.js';
import { deviceHooks, routeUntakenOnly, type DeviceGate } from './embedded-hooks.js';
import { openListeners, type Closable, type ListenerOptions } from './embedded-listeners.js';

export type { DeviceGate } from './embedded-hooks.js';

/**
 * aedes' connected clients by id (the map exists but is not in its typings), with the
 * granted subscriptions and the session's next packet id (aedes' own counter, shared here).
 */
type SessionClient = Client & {
  subscriptions: Record<string, { qos?: number } | undefined>;
  _nextId: number;
};

export interface EmbeddedBrokerOptions extends ListenerOptions {
  logger: Logger;
  gate: DeviceGate;
  /** default: DEFAULT_BROKER_LIMITS */
  limits?: Partial<BrokerLimits>;
}

/** aedes' Client as handle() returns it: its mqtt-packet parser is not in the typings */
type HandledClient = Client & { _parser: mqttPacket.Parser };

/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1) for a hub with no outside services: TCP on
 * MQTT_PORT, optionally WebSocket and mqtts. Devices log in with clientId = username =
 * terminal id and the terminal secret; the device ACL (libs/domain device-acl) decides
 * every subscribe and publish (embedded-hooks.ts). The bridge itself talks to aedes
 * in-process; the sockets are embedded-listeners.ts'.
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
    const limits = { ...DEFAULT_BROKER_LIMITS, ...options.limits };
    if (!parserHasLengthStep(mqttPacket.parser()))
      throw new StartupError('mqtt-packet changed: the embedded broker cannot cap packet sizes with it');
    const pending = new PendingConnections(limits);
    /** each client's place among the sockets not yet authenticated, given up when it is */
    const unauthenticated = new WeakMap<object, () => void>();
    // the hooks below run only once clients connect, after the broker object exists
    let broker: EmbeddedBroker;
    // device acks and statuses the bridge has taken (authorizePublish): see routeUntakenOnly
    const taken = new WeakSet<object>();
    const aedes = await Aedes.createBroker({
      // aedes' default (100 deliveries in flight) parks the rest of a burst in mqemitter's
      // array queue, whose shift() copies the whole array once it is large: a 10,000
      // terminal fan-out and its 20,000 acks spent ~0.8 s of the hub's one thread there.
      // Unbounded here: the queue held the same messages anyway, only slower to take out.
      concurrency: 0,
      connectTimeout: limits.connectTimeoutMs,
      ...deviceHooks({
        gate,
        logger,
        admitted: (client) => unauthenticated.get(client)?.(),
        take: (topic, payload) => broker.takeDeviceMessage(topic, payload),
        taken,
      }),
    });
    routeUntakenOnly(aedes, taken);
    broker = new EmbeddedBroker(aedes, options.port, logger);
    aedes.on('clientReady', (client) => {
      broker.presence(client.id, 'connected');
      // a persistent session restored with its subscriptions (before clientReady): no
      // SUBSCRIBE may follow, and no \`subscribe\` event comes for a restored one
      const restored = (client as unknown as { subscriptions?: Record<string, unknown> }).subscriptions;
      if (restored?.[`${TOPIC_ROOT}/${client.id}/directives`]) broker.presence(client.id, 'subscribed');
    });
    aedes.on('subscribe', (subscriptions, client) => {
      if (client && subscriptions.some((sub) => sub.topic === `${TOPIC_ROOT}/${client.id}/directives`))
        broker.presence(client.id, 'subscribed');
    });
    aedes.on('clientDisconnect', (client) => broker.presence(client.id, 'disconnected'));
    aedes.on('clientError', (client, err) =>
      logger.debug({ clientId: client.id, err: err.message }, 'MQTT client error'),
    );
    aedes.on('connectionError', (_client, err) => {
      // aedes' own words for its connect timer (lib/client.js)
      if (err.message === 'connect did not arrive in time') gate.rejected('connect_timeout', null);
      logger.debug({ err: err.message }, 'MQTT connection error');
    });

    const handle = (conn: Duplex, req: unknown, release: () => void) => {
      const client = aedes.handle(conn as never, req as never) as unknown as HandledClient;
      unauthenticated.set(client, release);
      capPacketSize(client._parser, limits, (first, declared) =>
        gate.rejected(first ? 'connect_too_large' : 'packet_too_large', client.id, String(declared)),
      );
    };
    try {
      await openListeners(options, { limits, pending, gate, logger, handle, servers: broker.servers });
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
