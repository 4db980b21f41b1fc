import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { DirectiveDeliveryJob, HealthResponse } from '#contracts';
import { startApp, type StartedApp } from '#platform';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { mosquittoConf } from '../../apps/mqtt-bridge/src/broker/mosquitto-config.js';
import { Api } from './api.js';
import { seedEmbeddedDatabase } from './pglite-template.js';
import { freePort } from './ports.js';
import { inProcessHubEnv, TestDevice, waitFor, type Credentials } from './terminals.js';

export type BrokerKind = 'embedded' | 'mosquitto';

/** A hub started in the test process, on the embedded broker or on a Mosquitto of its own. */
export interface BridgeHarness {
  app: StartedApp;
  api: Api;
  baseUrl: string;
  mqttUrl: string;
  siteId: string;
  /** the hub stopped and started again on the same data and broker */
  restartApp(): Promise<void>;
  stop(): Promise<void>;
}

const BRIDGE_PASSWORD = 'bridge-password-0123456789';

/**
 * One hub (and, for `mosquitto`, one broker) per test file: `beforeAll` starts it, `afterAll`
 * stops it. `extraEnv` adds settings, such as MQTT_HTTP_AUTH_TOKEN for the EMQX endpoints.
 */
export async function startBridgeHarness(
  kind: BrokerKind,
  extraEnv: Record<string, string> = {},
): Promise<BridgeHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-bridge-'));
  const port = await freePort();
  const mqttPort = await freePort();
  const env: Record<string, string> = { ...inProcessHubEnv(join(dir, 'data'), port), ...extraEnv };
  if (kind === 'embedded') {
    env.MQTT_PORT = String(mqttPort);
  } else {
    Object.assign(env, {
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      MQTT_PORT: String(await freePort()),
      MQTT_PASSWORD: BRIDGE_PASSWORD,
      MOSQUITTO_AUTH_DIR: dir,
      MOSQUITTO_PID_FILE: join(dir, 'mosquitto.pid'),
    });
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  let app: StartedApp | undefined;
  let mosquitto: ChildProcess | undefined;
  // never stops the same hub twice, even after a restart that failed half-way
  const stopHub = async () => {
    const running = app;
    app = undefined;
    await running?.stop();
  };
  const stop = async () => {
    try {
      await stopHub();
    } finally {
      mosquitto?.kill('SIGTERM');
      // its database alone is some 50 MB, and nothing reads it after the file's tests
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const brokerUp = () =>
    waitFor(
      async () => {
        const body = (await (await fetch(`${baseUrl}/api/v1/health`)).json()) as Partial<HealthResponse>;
        const broker = body.components?.broker;
        return broker !== undefined && broker.status !== 'down';
      },
      'broker up',
      20_000,
    );
  const login = () => new Api(baseUrl).login('admin', 'admin-password-1');
  try {
    seedEmbeddedDatabase(env.DATA_DIR!);
    app = await startApp('hub', hubApp, env);
    if (kind === 'mosquitto') {
      // the bridge has written passwd and acl at start-up; Mosquitto reads them now and on SIGHUP
      writeFileSync(
        join(dir, 'mosquitto.conf'),
        mosquittoConf({
          port: mqttPort,
          host: '127.0.0.1',
          authDir: dir,
          user: process.getuid?.() === 0 ? 'root' : undefined,
        }),
      );
      mosquitto = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
      writeFileSync(join(dir, 'mosquitto.pid'), String(mosquitto.pid));
    }
    await brokerUp();
    const api = await login();
    const sites = await api.get<{ id: string }[]>('/api/v1/sites');
    const harness: BridgeHarness = {
      app,
      api,
      baseUrl,
      mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
      siteId: sites.body[0]!.id,
      restartApp: async () => {
        await stopHub();
        app = await startApp('hub', hubApp, env);
        harness.app = app;
        await brokerUp();
        harness.api = await login();
      },
      stop,
    };
    return harness;
  } catch (err) {
    // a hub or broker left running would hold its ports and files past this test file
    await stop().catch((stopErr: unknown) =>
      console.error('stopping a half-started harness failed', stopErr),
    );
    throw err;
  }
}

/** Connected, subscribed and `online`, retrying while Mosquitto has not reloaded its password file. */
export function connectDevice(h: BridgeHarness, creds: Credentials): Promise<TestDevice> {
  return waitFor(() => TestDevice.connect(h.mqttUrl, creds), `terminal ${creds.id} to connect`, 10_000);
}

/** Connected (clean: false) and nothing else, retrying while Mosquitto has not reloaded its password file. */
export function openDevice(h: BridgeHarness, creds: Credentials): Promise<TestDevice> {
  return waitFor(() => TestDevice.open(h.mqttUrl, creds), `terminal ${creds.id} to connect`, 10_000);
}

/** A directive delivery job as the dispatch outbox relay makes it (docs/channels.md). */
export function deliveryJob(
  siteId: string,
  directiveId: string,
  messageId = randomUUID(),
  redelivery = 0,
): DirectiveDeliveryJob {
  return {
    kind: 'directive',
    directiveId,
    messageId,
    siteIds: [siteId],
    directive: {
      id: directiveId,
      serial: 'ZL-2026-001',
      title: '防汛指令',
      body: 'body',
      level: 'red',
      ackBy: new Date(Date.now() + 3600_000).toISOString(),
      drill: false,
      issuedAt: new Date().toISOString(),
      redelivery,
    } as DirectiveDeliveryJob['directive'],
  };
}

/** A test call to every terminal of the sites (the root site by default); its directive id. */
export async function testCall(h: BridgeHarness, title: string, siteIds = [h.siteId]): Promise<string> {
  const res = await h.api.post<{ directiveId: string }>('/api/v1/terminals/test-calls', { siteIds, title });
  expect(res.status).toBe(201);
  return res.body.directiveId;
}

/** A terminal's outbox as the REST API lists it. */
export async function terminalMessages(h: BridgeHarness, terminalId: string) {
  return (
    await h.api.get<{ messageId: string; directiveId: string; state: string }[]>(
      `/api/v1/terminals/${terminalId}/messages`,
    )
  ).body;
}

/** The first copy of each message: QoS 1 allows a device to get one twice. */
export function unique<T extends { messageId: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((m) => !seen.has(m.messageId) && seen.add(m.messageId));
}
