import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import mqtt from 'mqtt';
import { startApp, type StartedApp } from '#platform';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { TerminalAgent, type AgentEvent } from '../../gateways/push-terminal/src/agent.js';
import { Backoff } from '../../gateways/push-terminal/src/backoff.js';
import { MemoryInbox, type InboxEntry } from '../../gateways/push-terminal/src/inbox.js';
import { Api } from '../support/api.js';
import { freePort } from '../support/ports.js';
import {
  inProcessHubEnv,
  provision,
  startMosquitto,
  waitFor,
  type Credentials,
} from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(60_000);

/**
 * The push-terminal agent over the links the device protocol promises besides plain MQTT
 * 3.1.1: mqtts to the embedded broker (the hub's certificate, checked by the agent), and
 * MQTT 5 with a session expiry against Mosquitto (the broker keeps the session while the
 * terminal is away).
 */
const apps: StartedApp[] = [];
const agents: TerminalAgent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});
afterAll(async () => {
  for (const app of apps) await app.stop();
});

async function startHub(env: Record<string, string>): Promise<{ api: Api; siteId: string }> {
  const port = await freePort();
  const app = await startApp('hub', hubApp, {
    ...inProcessHubEnv(join(mkdtempSync(join(tmpdir(), 'yihu-agent-')), 'data'), port),
    ...env,
  });
  apps.push(app);
  const api = await new Api(`http://127.0.0.1:${port}`).login('admin', 'admin-password-1');
  const sites = await api.get<{ id: string }[]>('/api/v1/sites');
  return { api, siteId: sites.body[0]!.id };
}

function agent(
  url: string,
  creds: Credentials,
  extra: Partial<ConstructorParameters<typeof TerminalAgent>[0]> = {},
) {
  const shown: InboxEntry[] = [];
  const events: AgentEvent[] = [];
  const a = new TerminalAgent({
    url,
    id: creds.id,
    secret: creds.secret,
    inbox: new MemoryInbox(),
    backoff: new Backoff(200, 1000),
    hooks: { show: (e) => shown.push(e), event: (e) => events.push(e) },
    ...extra,
  });
  agents.push(a);
  return { agent: a, shown, events };
}

describe('the agent over mqtts to the embedded broker', () => {
  it('trusts the hub by its certificate, gets a test call and 签收s it; a client without the CA is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yihu-tls-'));
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const tlsPort = await freePort();
    const hub = await startHub({
      MQTT_PORT: String(await freePort()),
      MQTT_TLS_PORT: String(tlsPort),
      MQTT_TLS_CERT: cert,
      MQTT_TLS_KEY: key,
    });
    const creds = await provision(hub.api, hub.siteId, 'tls terminal');
    const url = `mqtts://127.0.0.1:${tlsPort}`;

    // without the hub's CA the TLS handshake fails: nothing reaches MQTT
    const refused = await new Promise<string>((resolve) => {
      const c = mqtt.connect(url, {
        clientId: creds.id,
        username: creds.id,
        password: creds.secret,
        reconnectPeriod: 0,
      });
      c.once('connect', () => (c.end(true), resolve('connected')));
      c.once('error', (err) => (c.end(true), resolve(err.message)));
    });
    expect(refused).toMatch(/self[- ]signed certificate/);

    const t = agent(url, creds, { mqtt: { ca: readFileSync(cert) } });
    await t.agent.start();
    const call = await hub.api.post<{ directiveId: string }>('/api/v1/terminals/test-calls', {
      siteIds: [hub.siteId],
      title: '加密链路测试',
    });
    expect(call.status).toBe(201);
    const entry = (await waitFor(
      () => t.shown.find((e) => e.message.directiveId === call.body.directiveId),
      'shown over mqtts',
    ))!;
    t.agent.acknowledge(entry.message.messageId);
    await waitFor(async () => {
      const rows = (
        await hub.api.get<{ messageId: string; state: string }[]>(`/api/v1/terminals/${creds.id}/messages`)
      ).body;
      return rows.find((m) => m.messageId === entry.message.messageId)?.state === 'acknowledged';
    }, '签收 recorded by the hub');
  });
});

describe('the agent over MQTT 5 to Mosquitto', () => {
  it('asks for a session expiry, so Mosquitto keeps its session while it is away (MQTT 5 without one ends it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yihu-mqtt5-'));
    const mqttPort = await freePort();
    const hub = await startHub({
      MQTT_PORT: String(await freePort()),
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      MQTT_PASSWORD: 'bridge-password-0123456789',
      MOSQUITTO_AUTH_DIR: dir,
      MOSQUITTO_PID_FILE: join(dir, 'mosquitto.pid'),
    });
    const mosquitto = await startMosquitto(dir, mqttPort);
    try {
      const creds = await provision(hub.api, hub.siteId, 'mqtt5 terminal');
      const control = await provision(hub.api, hub.siteId, 'mqtt5 control');
      const within = <T>(p: Promise<T>, ms: number) =>
        Promise.race([
          p,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms)),
        ]);
      // twice the agent, each time dropping the link without a DISCONNECT (a power cut)
      const present: boolean[] = [];
      for (let i = 0; i < 2; i++) {
        const t = agent(mosquitto.url, creds, { mqtt5: true });
        await within(t.agent.start(), 20_000); // retries until Mosquitto has reloaded its passwd
        present.push(
          (t.events.filter((e) => e.type === 'connected').at(-1) as { sessionPresent: boolean })
            .sessionPresent,
        );
        t.agent.kill();
        agents.splice(agents.indexOf(t.agent), 1);
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(present).toEqual([false, true]);

      // the control: MQTT 5, clean start off, but no session expiry: the session ends with the link
      const connack = async () => {
        const c = mqtt.connect(mosquitto.url, {
          clientId: control.id,
          username: control.id,
          password: control.secret,
          protocolVersion: 5,
          clean: false,
          reconnectPeriod: 0,
        });
        const p = await within(
          new Promise<boolean>((resolve, reject) => {
            c.once('connect', (ack) => resolve(ack.sessionPresent));
            c.once('error', reject);
          }),
          10_000,
        );
        c.stream.destroy();
        c.end(true);
        await new Promise((r) => setTimeout(r, 300));
        return p;
      };
      expect([await connack(), await connack()]).toEqual([false, false]);
    } finally {
      mosquitto.stop();
    }
  });
});
