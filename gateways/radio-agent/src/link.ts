import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  RADIO_CMD_LEAF,
  RadioCmdSchema,
  terminalTopics,
  TOPIC_ROOT,
  type RadioCmd,
  type RadioEvent,
  type RadioJoin,
  type RadioState,
} from '#contracts';
import { Backoff } from './backoff.js';

export type LinkEvent =
  | { type: 'connected'; sessionPresent: boolean }
  | { type: 'disconnected'; retryInMs: number }
  | { type: 'error'; message: string }
  | { type: 'rejected'; topic: string; reason: string };

export interface LinkOptions {
  url: string;
  id: string;
  secret: string;
  mqtt5?: boolean;
  mqtt?: IClientOptions;
  backoff?: Backoff;
  /** what to announce on every connect */
  join(): RadioJoin;
  /** the current state, re-sent on every connect (the hub may have missed changes) */
  state(): RadioState;
  onCmd(cmd: RadioCmd): void;
  /** the control link is gone (close or offline): the caller must unkey */
  onDown(): void;
  event(e: LinkEvent): void;
}

/** a command is one small JSON object; anything bigger is not one */
const MAX_CMD_BYTES = 4096;
const SESSION_EXPIRY_S = 30 * 24 * 3600;

export const radioTopics = (id: string) => ({
  cmd: `${TOPIC_ROOT}/${id}/radio/${RADIO_CMD_LEAF}`,
  join: `${TOPIC_ROOT}/${id}/radio/join`,
  state: `${TOPIC_ROOT}/${id}/radio/state`,
  events: `${TOPIC_ROOT}/${id}/radio/events`,
  status: terminalTopics(id).status,
});

/**
 * The gateway's control link, device protocol v1 with the radio additions: clientId =
 * username = terminal id, a persistent session, a retained `offline` Will. On every
 * connect: subscribe to `radio/cmd` (QoS 1), then `radio/join` (so the hub can send `media`
 * knowing we listen), then retained `online` and the current `radio/state`.
 */
export class RadioLink {
  private client: MqttClient | undefined;
  readonly topics: ReturnType<typeof radioTopics>;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private onReady: (() => void) | undefined;
  /** commands refused (bad JSON, schema, size), for stats */
  rejected = 0;

  constructor(private readonly o: LinkOptions) {
    this.topics = radioTopics(o.id);
    this.backoff = o.backoff ?? new Backoff();
  }

  get connected(): boolean {
    return !!this.client?.connected;
  }

  /** resolves once first joined; later drops reconnect on their own */
  start(): Promise<void> {
    const { id, secret } = this.o;
    const client = mqtt.connect(this.o.url, {
      clientId: id,
      username: id,
      password: secret,
      clean: false,
      protocolVersion: this.o.mqtt5 ? 5 : 4,
      ...(this.o.mqtt5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_S } } : {}),
      // short: a dead link is noticed within ~20 s even with no audio flowing
      keepalive: 15,
      connectTimeout: 10_000,
      reconnectPeriod: 0,
      will: { topic: this.topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...this.o.mqtt,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('connect', (connack) => this.onConnect(connack.sessionPresent));
    client.on('error', (err) => this.o.event({ type: 'error', message: err.message }));
    client.on('close', () => this.down());
    client.on('offline', () => this.down());
    return new Promise((resolve) => (this.onReady = resolve));
  }

  publishState(state: RadioState): void {
    // only while up: the state is re-sent whole on the next connect, a stale one is noise
    if (this.client?.connected) this.client.publish(this.topics.state, JSON.stringify(state), { qos: 1 });
  }

  /** DTMF and emergency: QoS 1 and queued while the link is down (an emergency must arrive) */
  publishEvent(event: RadioEvent): void {
    this.client?.publish(this.topics.events, JSON.stringify(event), { qos: 1 }, () => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (!client) return;
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<void>((r) => setTimeout(r, 3000).unref())]);
    if (client.connected)
      await within(client.publishAsync(this.topics.status, 'offline', { qos: 1, retain: true })).catch(
        () => undefined,
      );
    await within(client.endAsync(!client.connected)).catch(() => undefined);
    if (!client.disconnected) client.end(true);
  }

  /** the link dropped without a word (tests: a cable pulled) */
  kill(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.client?.stream.destroy();
    this.client?.end(true);
  }

  private down(): void {
    this.o.onDown();
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.o.event({ type: 'disconnected', retryInMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.client?.reconnect();
    }, delay);
  }

  private onConnect(sessionPresent: boolean): void {
    this.backoff.reset();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client!;
    this.o.event({ type: 'connected', sessionPresent });
    client.subscribe(this.topics.cmd, { qos: 1 }, (err, granted) => {
      if (err || granted?.some((g) => g.qos === 128))
        return this.o.event({
          type: 'error',
          message: `subscribe ${this.topics.cmd}: ${err?.message ?? 'refused'}`,
        });
      client.publish(this.topics.join, JSON.stringify(this.o.join()), { qos: 1 });
      client.publish(this.topics.status, 'online', { qos: 1, retain: true });
      client.publish(this.topics.state, JSON.stringify(this.o.state()), { qos: 1 }, () => {
        this.onReady?.();
        this.onReady = undefined;
      });
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const reject = (reason: string) => {
      this.rejected++;
      this.o.event({ type: 'rejected', topic, reason });
    };
    if (topic !== this.topics.cmd) return reject('unexpected topic');
    if (payload.length > MAX_CMD_BYTES) return reject('too large');
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return reject('malformed JSON');
    }
    const parsed = RadioCmdSchema.safeParse(json);
    if (!parsed.success) return reject(`wrong schema: ${parsed.error.issues[0]?.message ?? ''}`.trim());
    this.o.onCmd(parsed.data as RadioCmd);
  }
}
