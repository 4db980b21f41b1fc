import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { RADIO_BUS, type RadioCmd, type RadioCmdMessage } from '#contracts';
import { RedisEventBus, startApp, type StartedApp } from '#platform';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { sleep } from '../support/async.js';
import { Api } from '../support/api.js';
import type { BridgeHarness } from '../support/bridge-harness.js';
import { freePort } from '../support/ports.js';
import { connectGateway, RadioBusTap, radioTopics, type RadioGateway } from '../support/radio.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import {
  counter,
  inProcessHubEnv,
  provision,
  startMosquitto,
  waitFor,
  type MosquittoProcess,
} from '../support/terminals.js';

/**
 * Two bridges (two hubs in cluster mode, in this process) on one Mosquitto, PostgreSQL and
 * Redis: every radio message a gateway sends reaches the bus once (the shared
 * subscription), and every radio.cmd on the bus, which both bridges hear, reaches the
 * gateway once (the claim on its id).
 */
describe('radio gateways with two bridges on one Mosquitto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-radio-bridges-'));
  const prefix = uniquePrefix();
  const hubs: { app: StartedApp; baseUrl: string }[] = [];
  let db: TestDatabase;
  let mosquitto: MosquittoProcess;
  let bus: RedisEventBus;
  let tap: RadioBusTap;
  let gw: RadioGateway;
  let gatewayId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const mqttPort = await freePort();
    const start = async (instance: string) => {
      const port = await freePort();
      const app = await startApp('hub', hubApp, {
        ...inProcessHubEnv(join(dir, instance), port),
        INSTANCE_ID: instance,
        MQTT_USERNAME: `yihu-${instance}`,
        MOSQUITTO_BRIDGE_USERNAMES: 'yihu-bridge-a,yihu-bridge-b',
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        JWT_SECRET: 'radio-bridges-secret-0123456789-abcdef',
        AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
        MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
        MQTT_PORT: String(await freePort()),
        MQTT_PASSWORD: 'bridge-password-0123456789',
        MOSQUITTO_AUTH_DIR: dir,
        MOSQUITTO_PID_FILE: join(dir, 'mosquitto.pid'),
      });
      hubs.push({ app, baseUrl: `http://127.0.0.1:${port}` });
    };
    await start('bridge-a');
    // A has written passwd and acl; Mosquitto reads them now, and again on each SIGHUP
    mosquitto = await startMosquitto(dir, mqttPort);
    await start('bridge-b');
    bus = new RedisEventBus(REDIS_URL, pino({ level: 'silent' }), prefix);
    tap = await RadioBusTap.attach(bus);
    const api = await new Api(hubs[0]!.baseUrl).login('admin', 'admin-password-1');
    const siteId = (await api.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    const creds = await provision(api, siteId, '双桥中继', 'radio');
    gatewayId = creds.id;
    const h = { mqttUrl: mosquitto.url } as BridgeHarness;
    gw = await waitFor(() => connectGateway(h, creds), 'the gateway connects', 20_000);
    await waitFor(() => tap.from(gatewayId).length > 0, 'its join on the bus', 15_000);
  }, 180_000);

  afterAll(async () => {
    await gw?.device.end().catch(() => undefined);
    tap?.stop();
    await bus?.onApplicationShutdown();
    for (const hub of hubs) await hub.app.stop().catch(() => undefined);
    mosquitto?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sum = async (name: string, label: string) =>
    (await Promise.all(hubs.map((hub) => counter(hub.baseUrl, name, label)))).reduce((a, b) => a + b, 0);

  it('each join, state and event reaches the bus once, from one bridge or the other', async () => {
    await gw.publish('join', { codecs: ['PCMA', 'opus'], ssrc: 7, at: new Date().toISOString() });
    for (let i = 0; i < 15; i++)
      await gw.publish('state', { cor: i % 2 === 0, ptt: false, at: new Date(Date.now() + i).toISOString() });
    await gw.publish('events', { type: 'dtmf', digits: '0042#', at: new Date().toISOString() });
    const mine = () => tap.from(gatewayId).filter((m) => m.body.at !== undefined);
    // the first join, then 17
    await waitFor(() => mine().length >= 18, 'every message on the bus', 15_000);
    await sleep(1000); // a second copy would have come by now
    expect(mine()).toHaveLength(18);
    const states = mine().filter((m) => m.leaf === 'state');
    expect(new Set(states.map((m) => m.body.at)).size).toBe(15);
    console.log(
      mine()
        .map((m) => m.bridge)
        .join(','),
    );
    for (const m of mine()) expect(['bridge-a', 'bridge-b']).toContain(m.bridge);
  });

  it('each command on the bus reaches the gateway once; one bridge publishes it, the other leaves it', async () => {
    const published = await sum('yihu_mqtt_radio_commands_total', 'result="published"');
    const left = await sum('yihu_mqtt_radio_commands_total', 'result="other_bridge"');
    const before = gw.commands.length;
    const sentAt = new Map<string, number>();
    const arrivedAt = new Map<string, number>();
    gw.device.client.on('message', (topic, payload) => {
      if (topic !== radioTopics(gatewayId).cmd) return;
      const cmd = JSON.parse(payload.toString()) as RadioCmd;
      if (cmd.type === 'key') arrivedAt.set(cmd.transmissionId, performance.now());
    });
    const N = 40;
    for (let i = 0; i < N; i++) {
      const transmissionId = `tx-${i}`;
      sentAt.set(transmissionId, performance.now());
      const message: RadioCmdMessage = {
        terminalId: gatewayId,
        cmd: { type: 'key', transmissionId, talker: { kind: 'user', name: '调度员' } },
        id: randomUUID(),
      };
      await bus.publish(RADIO_BUS.cmd, message);
      await sleep(20);
    }
    // without an id: claimed on the content, still once each
    const toggles: RadioCmd[] = [
      { type: 'inhibit', tx: true, rx: false },
      { type: 'inhibit', tx: false, rx: false },
    ];
    for (const cmd of toggles) await bus.publish(RADIO_BUS.cmd, { terminalId: gatewayId, cmd });
    await waitFor(() => gw.commands.length - before >= N + 2, 'every command at the gateway', 15_000);
    await sleep(1000);
    const got = gw.commands.slice(before);
    expect(got).toHaveLength(N + 2);
    expect(new Set(got.map((c) => JSON.stringify(c))).size).toBe(N + 2);
    expect(got.slice(N)).toEqual(toggles);
    expect((await sum('yihu_mqtt_radio_commands_total', 'result="published"')) - published).toBe(N + 2);
    expect((await sum('yihu_mqtt_radio_commands_total', 'result="other_bridge"')) - left).toBe(N + 2);
    const latencies = [...arrivedAt].map(([id, at]) => at - sentAt.get(id)!).sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(
      `radio.cmd → gateway over Redis and Mosquitto: p50 ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms`,
    );
    expect(p(0.95)).toBeLessThan(300);
  });
});
