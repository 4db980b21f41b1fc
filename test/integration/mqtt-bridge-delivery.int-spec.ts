import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { TerminalNoticeMessage } from '#contracts';
import { TerminalChannel } from '#terminals';
import { WireSimulator } from '../../gateways/push-terminal/src/wire-simulator.js';
import { sleep } from '../support/async.js';
import {
  connectDevice,
  deliveryJob,
  startBridgeHarness,
  terminalMessages,
  testCall,
  unique,
  type BridgeHarness,
  type BrokerKind,
} from '../support/bridge-harness.js';
import { counter, provision, TestDevice, topics, waitFor } from '../support/terminals.js';

/**
 * What reaches a device: directives in order after an absence, once per job messageId, once
 * after a late SUBSCRIBE, notices of updates and cancellations, a replay after the hub
 * restarts; 签收 only from the device.
 */
describe.each<BrokerKind>(['embedded', 'mosquitto'])('MQTT bridge delivery with the %s broker', (kind) => {
  let h: BridgeHarness;

  beforeAll(async () => {
    h = await startBridgeHarness(kind);
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('delivers 3 directives sent while a terminal was offline, in order, when it returns; 签收 only from the device', async () => {
    const creds = await provision(h.api, h.siteId, 'offline one');
    const first = await connectDevice(h, creds);
    await first.end();
    const ids = [await testCall(h, 'one'), await testCall(h, 'two'), await testCall(h, 'three')];
    await new Promise((r) => setTimeout(r, 300));
    const device = await connectDevice(h, creds);
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
    expect((await terminalMessages(h, creds.id)).every((m) => m.state !== 'acknowledged')).toBe(true);
    await device.ack(got[0]!.messageId, 'received');
    await device.ack(got[1]!.messageId, 'acknowledged');
    await waitFor(async () => {
      const states = Object.fromEntries(
        (await terminalMessages(h, creds.id)).map((m) => [m.messageId, m.state]),
      );
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
    // 20 connections through the simulator: seconds on a loaded machine, not a timing check
    await waitFor(
      () => live.arrivals.filter((a) => a.directiveId === directiveId).length === 20,
      'all shown',
      30_000,
    );
    for (const t of terminals)
      await waitFor(
        async () =>
          (await terminalMessages(h, t.id)).some(
            (m) => m.directiveId === directiveId && m.state === 'acknowledged',
          ),
        `${t.id} acknowledged`,
      );
    expect([...live.shows.values()].every((n) => n === 1)).toBe(true);
    live.check();
    await live.stop();
  });

  it('de-duplicates terminal messages on the job messageId: a retried job adds nothing, an escalation re-delivery reaches the terminal again', async () => {
    const creds = await provision(h.api, h.siteId, 'dedupe');
    const device = await connectDevice(h, creds);
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
    const rows = (await terminalMessages(h, creds.id)).filter((m) => m.directiveId === directiveId);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((m) => m.messageId)).size).toBe(2);
    await device.end();
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

  it('sends updates and cancellations on the notices topic to terminals that got the directive, and stops replaying a cancelled one', async () => {
    const creds = await provision(h.api, h.siteId, 'notices');
    const device = await connectDevice(h, creds);
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
    const back = await connectDevice(h, creds);
    await new Promise((r) => setTimeout(r, 500));
    expect(back.received.some((m) => m.directiveId === directiveId)).toBe(false);
    const withdrawn = (await terminalMessages(h, creds.id)).find(
      (m) => m.directiveId === directiveId && !notices.some((n) => n.messageId === m.messageId),
    )!;
    expect(withdrawn.state).toBe('expired');
    // a late 签收 of the withdrawn message is refused and counted; the message stays expired
    const expiredAcks = () => counter(h.baseUrl, 'yihu_mqtt_rejected_total', 'reason="expired_message"');
    const refusedBefore = await expiredAcks();
    await back.ack(withdrawn.messageId, 'acknowledged');
    await waitFor(async () => (await expiredAcks()) === refusedBefore + 1, 'late ack refused');
    expect(
      (await terminalMessages(h, creds.id)).find((m) => m.messageId === withdrawn.messageId)!.state,
    ).toBe('expired');
    await back.end();
  });
});

describe('MQTT bridge restarted on Mosquitto', () => {
  let h: BridgeHarness;

  beforeAll(async () => {
    h = await startBridgeHarness('mosquitto');
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('takes a 签收 pressed before the expiry that reaches the bridge after it, not one pressed after', async () => {
    const creds = await provision(h.api, h.siteId, 'late ack');
    const device = await connectDevice(h, creds);
    const [inTime, tooLate] = [await testCall(h, 'in time'), await testCall(h, 'too late')];
    await waitFor(
      () => [inTime, tooLate].every((id) => device.received.some((m) => m.directiveId === id)),
      'two calls',
    );
    const message = (directiveId: string) =>
      unique(device.received).find((m) => m.directiveId === directiveId)!;
    // as a bridge frozen past the expiry finds them: expired by time while the 签收 waited
    const ds = h.app.app.get(DataSource);
    await ds.query(
      `UPDATE terminal_messages SET expires_at = now() - interval '3 seconds', state = 'expired', expired_at = now()
       WHERE terminal_id = $1 AND directive_id = ANY($2::text[])`,
      [creds.id, [inTime, tooLate]],
    );
    const [{ expires }] = (await ds.query(
      `SELECT expires_at AS expires FROM terminal_messages WHERE terminal_id = $1 AND directive_id = $2`,
      [creds.id, inTime],
    )) as { expires: Date }[];
    const ackAt = async (messageId: string, at: Date) =>
      device.client.publishAsync(
        topics(creds.id).acks,
        JSON.stringify({ messageId, state: 'acknowledged', at: at.toISOString() }),
        { qos: 1 },
      );
    const expiredAcks = () => counter(h.baseUrl, 'yihu_mqtt_rejected_total', 'reason="expired_message"');
    const refusedBefore = await expiredAcks();
    await ackAt(message(inTime).messageId, new Date(new Date(expires).getTime() - 2000));
    await ackAt(message(tooLate).messageId, new Date(new Date(expires).getTime() + 1000));
    await waitFor(async () => (await expiredAcks()) === refusedBefore + 1, 'the late-pressed one refused');
    const states = async () =>
      Object.fromEntries((await terminalMessages(h, creds.id)).map((m) => [m.directiveId, m.state]));
    await waitFor(async () => (await states())[inTime] === 'acknowledged', 'the in-time one recorded');
    expect((await states())[tooLate]).toBe('expired');
    await device.end();
  });

  it('replays to every device after a restart, even where a replay claim from before it is still fresh', async () => {
    const creds = await provision(h.api, h.siteId, 'claimed-before-restart');
    const device = await connectDevice(h, creds);
    const directiveId = randomUUID();
    await h.app.app.get(TerminalChannel).deliver(deliveryJob(h.siteId, directiveId, randomUUID()), 'push');
    const copies = () => device.received.filter((m) => m.directiveId === directiveId);
    // Usually well under a second. Once in CI (2026-12-07, Mosquitto, under load) it took
    // over 10 s, as a returning terminal's replay once did in terminals-cluster.e2e-spec: the
    // straggler sweep's fallback (10–20 s) delivered it. Not reproduced alone; the cause is
    // open (docs/reliability.md). What this test asserts is the replay after the restart.
    const t0 = Date.now();
    await waitFor(() => copies().length === 1, 'the first send', 30_000);
    if (Date.now() - t0 > 5000) console.warn(`first send to a new terminal took ${Date.now() - t0} ms`);
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
