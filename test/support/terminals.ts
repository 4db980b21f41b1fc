import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { TerminalDirectiveMessage } from '#contracts';
import { mosquittoConf } from '../../apps/mqtt-bridge/src/broker/mosquitto-config.js';
import { Api } from './api.js';
import { fetchMetrics, TEST_METRICS_TOKEN } from './hub-process.js';

/** The environment of a hub started in the test process (startApp), on its own data dir and port. */
export function inProcessHubEnv(dataDir: string, port: number): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    MQTT_HOST: '127.0.0.1',
    ADMIN_PASSWORD: 'admin-password-1',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    SFU_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    // the day's automatic round of daily reports would land in every test between 16:00 and 24:00 UTC
    DAILY_REPORT_ROUNDS: 'off',
  };
}

export interface Credentials {
  id: string;
  secret: string;
}

/** Provisions a terminal through the REST API. */
export async function provision(
  api: Api,
  siteId: string,
  name = 'terminal',
  kind: 'push' | 'radio' = 'push',
): Promise<Credentials> {
  const res = await api.post<Credentials>('/api/v1/terminals', { name, siteId, kind });
  if (res.status !== 201) throw new Error(`provision failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export const topics = (id: string) => ({
  directives: `yihu/v1/terminals/${id}/directives`,
  acks: `yihu/v1/terminals/${id}/acks`,
  status: `yihu/v1/terminals/${id}/status`,
  notices: `yihu/v1/terminals/${id}/notices`,
});

/** A device as the protocol describes it: persistent session, Will, status, acks. */
export class TestDevice {
  readonly received: TerminalDirectiveMessage[] = [];
  /** every topic a message arrived on */
  readonly topicsSeen = new Set<string>();
  closed = false;
  private constructor(
    readonly creds: Credentials,
    readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload) => {
      this.topicsSeen.add(topic);
      if (topic === topics(creds.id).directives)
        this.received.push(JSON.parse(payload.toString()) as TerminalDirectiveMessage);
    });
    client.on('close', () => (this.closed = true));
  }

  static async connect(url: string, creds: Credentials, extra: IClientOptions = {}): Promise<TestDevice> {
    const device = await TestDevice.open(url, creds, extra);
    await device.client.subscribeAsync(topics(creds.id).directives, { qos: 1 });
    await device.client.publishAsync(topics(creds.id).status, 'online', { qos: 1, retain: true });
    return device;
  }

  /** connected only: not subscribed, and not yet `online` (a device's duties 1 left to the test) */
  static async open(url: string, creds: Credentials, extra: IClientOptions = {}): Promise<TestDevice> {
    const client = mqtt.connect(url, {
      clientId: creds.id,
      username: creds.id,
      password: creds.secret,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      will: { topic: topics(creds.id).status, payload: Buffer.from('offline'), qos: 1, retain: true },
      ...extra,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const device = new TestDevice(creds, client);
    client.on('error', () => undefined);
    return device;
  }

  /**
   * Device duty 2 (docs/device-protocol-v1.md): confirm each directive `received` as it
   * arrives, once per messageId. A device that never confirms gets the hub's follow-ups and
   * resends by design, which a test counting copies must not mistake for a double send.
   */
  confirmReceipts(): this {
    const confirmed = new Set<string>();
    this.client.on('message', (topic, payload) => {
      if (topic !== topics(this.creds.id).directives) return;
      const { messageId } = JSON.parse(payload.toString()) as TerminalDirectiveMessage;
      if (confirmed.has(messageId)) return;
      confirmed.add(messageId);
      void this.ack(messageId, 'received').catch(() => undefined);
    });
    return this;
  }

  /** SUBACK return code for one filter (128 = refused) */
  async trySubscribe(filter: string): Promise<number> {
    return this.client.subscribeAsync(filter, { qos: 1 }).then(
      (granted) => granted[0]!.qos,
      (err: Error) => {
        if (/Unspecified error|128/.test(err.message)) return 128;
        throw err;
      },
    );
  }

  async ack(messageId: string, state: 'received' | 'acknowledged'): Promise<void> {
    await this.client.publishAsync(
      topics(this.creds.id).acks,
      JSON.stringify({ messageId, state, at: new Date().toISOString() }),
      { qos: 1 },
    );
  }

  /** a clean disconnect sends no Will, so a device says "offline" itself first */
  async end(): Promise<void> {
    if (this.client.connected)
      await this.client.publishAsync(topics(this.creds.id).status, 'offline', { qos: 1, retain: true });
    await this.client.endAsync(true);
  }
}

/** Connecting must fail; resolves with the error message. */
export async function connectRefused(url: string, options: IClientOptions): Promise<string> {
  const client = mqtt.connect(url, {
    reconnectPeriod: 0,
    connectTimeout: 5000,
    protocolVersion: 4,
    ...options,
  });
  return new Promise<string>((resolve, reject) => {
    client.once('connect', () => {
      client.end(true);
      reject(new Error('connected, but should have been refused'));
    });
    client.once('error', (err) => {
      client.end(true);
      resolve(err.message);
    });
  });
}

export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads one labelled counter from /metrics. */
export async function counter(baseUrl: string, name: string, label: string): Promise<number> {
  const text = await (await fetchMetrics(baseUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** A Mosquitto of our own on a spare port, with the config the bridge documents (auth files in `dir`). */
export interface MosquittoProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** SIGKILL and start again on the same port (it remembers nothing: persistence is off) */
  restart(): Promise<void>;
  stop(): void;
}

export async function startMosquitto(dir: string, port: number): Promise<MosquittoProcess> {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    mosquittoConf({
      port,
      host: '127.0.0.1',
      authDir: dir,
      user: process.getuid?.() === 0 ? 'root' : undefined,
    }),
  );
  const launch = async () => {
    const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    writeFileSync(join(dir, 'mosquitto.pid'), String(child.pid));
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const s = createConnection(port, '127.0.0.1', () => (s.end(), resolve(true)));
          s.on('error', () => resolve(false));
        }),
      'mosquitto listening',
      10_000,
    );
    return child;
  };
  const m: MosquittoProcess = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    child: await launch(),
    restart: async () => {
      const old = m.child;
      const gone = new Promise((r) => old.once('exit', r));
      old.kill('SIGKILL');
      await gone;
      m.child = await launch();
    },
    stop: () => void m.child.kill('SIGTERM'),
  };
  return m;
}
