import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  terminalTopics,
  TerminalDirectiveMessageSchema,
  TerminalNoticeMessageSchema,
  type TerminalTelemetry,
} from '#contracts';
import { Backoff } from './backoff.js';
import type { AckState, Inbox, InboxEntry } from './inbox.js';

export interface AgentHooks {
  /** a new directive or notice, to show (and speak) once */
  show?(entry: InboxEntry): void;
  /** connection changes and refused input, for the operator's log */
  event?(event: AgentEvent): void;
}

export type AgentEvent =
  /** sessionPresent: the broker kept this terminal's session (and what it queued) since last time */
  | { type: 'connected'; sessionPresent: boolean }
  | { type: 'disconnected'; retryInMs: number }
  | { type: 'error'; message: string }
  | { type: 'rejected'; topic: string; reason: string }
  | { type: 'acked'; messageId: string; state: AckState };

export interface AgentOptions {
  url: string;
  id: string;
  secret: string;
  inbox: Inbox;
  hooks?: AgentHooks;
  /** read now and then; reported (retained, on status) when it changes */
  telemetry?: () => TerminalTelemetry | undefined;
  telemetryIntervalMs?: number;
  backoff?: Backoff;
  /** extra mqtt.js options, e.g. a CA for mqtts */
  mqtt?: IClientOptions;
  /** MQTT 5 where the broker has it: a session that outlives 30 days offline */
  mqtt5?: boolean;
}

const SESSION_EXPIRY_S = 30 * 24 * 3600;

/**
 * A 一呼百应 terminal speaking device protocol v1 (docs/device-protocol-v1.md):
 * clientId = username = terminal id, a persistent session, a retained `offline` Will;
 * on every connect it subscribes to its directives (and notices), then says `online` and
 * reports telemetry. Every message is stored before it is acked `received`, shown once
 * (de-duplicated by messageId), and acked `acknowledged` only when a person confirms 签收.
 * A duplicate is not shown again, but its latest ack state is sent again: that heals acks
 * lost while the link was down.
 */
export class TerminalAgent {
  private client: MqttClient | undefined;
  private readonly topics: ReturnType<typeof terminalTopics>;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private telemetryTimer: NodeJS.Timeout | undefined;
  private lastTelemetry = '';
  private stopped = false;
  private onReady: (() => void) | undefined;

  constructor(private readonly options: AgentOptions) {
    this.topics = terminalTopics(options.id);
    this.backoff = options.backoff ?? new Backoff();
  }

  get connected(): boolean {
    return !!this.client?.connected;
  }

  get id(): string {
    return this.options.id;
  }

  /** Starts connecting; resolves once first subscribed and `online` (later drops reconnect on their own). */
  start(): Promise<void> {
    // anything stored but not shown when the last run ended (a cut between store and show)
    for (const entry of this.options.inbox.list()) if (!entry.shown) this.display(entry);
    const { id, secret } = this.options;
    const client = mqtt.connect(this.options.url, {
      clientId: id,
      username: id,
      password: secret,
      clean: false,
      protocolVersion: this.options.mqtt5 ? 5 : 4,
      ...(this.options.mqtt5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_S } } : {}),
      keepalive: 60,
      connectTimeout: 10_000,
      // reconnects are ours, with backoff
      reconnectPeriod: 0,
      will: { topic: this.topics.status, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...this.options.mqtt,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('connect', (connack) => this.onConnect(connack.sessionPresent));
    client.on('error', (err) => this.emit({ type: 'error', message: err.message }));
    client.on('close', () => this.scheduleReconnect());
    if (this.options.telemetry) {
      this.telemetryTimer = setInterval(
        () => this.reportTelemetry(false),
        this.options.telemetryIntervalMs ?? 60_000,
      );
      this.telemetryTimer.unref();
    }
    return new Promise((resolve) => (this.onReady = resolve));
  }

  /** A clean stop: says `offline` itself (a clean DISCONNECT sends no Will). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.telemetryTimer);
    const client = this.client;
    if (!client) return;
    // a broker that stopped answering must not hold a shutdown forever
    const within = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<void>((r) => setTimeout(r, 3000).unref())]);
    if (client.connected) {
      await within(client.publishAsync(this.topics.status, 'offline', { qos: 1, retain: true })).catch(
        () => undefined,
      );
    }
    await within(client.endAsync(!client.connected)).catch(() => undefined);
    if (!client.disconnected) client.end(true);
  }

  /** The link dropped without a word (tests: a cable pulled, a crash the broker notices). */
  kill(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.telemetryTimer);
    this.client?.stream.destroy();
    this.client?.end(true);
  }

  /** Directives waiting for 签收, oldest first (cancelled and expired ones are not). */
  pending(): InboxEntry[] {
    const entries = this.options.inbox.list();
    const cancelled = new Set(
      entries
        .filter((e) => e.topic === 'notices' && e.message.kind === 'cancel')
        .map((e) => e.message.directiveId),
    );
    const now = Date.now();
    return entries.filter(
      (e) =>
        e.topic === 'directives' &&
        e.state !== 'acknowledged' &&
        !cancelled.has(e.message.directiveId) &&
        !(e.message.expiresAt && Date.parse(e.message.expiresAt) <= now),
    );
  }

  /**
   * 签收 by a person. Also covers the directive's other messages (an escalation re-sends a
   * directive with a new messageId): one 签收 answers them all. Returns what was acknowledged.
   */
  acknowledge(messageId?: string): InboxEntry[] {
    const target = messageId ? this.options.inbox.get(messageId) : this.pending()[0];
    if (!target || target.topic !== 'directives') return [];
    const directiveId = target.message.directiveId;
    const done: InboxEntry[] = [];
    for (const entry of this.options.inbox.list()) {
      if (
        entry.topic !== 'directives' ||
        entry.message.directiveId !== directiveId ||
        entry.state === 'acknowledged'
      )
        continue;
      this.options.inbox.update(entry.message.messageId, { state: 'acknowledged' });
      this.sendAck(entry.message.messageId, 'acknowledged');
      done.push(entry);
    }
    return done;
  }

  private emit(event: AgentEvent): void {
    this.options.hooks?.event?.(event);
  }

  private onConnect(sessionPresent: boolean): void {
    this.backoff.reset();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.client!;
    // notices are an addition to v1: a hub without them refuses the subscription, which is
    // fine. Subscribed before directives, so it is in place when the hub starts replaying.
    client.subscribe(this.topics.notices, { qos: 1 }, () => undefined);
    // [protocol v1, device duty 1] subscribe first, then say online: the hub replays on it
    client.subscribe(this.topics.directives, { qos: 1 }, (err) => {
      if (err) return this.emit({ type: 'error', message: `subscribe: ${err.message}` });
      client.publish(this.topics.status, 'online', { qos: 1, retain: true }, () => {
        this.onReady?.();
        this.onReady = undefined;
      });
      this.lastTelemetry = '';
      this.reportTelemetry(true);
    });
    this.emit({ type: 'connected', sessionPresent });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.emit({ type: 'disconnected', retryInMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.client?.reconnect();
    }, delay);
  }

  private reportTelemetry(force: boolean): void {
    const t = this.options.telemetry?.();
    if (!t || !this.client?.connected) return;
    const text = JSON.stringify(t);
    if (!force && text === this.lastTelemetry) return;
    this.lastTelemetry = text;
    this.client.publish(this.topics.status, text, { qos: 1, retain: true });
  }

  private sendAck(messageId: string, state: AckState): void {
    // QoS 1: mqtt.js keeps it while the link is down; if it is lost anyway, the hub's
    // replay of the unacknowledged message makes us send it again (duplicate path)
    this.client?.publish(
      this.topics.acks,
      JSON.stringify({ messageId, state, at: new Date().toISOString() }),
      { qos: 1 },
      () => undefined,
    );
    this.emit({ type: 'acked', messageId, state });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const leaf =
      topic === this.topics.directives ? 'directives' : topic === this.topics.notices ? 'notices' : null;
    if (!leaf) return this.emit({ type: 'rejected', topic, reason: 'unexpected topic' });
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.emit({ type: 'rejected', topic, reason: 'malformed JSON' });
    }
    const parsed =
      leaf === 'directives'
        ? TerminalDirectiveMessageSchema.safeParse(json)
        : TerminalNoticeMessageSchema.safeParse(json);
    if (!parsed.success) return this.emit({ type: 'rejected', topic, reason: 'wrong schema' });
    const message = parsed.data;
    const known = this.options.inbox.get(message.messageId);
    if (known) {
      // [protocol v1, device duty 3] never shown again; the latest ack state goes out again
      this.sendAck(message.messageId, known.state);
      return;
    }
    const entry = {
      topic: leaf,
      message,
      state: 'received',
      arrivedAt: new Date().toISOString(),
      shown: false,
    } as InboxEntry;
    // [device duty 2] durable first, then `received`
    this.options.inbox.add(entry);
    this.sendAck(message.messageId, 'received');
    this.display(entry);
  }

  private display(entry: InboxEntry): void {
    try {
      this.options.hooks?.show?.(entry);
    } finally {
      this.options.inbox.update(entry.message.messageId, { shown: true });
    }
  }
}
