import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import {
  counter,
  provision,
  startMosquitto,
  TestDevice,
  type Credentials,
  type MosquittoProcess,
} from '../support/terminals.js';

const TERMINALS = 6;

/**
 * Two bridge instances (two hubs in cluster mode) on one Mosquitto, one PostgreSQL and one
 * Redis: every terminal gets a directive once, not once per bridge, and every device ack
 * is taken in by one bridge (a shared subscription), not by each.
 */
describe('push terminals with two bridges on one external broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-bridges-'));
  const prefix = uniquePrefix();
  let db: TestDatabase;
  let mosquitto: MosquittoProcess;
  let a: HubProcess;
  let b: HubProcess;
  let dispatcher: Api;
  let town: string;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const mqttPort = await freePort();
    const env = (instance: string) => ({
      INSTANCE_ID: instance,
      // Mosquitto makes the client id the user name: each bridge logs in as itself
      MQTT_USERNAME: `yihu-${instance}`,
      MOSQUITTO_BRIDGE_USERNAMES: 'yihu-bridge-a,yihu-bridge-b',
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: 'bridges-cluster-secret-0123456789-abcdef',
      AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
      SFU_ENABLED: 'false',
      LOG_LEVEL: process.env.YIHU_TEST_DEBUG ? 'debug' : 'warn',
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      MQTT_PASSWORD: 'bridge-password-0123456789',
      MOSQUITTO_AUTH_DIR: dir,
      MOSQUITTO_PID_FILE: join(dir, 'mosquitto.pid'),
    });
    a = await startHub(env('bridge-a'));
    // A has written passwd and acl; Mosquitto reads them now, and again on each SIGHUP
    mosquitto = await startMosquitto(dir, mqttPort);
    b = await startHub(env('bridge-b'));
    const admin = await adminLogin(a.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    town = await createSite(admin, '双桥镇', 'township', rootId);
    dispatcher = (await createUser(admin, 'disp-bridges', 'dispatcher', rootId)).api;
    const creds: Credentials[] = [];
    for (let i = 0; i < TERMINALS; i++) creds.push(await provision(admin, town, `双桥 ${i}`));
    for (const c of creds)
      devices.push(
        (await waitFor(
          () =>
            TestDevice.connect(mosquitto.url, c)
              .then((d) => d.confirmReceipts())
              .catch(() => undefined),
          15_000,
          `${c.id} connects`,
        ))!,
      );
    // both bridges must know every terminal is online (each sees every status)
    const online = (hub: HubProcess) => counter(hub.baseUrl, 'yihu_mqtt_terminals_online', '');
    await waitFor(
      async () => (await online(a)) >= TERMINALS && (await online(b)) >= TERMINALS,
      15_000,
      'presence on both bridges',
    );
  }, 120_000);

  afterAll(async () => {
    if (process.env.YIHU_TEST_DEBUG)
      for (const hub of [a, b]) process.stderr.write(`--- hub output ---\n${hub?.output().slice(-60000)}\n`);
    for (const d of devices) await d.end().catch(() => undefined);
    await Promise.all([a?.stop(), b?.stop()]);
    mosquitto?.stop();
    await db?.drop();
  });

  it('sends each terminal the directive once and takes in each ack once across the two bridges', async () => {
    const sum = async (name: string, label: string) =>
      (await counter(a.baseUrl, name, label)) + (await counter(b.baseUrl, name, label));
    const publishedBefore = await sum('yihu_mqtt_directives_published_total', 'kind="first"');
    const acksBefore = await sum('yihu_mqtt_device_messages_total', 'leaf="acks"');

    const res = await dispatcher.post('/api/v1/directives', {
      title: '两个网关',
      body: '每台终端只收到一次',
      level: 'yellow',
      targets: { siteIds: [town] },
      ackWithinSeconds: 600,
    });
    expect(res.status).toBe(201);
    const directiveId = res.body.id as string;
    const copies = (d: TestDevice) => d.received.filter((m) => m.directiveId === directiveId);
    await waitFor(() => devices.every((d) => copies(d).length >= 1), 15_000, 'every terminal has it');
    await sleep(1500); // time for a second bridge's copy, if it were going to send one
    for (const d of devices) expect(copies(d)).toHaveLength(1);
    expect((await sum('yihu_mqtt_directives_published_total', 'kind="first"')) - publishedBefore).toBe(
      TERMINALS,
    );

    // each device confirmed `received` on arrival (confirmReceipts); 签收 now
    for (const d of devices) await d.ack(copies(d)[0]!.messageId, 'acknowledged');
    await waitFor(
      async () =>
        (await dispatcher.get(`/api/v1/directives/${directiveId}`)).body.recipients[0].state ===
        'acknowledged',
      15_000,
      'the township acknowledged via its terminals',
    );
    await waitFor(
      async () => (await sum('yihu_mqtt_device_messages_total', 'leaf="acks"')) - acksBefore >= TERMINALS * 2,
      10_000,
      'acks taken in',
    );
    await sleep(500);
    expect((await sum('yihu_mqtt_device_messages_total', 'leaf="acks"')) - acksBefore).toBe(TERMINALS * 2);
    // and both bridges did take part: the broker spread the shared subscription
    expect(await counter(a.baseUrl, 'yihu_mqtt_device_messages_total', 'leaf="acks"')).toBeGreaterThan(0);
    expect(await counter(b.baseUrl, 'yihu_mqtt_device_messages_total', 'leaf="acks"')).toBeGreaterThan(0);
  });

  it('replays to a returning terminal through one bridge, not once per bridge', async () => {
    const sum = async (name: string, label: string) =>
      (await counter(a.baseUrl, name, label)) + (await counter(b.baseUrl, name, label));
    const online = (hub: HubProcess) => counter(hub.baseUrl, 'yihu_mqtt_terminals_online', '');
    const away = devices.shift()!;
    await away.end();
    await waitFor(
      async () => (await online(a)) === TERMINALS - 1 && (await online(b)) === TERMINALS - 1,
      15_000,
      'both bridges see it offline',
    );
    const ids: string[] = [];
    for (const title of ['回来补发一', '回来补发二']) {
      const res = await dispatcher.post('/api/v1/directives', {
        title,
        body: '离线期间下达',
        level: 'blue',
        targets: { siteIds: [town] },
        ackWithinSeconds: 600,
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id as string);
    }
    // the others have both; the one away has nothing yet
    await waitFor(
      () => devices.every((d) => ids.every((id) => d.received.some((m) => m.directiveId === id))),
      15_000,
      'the terminals online have both',
    );
    const replaysBefore = await sum('yihu_mqtt_directives_published_total', 'kind="replay"');
    const back = (await TestDevice.connect(mosquitto.url, away.creds)).confirmReceipts();
    devices.unshift(back);
    const mine = () => back.received.filter((m) => ids.includes(m.directiveId));
    const started = Date.now();
    const replayed = () => ids.every((id) => mine().some((m) => m.directiveId === id));
    // The replay comes within a second here. CI once waited more than 15 s for it, which only
    // the straggler sweep's fallback (10–20 s) explains; until that is understood the state
    // behind a slow replay is printed, and the test waits for the fallback too: what it
    // asserts is that the terminal gets both, once each, in order.
    await waitFor(replayed, 5_000, 'the replay').catch(async () => {
      process.stderr.write(`replay not in 5 s; state:\n${await replayState(db.url, away.creds.id, ids)}\n`);
      for (const hub of [a, b]) process.stderr.write(`--- hub ---\n${hub.output().slice(-8000)}\n`);
      await waitFor(replayed, 30_000, 'the replay or the sweep');
    });
    if (Date.now() - started > 5000) process.stderr.write(`replayed after ${Date.now() - started} ms\n`);
    await sleep(2000); // time for the other bridge's replay, if it were going to send one
    expect(mine().map((m) => m.directiveId)).toEqual(ids); // once each, in order
    expect((await sum('yihu_mqtt_directives_published_total', 'kind="replay"')) - replaysBefore).toBe(2);
  });

  it('sends a message queued without a notice through the sweep, once', async () => {
    // a row whose outbox notice was lost: queued a while ago, and no bridge told of it
    const device = devices[devices.length - 1]!;
    const messageId = randomUUID();
    const directiveId = `straggler-${messageId}`;
    const message = {
      messageId,
      directiveId,
      serial: 'T-STRAGGLER',
      title: '迟到的指令',
      body: '通知丢失后由巡检补发',
      level: 'blue',
      issuedAt: new Date().toISOString(),
      expiresAt: null,
      drill: true,
    };
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO terminal_messages (id, terminal_id, directive_id, source_id, topic, payload, created_at)
         VALUES ($1, $2, $3, $3, 'directives', $4, now() - interval '1 minute')`,
        [messageId, device.creds.id, directiveId, JSON.stringify(message)],
      );
    } finally {
      await client.end();
    }
    const copies = () => device.received.filter((m) => m.messageId === messageId);
    // both bridges sweep every 10 s
    await waitFor(() => copies().length >= 1, 25_000, 'the sweep sends it');
    await sleep(11_000); // one more round of both sweeps: a second bridge's copy, if any
    if (copies().length !== 1) {
      // which path sent the extra copy: each bridge's publishes by kind
      for (const [name, hub] of [
        ['a', a],
        ['b', b],
      ] as const)
        for (const kind of ['first', 'replay'])
          process.stderr.write(
            `bridge ${name} ${kind}: ${await counter(hub.baseUrl, 'yihu_mqtt_directives_published_total', `kind="${kind}"`)}\n`,
          );
    }
    expect(copies()).toHaveLength(1);
  }, 45_000);
});

/** what decides a returning terminal's replay: its presence and claim, and its outbox rows */
async function replayState(url: string, terminalId: string, directiveIds: string[]): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t = await client.query(
      `SELECT presence, replay_claimed_at, clock_timestamp() AS now FROM terminals WHERE id = $1`,
      [terminalId],
    );
    const m = await client.query(
      `SELECT directive_id, state, send_count, created_at, sent_at FROM terminal_messages
       WHERE terminal_id = $1 AND directive_id = ANY($2::text[]) ORDER BY seq`,
      [terminalId, directiveIds],
    );
    return JSON.stringify({ terminal: t.rows, messages: m.rows }, null, 1);
  } finally {
    await client.end();
  }
}
