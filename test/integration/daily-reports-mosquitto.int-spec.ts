import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { shanghaiDay } from '#domain';
import { startApp, type StartedApp } from '#platform';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { createSite, createUser } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import {
  counter,
  inProcessHubEnv,
  provision,
  startMosquitto,
  TestDevice,
  type Credentials,
  type MosquittoProcess,
} from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(120_000);

const reportsTopic = (id: string) => `yihu/v1/terminals/${id}/reports`;

/**
 * A terminal's 零报告 through a real Mosquitto with the ACL the bridge generates: a push
 * terminal's own `reports` reaches the hub (through the bridges' shared subscription);
 * another terminal's topic, and a radio gateway's own, are dropped by the broker itself.
 */
describe('daily reports through Mosquitto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-daily-mosquitto-'));
  let db: TestDatabase;
  let mosquitto: MosquittoProcess;
  let hub: StartedApp;
  let baseUrl: string;
  let dispatcher: { api: Api };
  let towns: string[];
  let push: Credentials;
  let other: Credentials;
  let radio: Credentials;
  const devices: TestDevice[] = [];
  const date = shanghaiDay(new Date());

  beforeAll(async () => {
    db = await createTestDatabase();
    const mqttPort = await freePort();
    const port = await freePort();
    hub = await startApp('hub', hubApp, {
      ...inProcessHubEnv(join(dir, 'data'), port),
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: uniquePrefix(),
      JWT_SECRET: 'daily-mosquitto-secret-0123456789-abcdef',
      AUDIT_KEY: 'daily-mosquitto-audit-key-0123456789-abcdef',
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      MQTT_PORT: String(await freePort()),
      MQTT_PASSWORD: 'bridge-password-0123456789',
      MOSQUITTO_AUTH_DIR: dir,
      MOSQUITTO_PID_FILE: join(dir, 'mosquitto.pid'),
    });
    baseUrl = `http://127.0.0.1:${port}`;
    mosquitto = await startMosquitto(dir, mqttPort);
    const admin = await new Api(baseUrl).login('admin', 'admin-password-1');
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    const county = await createSite(admin, '蚊县', 'command', root);
    towns = [
      await createSite(admin, '东镇', 'township', county),
      await createSite(admin, '西镇', 'township', county),
    ];
    dispatcher = await createUser(admin, 'dm-dispatcher', 'dispatcher', county);
    push = await provision(admin, towns[0]!, '东镇终端');
    other = await provision(admin, towns[1]!, '西镇终端');
    radio = await provision(admin, towns[1]!, '西镇中继', 'radio');
    // the ACL is rewritten and Mosquitto told to reload (SIGHUP) after each terminal
    await waitFor(() => readFileSync(join(dir, 'acl'), 'utf8').includes(radio.id), 10_000, 'the ACL');
    await sleep(1000);
    const res = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date,
      dueAt: new Date(Date.now() + 120_000).toISOString(),
      siteIds: towns,
    });
    expect(res.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    for (const d of devices) await d.end().catch(() => undefined);
    await hub?.stop();
    mosquitto?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const row = async (siteId: string) =>
    ((await dispatcher.api.get(`/api/v1/daily-reports?date=${date}`)).body as Record<string, unknown>[]).find(
      (r) => r.siteId === siteId,
    );
  const connect = async (creds: Credentials) => {
    const d = await TestDevice.connect(mosquitto.url, creds);
    devices.push(d);
    return d;
  };
  const taken = () => counter(baseUrl, 'yihu_mqtt_device_messages_total', 'leaf="reports"');

  it('the ACL grants a push terminal its own reports topic, by name; a radio gateway none', () => {
    const acl = readFileSync(join(dir, 'acl'), 'utf8');
    expect(acl).toContain(`user ${push.id}\ntopic write ${reportsTopic(push.id)}\n`);
    expect(acl).not.toContain(reportsTopic(radio.id));
    expect(acl).not.toMatch(/pattern \w+ .*reports/);
  });

  it("a push terminal's nil report reaches the hub", async () => {
    const device = await connect(push);
    await device.client.publishAsync(
      reportsTopic(push.id),
      JSON.stringify({ date, kind: 'zero', at: new Date().toISOString() }),
      { qos: 1 },
    );
    await waitFor(async () => (await row(towns[0]!))?.state === 'zero', 20_000, 'the report');
    expect(await row(towns[0]!)).toMatchObject({ channel: 'terminal', version: 1 });
  });

  it("another terminal's topic and a radio gateway's own are dropped by the broker", async () => {
    const before = await taken();
    expect(before).toBeGreaterThan(0); // the counter does see what reaches the bridge
    const device = await connect(push);
    const body = JSON.stringify({ date, kind: 'zero', at: new Date().toISOString() });
    // Mosquitto answers a refused QoS 1 PUBLISH with a PUBACK (3.1.1) and drops it
    await device.client.publishAsync(reportsTopic(other.id), body, { qos: 1 });
    const gateway = await connect(radio);
    await gateway.client.publishAsync(reportsTopic(radio.id), body, { qos: 1 });
    await sleep(2000);
    expect(await taken()).toBe(before);
    expect((await row(towns[1]!))?.state).toBe('pending');
  });
});
