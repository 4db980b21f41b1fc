import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApp, type StartedApp } from '#platform';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { DirectiveDeliveryJob, TerminalNoticeMessage } from '#contracts';
import { mosquittoConf } from '../../apps/mqtt-bridge/src/broker/mosquitto-config.js';
import type { BrokerLink } from '../../apps/mqtt-bridge/src/broker/broker-link.js';
import { TerminalDelivery } from '../../apps/mqtt-bridge/src/bridge/terminal-delivery.js';
import { ReceiptReconciler } from '../../apps/mqtt-bridge/src/terminals/receipt-reconciler.js';
import { TerminalChannel } from '../../apps/mqtt-bridge/src/terminals/terminal-channel.js';
import { WireSimulator } from '../../gateways/push-terminal/src/wire-simulator.js';
import { Api } from '../support/api.js';
import { createSite } from '../support/directives.js';
import { sleep } from '../support/async.js';
import { freePort } from '../support/ports.js';
import {
  connectRefused,
  counter,
  inProcessHubEnv,
  provision,
  TestDevice,
  topics,
  waitFor,
  type Credentials,
} from '../support/terminals.js';

jest_setTimeout();
function jest_setTimeout() {
  // the embedded database's first open takes a few seconds
  (globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(60_000);
}

type BrokerKind = 'embedded' | 'mosquitto';

interface Harness {
  app: StartedApp;
  api: Api;
  baseUrl: string;
  mqttUrl: string;
  siteId: string;
  mosquitto?: ChildProcess;
  /** the hub stopped and started again on the same data and broker */
  restartApp(): Promise<void>;
  stop(): Promise<void>;
}

const startedApps: StartedApp[] = [];
const startedBrokers: ChildProcess[] = [];
afterAll(async () => {
  for (const app of startedApps) await app.stop().catch(() => undefined);
  for (const b of startedBrokers) b.kill('SIGTERM');
});

const BRIDGE_PASSWORD = 'bridge-password-0123456789';
const EMQX_TOKEN = 'emqx-http-auth-token-0123456789';

/** A directive delivery job as the dispatch outbox relay makes it (docs/channels.md). */
function deliveryJob(
  siteId: string,
  directiveId: string,
  messageId: string,
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

async function startHarness(kind: BrokerKind): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-mqtt-'));
  const port = await freePort();
  const mqttPort = await freePort();
  const env: Record<string, string> = {
    ...inProcessHubEnv(join(dir, 'data'), port),
    MQTT_HTTP_AUTH_TOKEN: EMQX_TOKEN,
  };
  let mosquitto: ChildProcess | undefined;
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
  const app = await startApp('hub', hubApp, env);
  startedApps.push(app);
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
    startedBrokers.push(mosquitto);
    writeFileSync(join(dir, 'mosquitto.pid'), String(mosquitto.pid));
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const brokerUp = () =>
    waitFor(
      async () => {
        const res = await fetch(`${baseUrl}/api/v1/health`);
        const body = (await res.json()) as {
          components?: Record<string, { status: string }>;
          checks?: Record<string, { status: string }>;
        };
        const components =
          body.components ?? body.checks ?? (body as unknown as Record<string, { status: string }>);
        return (
          JSON.stringify(components).includes('"broker"') &&
          !JSON.stringify(components.broker ?? {}).includes('"down"')
        );
      },
      'broker up',
      20_000,
    );
  await brokerUp();
  const api = await new Api(baseUrl).login('admin', 'admin-password-1');
  const sites = await api.get<{ id: string }[]>('/api/v1/sites');
  const harness: Harness = {
    app,
    api,
    baseUrl,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    siteId: sites.body[0]!.id,
    mosquitto,
    restartApp: async () => {
      await harness.app.stop();
      harness.app = await startApp('hub', hubApp, env);
      startedApps.push(harness.app);
      await brokerUp();
      harness.api = await new Api(baseUrl).login('admin', 'admin-password-1');
    },
    stop: async () => {
      await harness.app.stop();
      mosquitto?.kill('SIGTERM');
    },
  };
  return harness;
}

/** Connects, retrying while an external broker has not reloaded its password file yet. */
async function connect(h: Harness, creds: Credentials): Promise<TestDevice> {
  return waitFor(() => TestDevice.connect(h.mqttUrl, creds), `terminal ${creds.id} to connect`, 10_000);
}

async function testCall(h: Harness, title: string, siteIds = [h.siteId]): Promise<string> {
  const res = await h.api.post<{ directiveId: string }>('/api/v1/terminals/test-calls', { siteIds, title });
  expect(res.status).toBe(201);
  return res.body.directiveId;
}

async function messages(h: Harness, id: string) {
  return (
    await h.api.get<{ messageId: string; directiveId: string; state: string }[]>(
      `/api/v1/terminals/${id}/messages`,
    )
  ).body;
}

function unique<T extends { messageId: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((m) => !seen.has(m.messageId) && seen.add(m.messageId));
}

describe.each<BrokerKind>(['embedded', 'mosquitto'])('MQTT bridge with the %s broker', (kind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(kind);
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('provisions, lists with presence, rotates and revokes', async () => {
    const bad = await h.api.post('/api/v1/terminals', { name: 'x', siteId: h.siteId, kind: 'fax' });
    expect(bad.status).toBe(400);
    const creds = await provision(h.api, h.siteId, 'village loudspeaker');
    expect(creds.id).toMatch(/^t[0-9a-f]{20}$/);
    const device = await connect(h, creds);
    await device.client.publishAsync(
      topics(creds.id).status,
      JSON.stringify({ power: 'battery', battery: 64, link: 'satellite' }),
      { qos: 1, retain: true },
    );
    const view = await waitFor(async () => {
      const list = (
        await h.api.get<{ id: string; presence: string; telemetry: unknown; lastSeenAt: string | null }[]>(
          '/api/v1/terminals',
        )
      ).body;
      const t = list.find((x) => x.id === creds.id);
      return t?.presence === 'online' && t.telemetry ? t : undefined;
    }, 'presence online with telemetry');
    expect(view!.telemetry).toEqual({ power: 'battery', battery: 64, link: 'satellite' });
    expect(view!.lastSeenAt).not.toBeNull();
    await device.end();

    const rotated = await h.api.post<Credentials>(`/api/v1/terminals/${creds.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(creds.secret);
    await waitFor(
      async () =>
        /Bad username or password|Not authorized/i.test(
          await connectRefused(h.mqttUrl, { clientId: creds.id, username: creds.id, password: creds.secret }),
        ),
      'old secret refused',
    );
    const again = await connect(h, rotated.body);
    const revoked = await h.api.post(`/api/v1/terminals/${creds.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toBe(true);
    if (kind === 'embedded') await waitFor(() => again.closed, 'revoked terminal disconnected');
    await again.client.endAsync(true);
    await waitFor(
      async () =>
        /Bad username or password|Not authorized/i.test(
          await connectRefused(h.mqttUrl, {
            clientId: creds.id,
            username: creds.id,
            password: rotated.body.secret,
          }),
        ),
      'revoked refused',
    );
  });

  it('refuses a client id that is not the username', async () => {
    const creds = await provision(h.api, h.siteId);
    await waitFor(
      () => TestDevice.connect(h.mqttUrl, creds).then((d) => d.end().then(() => true)),
      'provisioned',
    );
    if (kind === 'embedded') {
      expect(
        await connectRefused(h.mqttUrl, {
          clientId: 'someone-else',
          username: creds.id,
          password: creds.secret,
        }),
      ).toMatch(/Identifier rejected/i);
    }
  });

  it('delivers 3 directives sent while a terminal was offline, in order, when it returns; 签收 only from the device', async () => {
    const creds = await provision(h.api, h.siteId, 'offline one');
    const first = await connect(h, creds);
    await first.end();
    const ids = [await testCall(h, 'one'), await testCall(h, 'two'), await testCall(h, 'three')];
    await new Promise((r) => setTimeout(r, 300));
    const device = await connect(h, creds);
    await waitFor(() => unique(device.received).length >= 3, '3 directives');
    const got = unique(device.received).filter((m) => ids.includes(m.directiveId));
    expect(got.map((m) => m.title)).toEqual(['one', 'two', 'three']);
    expect(got[0]).toEqual(
      expect.objectContaining({
        directiveId: ids[0],
        serial: expect.any(String),
        body: '',
        level: 'none',
        drill: true,
        issuedAt: expect.any(String),
        expiresAt: expect.any(String),
      }),
    );
    // a broker PUBACK is not 签收: delivered messages stay unacknowledged until the device says so
    await new Promise((r) => setTimeout(r, 300));
    expect((await messages(h, creds.id)).every((m) => m.state !== 'acknowledged')).toBe(true);
    await device.ack(got[0]!.messageId, 'received');
    await device.ack(got[1]!.messageId, 'acknowledged');
    await waitFor(async () => {
      const states = Object.fromEntries((await messages(h, creds.id)).map((m) => [m.messageId, m.state]));
      return states[got[0]!.messageId] === 'received' && states[got[1]!.messageId] === 'acknowledged';
    }, 'acks recorded');
    await device.end();
  });

  it('the benchmark’s packet-level terminals get a directive once each, and their 签收 is recorded', async () => {
    const terminals = await Promise.all(
      Array.from({ length: 20 }, (_, i) => provision(h.api, h.siteId, `wire ${i}`)),
    );
    // Mosquitto reloads its password file on SIGHUP: the first logins may come too early
    const live = await waitFor(
      async () => {
        const sim = new WireSimulator({ url: h.mqttUrl, terminals, acknowledge: true });
        try {
          await sim.start();
          return sim;
        } catch (err) {
          await sim.stop();
          throw err;
        }
      },
      'wire terminals connected',
      10_000,
    );
    const directiveId = await testCall(h, 'wire');
    await waitFor(
      () => live.arrivals.filter((a) => a.directiveId === directiveId).length === 20,
      'all shown',
    );
    for (const t of terminals)
      await waitFor(
        async () =>
          (await messages(h, t.id)).some((m) => m.directiveId === directiveId && m.state === 'acknowledged'),
        `${t.id} acknowledged`,
      );
    expect([...live.shows.values()].every((n) => n === 1)).toBe(true);
    live.check();
    await live.stop();
  });

  it('ACL matrix: every attempt on another terminal’s topics is denied', async () => {
    const creds = [
      await provision(h.api, h.siteId, 'A'),
      await provision(h.api, h.siteId, 'B'),
      await provision(h.api, h.siteId, 'C'),
    ];
    const devices = await Promise.all(creds.map((c) => connect(h, c)));
    for (const [i, attacker] of devices.entries()) {
      for (const victim of creds.filter((_, j) => j !== i)) {
        for (const filter of [
          topics(victim.id).directives,
          topics(victim.id).acks,
          topics(victim.id).status,
        ]) {
          const code = await attacker.trySubscribe(filter);
          if (kind === 'embedded') expect([filter, code]).toEqual([filter, 128]);
        }
      }
      for (const filter of [
        'yihu/v1/terminals/+/directives',
        'yihu/v1/terminals/#',
        '#',
        'yihu/v1/terminals/+/acks',
      ]) {
        const code = await attacker.trySubscribe(filter);
        // aedes refuses at SUBACK; Mosquitto's acl_file grants the SUBSCRIBE and checks each
        // message against the ACL on delivery, which the delivery check below covers
        if (kind === 'embedded') expect([filter, code]).toEqual([filter, 128]);
      }
    }
    const directiveId = await testCall(h, 'acl');
    await waitFor(
      () => devices.every((d) => d.received.some((m) => m.directiveId === directiveId)),
      'all got the call',
    );
    for (const d of devices) {
      await d.ack(d.received.find((m) => m.directiveId === directiveId)!.messageId, 'received');
      await d.client.publishAsync(
        topics(d.creds.id).status,
        JSON.stringify({ power: 'mains', link: 'lan' }),
        { qos: 1, retain: true },
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const [i, d] of devices.entries())
      expect([...d.topicsSeen]).toEqual([topics(creds[i]!.id).directives]);

    // publishing as another terminal: an ack for the victim's message, a forged directive, a fake status
    const victimMsg = devices[0]!.received.find((m) => m.directiveId === directiveId)!;
    const attacker = devices[1]!;
    attacker.client.publish(
      topics(creds[0]!.id).acks,
      JSON.stringify({ messageId: victimMsg.messageId, state: 'acknowledged', at: new Date().toISOString() }),
      { qos: 1 },
    );
    attacker.client.publish(
      topics(creds[0]!.id).directives,
      JSON.stringify({ ...victimMsg, messageId: '11111111-1111-4111-8111-111111111111', title: 'forged' }),
      { qos: 1 },
    );
    attacker.client.publish(topics(creds[0]!.id).status, 'offline', { qos: 1, retain: true });
    await new Promise((r) => setTimeout(r, 500));
    // aedes closes the connection (3.1.1 has no negative PUBACK); Mosquitto drops the message
    if (kind === 'embedded') expect(attacker.closed).toBe(true);
    expect(devices[0]!.received.some((m) => m.title === 'forged')).toBe(false);
    const state = (await messages(h, creds[0]!.id)).find((m) => m.messageId === victimMsg.messageId)!.state;
    expect(state).not.toBe('acknowledged');
    const list = (await h.api.get<{ id: string; presence: string }[]>('/api/v1/terminals')).body;
    expect(list.find((t) => t.id === creds[0]!.id)!.presence).toBe('online');
    for (const d of devices) await d.end().catch(() => undefined);
  });

  it('rejects and counts bad input, and keeps running', async () => {
    const [a, b] = [await provision(h.api, h.siteId, 'bad-a'), await provision(h.api, h.siteId, 'bad-b')];
    const da = await connect(h, a);
    const db = await connect(h, b);
    const directiveId = await testCall(h, 'bad input');
    await waitFor(
      () =>
        db.received.some((m) => m.directiveId === directiveId) &&
        da.received.some((m) => m.directiveId === directiveId),
      'call delivered',
    );
    const bMsg = db.received.find((m) => m.directiveId === directiveId)!;
    const aMsg = da.received.find((m) => m.directiveId === directiveId)!;
    const before = async (reason: string) =>
      counter(h.baseUrl, 'yihu_mqtt_rejected_total', `reason="${reason}"`);
    const base = {
      malformed_json: await before('malformed_json'),
      invalid_schema: await before('invalid_schema'),
      unknown_message: await before('unknown_message'),
      foreign_message: await before('foreign_message'),
      too_large: await before('too_large'),
      topic_denied: await before('topic_denied'),
    };
    const acks = topics(a.id).acks;
    await da.client.publishAsync(acks, '{not json', { qos: 1 });
    await da.client.publishAsync(acks, JSON.stringify({ messageId: 'nope', state: 'done' }), { qos: 1 });
    await da.client.publishAsync(
      acks,
      JSON.stringify({
        messageId: '00000000-0000-4000-8000-000000000000',
        state: 'received',
        at: new Date().toISOString(),
      }),
      { qos: 1 },
    );
    // b's message acknowledged by a, on a's own topic
    await da.client.publishAsync(
      acks,
      JSON.stringify({ messageId: bMsg.messageId, state: 'acknowledged', at: new Date().toISOString() }),
      { qos: 1 },
    );
    await waitFor(
      async () => (await before('foreign_message')) > base.foreign_message,
      'foreign ack counted',
    );
    expect(await before('malformed_json')).toBe(base.malformed_json + 1);
    expect(await before('invalid_schema')).toBe(base.invalid_schema + 1);
    expect(await before('unknown_message')).toBe(base.unknown_message + 1);
    expect((await messages(h, b.id)).find((m) => m.messageId === bMsg.messageId)!.state).not.toBe(
      'acknowledged',
    );

    // 1 MB, then topic tricks: each on a connection of its own
    const big = await TestDevice.connect(h.mqttUrl, a);
    big.client.on('error', () => undefined);
    big.client.publish(acks, Buffer.alloc(1024 * 1024, 'x'), { qos: 1 });
    await waitFor(() => big.closed, '1 MB publisher disconnected');
    for (const topic of [
      `yihu/v1/terminals/${a.id}/../${b.id}/acks`,
      `yihu/v1/terminals/${b.id}/acks`,
      `yihu/v1/terminals/${a.id}/acks/extra`,
    ]) {
      const d = await TestDevice.connect(h.mqttUrl, a);
      d.client.on('error', () => undefined);
      d.client.publish(
        topic,
        JSON.stringify({ messageId: bMsg.messageId, state: 'acknowledged', at: new Date().toISOString() }),
        { qos: 1 },
      );
      await new Promise((r) => setTimeout(r, 200));
      if (kind === 'embedded') expect(d.closed).toBe(true);
      await d.client.endAsync(true);
    }
    if (kind === 'embedded') {
      expect(await before('too_large')).toBe(base.too_large + 1);
      expect(await before('topic_denied')).toBe(base.topic_denied + 3);
    }
    expect((await messages(h, b.id)).find((m) => m.messageId === bMsg.messageId)!.state).not.toBe(
      'acknowledged',
    );

    // still serving: a's own valid ack goes through
    const ok = await connect(h, a);
    await ok.ack(aMsg.messageId, 'acknowledged');
    await waitFor(
      async () =>
        (await messages(h, a.id)).find((m) => m.messageId === aMsg.messageId)!.state === 'acknowledged',
      'valid ack recorded',
    );
    expect((await fetch(`${h.baseUrl}/api/v1/health`)).status).toBe(200);
    await ok.end();
    await da.end().catch(() => undefined);
    await db.end();
  });
  it('de-duplicates terminal messages on the job messageId: a retried job adds nothing, an escalation re-delivery reaches the terminal again', async () => {
    const creds = await provision(h.api, h.siteId, 'dedupe');
    const device = await connect(h, creds);
    device.client.on('message', () => undefined);
    const channel = h.app.app.get(TerminalChannel);
    const directiveId = randomUUID();
    const first = deliveryJob(h.siteId, directiveId, randomUUID());
    await channel.deliver(first, 'push');
    await channel.deliver(first, 'push'); // at-least-once: the same job again
    await waitFor(
      () => device.received.filter((m) => m.directiveId === directiveId).length >= 1,
      'first delivery',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(unique(device.received.filter((m) => m.directiveId === directiveId))).toHaveLength(1);
    await channel.deliver(deliveryJob(h.siteId, directiveId, randomUUID(), 1), 'push'); // escalation step 1
    await waitFor(
      () => unique(device.received.filter((m) => m.directiveId === directiveId)).length === 2,
      'the re-delivery',
    );
    const rows = (await messages(h, creds.id)).filter((m) => m.directiveId === directiveId);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((m) => m.messageId)).size).toBe(2);
    await device.end();
  });

  it('marks a message sent when the device stays silent, and lets a device ack record the send itself', async () => {
    const silentCreds = await provision(h.api, h.siteId, 'silent');
    const ackingCreds = await provision(h.api, h.siteId, 'acking');
    const silent = await connect(h, silentCreds);
    const acking = await connect(h, ackingCreds);
    silent.client.on('message', () => undefined);
    const directiveId = randomUUID();
    await h.app.app.get(TerminalChannel).deliver(deliveryJob(h.siteId, directiveId, randomUUID()), 'push');
    await waitFor(
      () => acking.received.some((m) => m.directiveId === directiveId),
      'delivery to the acking device',
    );
    const mine = acking.received.find((m) => m.directiveId === directiveId)!;
    await acking.ack(mine.messageId, 'received');
    const row = async (id: string) => {
      const [r] = (await h.app.app
        .get(DataSource)
        .query(
          `SELECT state, send_count, sent_at FROM terminal_messages WHERE terminal_id = $1 AND directive_id = $2`,
          [id, directiveId],
        )) as { state: string; send_count: number; sent_at: Date | null }[];
      return r;
    };
    // the `sent` mark is written within about half a second of the publish
    await waitFor(
      async () => (await row(silentCreds.id))?.state === 'sent',
      'the silent device’s message marked sent',
    );
    expect(await row(silentCreds.id)).toMatchObject({ send_count: 1 });
    await waitFor(async () => (await row(ackingCreds.id))?.state === 'received', 'the ack recorded');
    await new Promise((r) => setTimeout(r, 1000)); // past the sent-mark delay: no second count
    const acked = await row(ackingCreds.id);
    expect(acked).toMatchObject({ state: 'received', send_count: 1 });
    expect(acked!.sent_at).not.toBeNull();
    await silent.end();
    await acking.end();
  });

  it('reports a terminal’s 签收 that a crash kept from its directive, once the sweep runs', async () => {
    const town = await createSite(h.api, `对账镇 ${kind}`, 'township', h.siteId);
    const creds = await provision(h.api, town, 'reconcile');
    const issued = await h.api.post<{ id: string }>('/api/v1/directives', {
      title: '对账',
      body: '签收记录在终端，未报到指令',
      level: 'blue',
      targets: { siteIds: [town] },
      ackWithinSeconds: 600,
    });
    expect(issued.status).toBe(201);
    const directiveId = issued.body.id;
    await waitFor(
      async () => (await messages(h, creds.id)).some((m) => m.directiveId === directiveId),
      'the outbox row',
    );
    const recipient = async () =>
      (
        await h.api.get<{ recipients: { state: string; acknowledgedVia: string | null }[] }>(
          `/api/v1/directives/${directiveId}`,
        )
      ).body.recipients[0]!;
    const reconciler = h.app.app.get(ReceiptReconciler);
    // the device's 签收 recorded on the row a minute ago, and the bridge gone before it
    // reported it: the township still reads pending
    await h.app.app.get(DataSource).query(
      `UPDATE terminal_messages SET state = 'acknowledged', send_count = 1,
         sent_at = now() - interval '2 minutes', received_at = now() - interval '2 minutes',
         acknowledged_at = now() - interval '1 minute'
       WHERE terminal_id = $1 AND directive_id = $2`,
      [creds.id, directiveId],
    );
    expect((await recipient()).state).toBe('pending');
    expect(await reconciler.reconcile()).toBe(1);
    await waitFor(async () => (await recipient()).state === 'acknowledged', 'the township acknowledged');
    expect((await recipient()).acknowledgedVia).toBe('terminal');
    // nothing left to report; a receipt of a moment ago is left to the live path
    expect(await reconciler.reconcile()).toBe(0);
  });

  it('sends a terminal connected but not yet subscribed the directive once it subscribes, and once only', async () => {
    const creds = await provision(h.api, h.siteId, 'late-subscriber');
    const device = await waitFor(
      () => TestDevice.open(h.mqttUrl, creds),
      'the late subscriber to connect',
      10_000,
    );
    const got = device.received;
    await sleep(300); // the embedded broker has told the bridge it is connected
    const directiveId = randomUUID();
    await h.app.app.get(TerminalChannel).deliver(deliveryJob(h.siteId, directiveId, randomUUID()), 'push');
    // the embedded broker publishes into a session with no subscription (nothing is kept);
    // an external broker's bridge has not heard `online` and sends nothing yet
    await sleep(1000);
    expect(got).toHaveLength(0);
    await device.client.subscribeAsync(topics(creds.id).directives, { qos: 1 });
    await device.client.publishAsync(topics(creds.id).status, 'online', { qos: 1, retain: true });
    await waitFor(() => got.some((m) => m.directiveId === directiveId), 'the replay after subscribing');
    await sleep(1000);
    expect(got.filter((m) => m.directiveId === directiveId)).toHaveLength(1);
    await device.end();
  });

  it('after a failed publish sends nothing past it, then retries the terminal’s outbox in order', async () => {
    const creds = await provision(h.api, h.siteId, 'publish-fails');
    const device = await connect(h, creds);
    await sleep(500); // past the connection's replay
    const delivery = h.app.app.get(TerminalDelivery);
    // the broker refuses the first publish to this terminal (a quota, say): the one fault
    // this test cannot make a real broker produce on cue
    const link = (delivery as unknown as { link: BrokerLink }).link;
    const refused: string[] = [];
    const failing = Object.create(link) as BrokerLink;
    failing.publish = (topic, payload, options) => {
      if (topic.includes(creds.id) && !refused.length) {
        refused.push(topic);
        return Promise.reject(new Error('quota exceeded'));
      }
      return link.publish(topic, payload, options);
    };
    (delivery as unknown as { link: BrokerLink }).link = failing;
    try {
      const channel = h.app.app.get(TerminalChannel);
      const first: string = randomUUID();
      const second: string = randomUUID();
      await channel.deliver(deliveryJob(h.siteId, first, randomUUID()), 'push');
      await channel.deliver(deliveryJob(h.siteId, second, randomUUID()), 'push');
      await sleep(1000);
      expect(refused).toHaveLength(1);
      // the second must not overtake the first
      expect(device.received.filter((m) => [first, second].includes(m.directiveId))).toHaveLength(0);
      await waitFor(
        () => device.received.filter((m) => [first, second].includes(m.directiveId)).length >= 2,
        'the retry',
        15_000,
      );
      await sleep(500);
      expect(
        device.received.filter((m) => [first, second].includes(m.directiveId)).map((m) => m.directiveId),
      ).toEqual([first, second]);
    } finally {
      (delivery as unknown as { link: BrokerLink }).link = link;
      await device.end();
    }
  });

  it('sends a message again to an online terminal that never confirmed `received`, later each time, and no more once it does', async () => {
    const creds = await provision(h.api, h.siteId, 'no-receipt');
    const device = await connect(h, creds);
    const db = h.app.app.get(DataSource);
    const delivery = h.app.app.get(TerminalDelivery);
    // online in the database (the sweep's condition), and past the connection's replay,
    // which would otherwise pick up the new row as well (a harmless second copy)
    await waitFor(
      async () =>
        (
          (await db.query(`SELECT presence FROM terminals WHERE id = $1`, [creds.id])) as {
            presence: string;
          }[]
        )[0]?.presence === 'online',
      'presence recorded',
    );
    await sleep(300);
    const directiveId = randomUUID();
    await h.app.app.get(TerminalChannel).deliver(deliveryJob(h.siteId, directiveId, randomUUID()), 'push');
    const copies = () => device.received.filter((m) => m.directiveId === directiveId);
    const row = async () =>
      (
        (await db.query(
          `SELECT state, send_count FROM terminal_messages WHERE terminal_id = $1 AND directive_id = $2`,
          [creds.id, directiveId],
        )) as { state: string; send_count: number }[]
      )[0];
    await waitFor(async () => (await row())?.state === 'sent', 'the first send marked');
    expect(copies()).toHaveLength(1);
    // an hour without `received`: the sweep sends it again, with the same messageId
    const backdate = () =>
      db.query(
        `UPDATE terminal_messages SET sent_at = now() - interval '1 hour' WHERE terminal_id = $1 AND directive_id = $2`,
        [creds.id, directiveId],
      );
    await backdate();
    await delivery.resendUnconfirmed();
    await waitFor(() => copies().length === 2, 'the second send');
    expect(copies()[1]!.messageId).toBe(copies()[0]!.messageId);
    await waitFor(async () => (await row())?.send_count === 2, 'the second send counted');
    const setSendCount = (n: number) =>
      db.query(`UPDATE terminal_messages SET send_count = $3 WHERE terminal_id = $1 AND directive_id = $2`, [
        creds.id,
        directiveId,
        n,
      ]);
    // just sent again: not yet due (next after 2x the delay)
    await delivery.resendUnconfirmed();
    await sleep(300);
    expect(copies()).toHaveLength(2);
    // claimed by the straggler sweep a moment ago and not yet counted (send_count 0): not
    // due before one whole delay either
    await setSendCount(0);
    await db.query(
      `UPDATE terminal_messages SET sent_at = now() - interval '2 seconds' WHERE terminal_id = $1 AND directive_id = $2`,
      [creds.id, directiveId],
    );
    await delivery.resendUnconfirmed();
    await sleep(300);
    expect(copies()).toHaveLength(2);
    // at the limit of sends: left for the next reconnect's replay
    await setSendCount(5);
    await backdate();
    await delivery.resendUnconfirmed();
    await sleep(300);
    expect(copies()).toHaveLength(2);
    // confirmed: never again
    await setSendCount(2);
    await device.ack(copies()[0]!.messageId, 'received');
    await waitFor(async () => (await row())?.state === 'received', 'the receipt recorded');
    await backdate();
    await delivery.resendUnconfirmed();
    await sleep(300);
    expect(copies()).toHaveLength(2);
    await device.end();
  });

  it('claims a message left queued without a notice in the sweep’s own statement, and sends it once', async () => {
    const creds = await provision(h.api, h.siteId, 'straggler');
    const device = await connect(h, creds);
    const db = h.app.app.get(DataSource);
    const delivery = h.app.app.get(TerminalDelivery);
    await waitFor(
      async () =>
        (
          (await db.query(`SELECT presence FROM terminals WHERE id = $1`, [creds.id])) as {
            presence: string;
          }[]
        )[0]?.presence === 'online',
      'presence recorded',
    );
    await sleep(300); // past the connection's replay
    // a row whose outbox notice was lost, queued a minute ago
    const messageId = randomUUID();
    const directiveId = `straggler-${messageId}`;
    const payload = JSON.stringify({
      messageId,
      directiveId,
      serial: 'T-1',
      title: '迟到',
      body: '',
      level: 'none',
      issuedAt: new Date().toISOString(),
      expiresAt: null,
      drill: true,
    });
    await db.query(
      `INSERT INTO terminal_messages (id, terminal_id, directive_id, source_id, topic, payload, created_at)
       VALUES ($1, $2, $3, $3, 'directives', $4, now() - interval '1 minute')`,
      [messageId, creds.id, directiveId, payload],
    );
    const state = async () =>
      (
        (await db.query(`SELECT state, send_count FROM terminal_messages WHERE id = $1`, [messageId])) as {
          state: string;
          send_count: number;
        }[]
      )[0];
    await delivery.requeueStragglers();
    // taken in the sweep's own statement, before any send or `sent` mark: another bridge's
    // sweep, which does not share this one's memory of what it is sending, finds nothing
    expect((await state())?.state).toBe('sent');
    await delivery.requeueStragglers();
    const copies = () => device.received.filter((m) => m.messageId === messageId);
    await waitFor(() => copies().length >= 1, 'the straggler sent');
    await sleep(1000);
    expect(copies()).toHaveLength(1);
    expect(await state()).toEqual({ state: 'sent', send_count: 1 });
    await device.end();
  });

  it('sends updates and cancellations on the notices topic to terminals that got the directive, and stops replaying a cancelled one', async () => {
    const creds = await provision(h.api, h.siteId, 'notices');
    const device = await connect(h, creds);
    const notices: TerminalNoticeMessage[] = [];
    device.client.on(
      'message',
      (topic, payload) => topic === topics(creds.id).notices && notices.push(JSON.parse(payload.toString())),
    );
    await device.client.subscribeAsync(topics(creds.id).notices, { qos: 1 });
    const channel = h.app.app.get(TerminalChannel);
    const directiveId = randomUUID();
    const job = deliveryJob(h.siteId, directiveId, randomUUID());
    await channel.deliver(job, 'push');
    await waitFor(() => device.received.some((m) => m.directiveId === directiveId), 'directive');
    await channel.deliver(
      {
        ...job,
        kind: 'update',
        messageId: randomUUID(),
        update: {
          directiveId,
          serial: 'ZL-2026-001',
          messageId: randomUUID(),
          text: '范围扩大',
          at: new Date().toISOString(),
        },
      },
      'push',
    );
    await channel.deliver(
      {
        ...job,
        kind: 'cancel',
        messageId: randomUUID(),
        cancelled: { directiveId, serial: 'ZL-2026-001', reason: null, at: new Date().toISOString() },
      },
      'push',
    );
    await waitFor(() => notices.length >= 2, 'two notices');
    expect(notices.map((n) => [n.kind, n.text, n.directiveId])).toEqual([
      ['update', '范围扩大', directiveId],
      ['cancel', '', directiveId],
    ]);
    // the cancelled directive is withdrawn: not replayed when the device returns
    await device.end();
    const back = await connect(h, creds);
    await new Promise((r) => setTimeout(r, 500));
    expect(back.received.some((m) => m.directiveId === directiveId)).toBe(false);
    const withdrawn = (await messages(h, creds.id)).find(
      (m) => m.directiveId === directiveId && !notices.some((n) => n.messageId === m.messageId),
    )!;
    expect(withdrawn.state).toBe('expired');
    // a late 签收 of the withdrawn message is refused and counted; the message stays expired
    const expiredAcks = () => counter(h.baseUrl, 'yihu_mqtt_rejected_total', 'reason="expired_message"');
    const refusedBefore = await expiredAcks();
    await back.ack(withdrawn.messageId, 'acknowledged');
    await waitFor(async () => (await expiredAcks()) === refusedBefore + 1, 'late ack refused');
    expect((await messages(h, creds.id)).find((m) => m.messageId === withdrawn.messageId)!.state).toBe(
      'expired',
    );
    await back.end();
  });

  it('survives a burst of 5,000 acks and 5,000 status messages from one device (checked and counted, the hub stays up)', async () => {
    const creds = await provision(h.api, h.siteId, 'burst');
    const device = await connect(h, creds);
    const before = await counter(h.baseUrl, 'yihu_mqtt_rejected_total', 'reason="unknown_message"');
    const at = new Date().toISOString();
    for (let i = 0; i < 5000; i++) {
      device.client.publish(
        topics(creds.id).acks,
        JSON.stringify({ messageId: randomUUID(), state: 'received', at }),
        { qos: 0 },
      );
      // retained status messages keep the broker's queue busy (stored asynchronously) while the acks pour in
      device.client.publish(
        topics(creds.id).status,
        JSON.stringify({ power: 'battery', battery: i % 100, link: 'lan' }),
        { qos: 0, retain: true },
      );
    }
    await waitFor(
      async () =>
        (await counter(h.baseUrl, 'yihu_mqtt_rejected_total', 'reason="unknown_message"')) >= before + 5000,
      'all 5,000 counted',
      30_000,
    );
    expect((await fetch(`${h.baseUrl}/api/v1/health`)).status).toBe(200);
    await device.end();
  });

  if (kind === 'embedded') {
    it('EMQX HTTP authn/authz: allows a terminal only its own topics, and refuses calls without the token', async () => {
      const creds = await provision(h.api, h.siteId, 'emqx');
      const call = async (path: string, body: unknown, token: string | null = EMQX_TOKEN) => {
        const res = await fetch(`${h.baseUrl}/api/v1/mqtt/emqx/${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        return {
          status: res.status,
          body: (await res.json().catch(() => null)) as { result?: string } | null,
        };
      };
      const authn = (clientid: string, username: string, password: string) =>
        call('authn', { clientid, username, password });
      expect((await authn(creds.id, creds.id, creds.secret)).body!.result).toBe('allow');
      expect((await authn(creds.id, creds.id, 'wrong')).body!.result).toBe('deny');
      expect((await authn('other', creds.id, creds.secret)).body!.result).toBe('deny');
      expect((await authn('yihu-bridge-x', 'yihu-bridge', 'not-the-bridge-password')).body!.result).toBe(
        'deny',
      );
      expect(
        (await call('authn', { clientid: creds.id, username: creds.id, password: creds.secret }, null))
          .status,
      ).toBe(401);
      expect(
        (
          await call(
            'authn',
            { clientid: creds.id, username: creds.id, password: creds.secret },
            'x'.repeat(EMQX_TOKEN.length),
          )
        ).status,
      ).toBe(401);
      expect((await call('authn', '{not json')).status).toBe(400);
      expect((await call('authn', { username: 'no client id' })).status).toBe(400);

      const other = 't00000000000000000000';
      const authz = (topic: string, action: string, retain = false) =>
        call('authz', { clientid: creds.id, username: creds.id, topic, action, retain: String(retain) });
      const t = topics(creds.id);
      const matrix: [string, string, boolean, string][] = [
        [t.directives, 'subscribe', false, 'allow'],
        [`yihu/v1/terminals/${creds.id}/notices`, 'subscribe', false, 'allow'],
        [t.acks, 'publish', false, 'allow'],
        [t.status, 'publish', true, 'allow'],
        [t.acks, 'publish', true, 'deny'],
        [t.directives, 'publish', false, 'deny'],
        [t.acks, 'subscribe', false, 'deny'],
        [topics(other).directives, 'subscribe', false, 'deny'],
        [topics(other).acks, 'publish', false, 'deny'],
        ['yihu/v1/terminals/+/directives', 'subscribe', false, 'deny'],
        ['#', 'subscribe', false, 'deny'],
        [`yihu/v1/terminals/${creds.id}/../${other}/acks`, 'publish', false, 'deny'],
        [t.directives, 'all', false, 'deny'],
      ];
      for (const [topic, action, retain, want] of matrix) {
        expect([topic, action, retain, (await authz(topic, action, retain)).body!.result]).toEqual([
          topic,
          action,
          retain,
          want,
        ]);
      }
      expect(
        (await call('authz', { clientid: creds.id, username: creds.id, topic: t.acks, action: 'delete' }))
          .status,
      ).toBe(400);
      expect(
        (
          await call(
            'authz',
            { clientid: creds.id, username: creds.id, topic: t.acks, action: 'publish' },
            null,
          )
        ).status,
      ).toBe(401);
    });
  }
});

describe('MQTT bridge restarted on Mosquitto', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('mosquitto');
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('replays to every device after a restart, even where a replay claim from before it is still fresh', async () => {
    const creds = await provision(h.api, h.siteId, 'claimed-before-restart');
    const device = await connect(h, creds);
    const directiveId = randomUUID();
    await h.app.app.get(TerminalChannel).deliver(deliveryJob(h.siteId, directiveId, randomUUID()), 'push');
    const copies = () => device.received.filter((m) => m.directiveId === directiveId);
    await waitFor(() => copies().length === 1, 'the first send');
    // As a bridge killed mid-fan-out leaves it: the device's 签收 was PUBACKed but never
    // recorded (the message stays `sent`), and the bridge's own claim on replaying the
    // device is fresh (here for a minute, so the restart cannot outlast it).
    await h.app.app
      .get(DataSource)
      .query(`UPDATE terminals SET replay_claimed_at = now() + interval '1 minute' WHERE id = $1`, [
        creds.id,
      ]);
    await h.restartApp();
    // the retained `online` reaches the new bridge with its subscription: it replays
    await waitFor(() => copies().length === 2, 'the replay after the restart', 15_000);
    expect(copies()[1]!.messageId).toBe(copies()[0]!.messageId);
    await device.client.endAsync();
  });
});
