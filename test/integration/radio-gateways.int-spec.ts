import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RADIO_BUS, type RadioCmd, type RadioCmdMessage } from '#contracts';
import { EventBus } from '#platform';
import { sleep } from '../support/async.js';
import {
  connectDevice,
  startBridgeHarness,
  type BridgeHarness,
  type BrokerKind,
} from '../support/bridge-harness.js';
import { connectGateway, radioTopics, RadioBusTap } from '../support/radio.js';
import { counter, provision, waitFor } from '../support/terminals.js';

const now = () => new Date().toISOString();

/**
 * Radio gateways over MQTT (device protocol v1, "Radio gateways"), on the embedded broker
 * and on a real Mosquitto with the generated ACL: what a gateway may touch and a push
 * terminal may not, what reaches the radio server's bus and what is refused and counted,
 * and commands from the bus reaching the one gateway they are for, once.
 */
describe.each<BrokerKind>(['embedded', 'mosquitto'])('radio gateways on the %s broker', (kind) => {
  let h: BridgeHarness;
  let tap: RadioBusTap;

  beforeAll(async () => {
    h = await startBridgeHarness(kind);
    tap = await RadioBusTap.forHub(h);
  }, 180_000);

  afterAll(async () => {
    tap?.stop();
    await h?.stop();
  });

  const rejected = (leaf: string, reason: string) =>
    counter(h.baseUrl, 'yihu_mqtt_radio_rejected_total', `leaf="${leaf}",reason="${reason}"`);
  const commandResults = (result: string) =>
    counter(h.baseUrl, 'yihu_mqtt_radio_commands_total', `result="${result}"`);
  const send = (message: RadioCmdMessage) => h.app.app.get(EventBus).publish(RADIO_BUS.cmd, message);
  const gateway = async (name: string) => {
    const creds = await provision(h.api, h.siteId, name, 'radio');
    const gw = await waitFor(() => connectGateway(h, creds), `gateway ${name} to connect`, 15_000);
    await waitFor(() => tap.from(creds.id).some((m) => m.leaf === 'join'), `${name}'s join on the bus`);
    return { creds, gw };
  };

  it('a gateway’s join, state and events each reach the bus once, with its site and this bridge', async () => {
    const { creds, gw } = await gateway('北山中继');
    const at = now();
    await gw.publish('state', { cor: true, ptt: false, at });
    await gw.publish('events', { type: 'dtmf', digits: '0042#', at });
    await gw.publish('events', { type: 'emergency', at });
    await waitFor(() => tap.from(creds.id).length >= 4, 'four messages on the bus');
    await sleep(300); // a second copy would have come by now
    const seen = tap.from(creds.id);
    expect(seen.map(({ leaf, body }) => ({ leaf, body }))).toEqual([
      { leaf: 'join', body: { codecs: ['PCMA'], ssrc: 1234, at: expect.any(String) } },
      { leaf: 'state', body: { cor: true, ptt: false, at } },
      { leaf: 'events', body: { type: 'dtmf', digits: '0042#', at } },
      { leaf: 'events', body: { type: 'emergency', at } },
    ]);
    for (const m of seen) {
      expect(m.terminalId).toBe(creds.id);
      expect(m.siteId).toBe(h.siteId);
      expect(typeof m.bridge).toBe('string');
      expect(m.bridge.length).toBeGreaterThan(0);
    }
    await gw.device.end();
  });

  it('a radio.cmd on the bus reaches its gateway once, and no other terminal', async () => {
    const { creds: g1, gw: gw1 } = await gateway('一号网关');
    const { creds: g2, gw: gw2 } = await gateway('二号网关');
    const pushCreds = await provision(h.api, h.siteId, '村村响');
    const push = await connectDevice(h, pushCreds);
    // a push terminal asks for radio topics, another gateway for g1's, anyone for wildcards
    for (const [device, filter] of [
      [push, radioTopics(pushCreds.id).cmd],
      [push, radioTopics(g1.id).cmd],
      [gw2.device, radioTopics(g1.id).cmd],
      [push, 'yihu/v1/terminals/+/radio/cmd'],
      [gw2.device, 'yihu/v1/terminals/+/radio/cmd'],
      [gw2.device, `yihu/v1/terminals/${g1.id}/radio/#`],
      [gw2.device, 'yihu/v1/terminals/#'],
    ] as const) {
      const code = await device.trySubscribe(filter);
      // aedes refuses at SUBACK; Mosquitto grants and then delivers nothing the ACL denies (below)
      if (kind === 'embedded') expect([filter, code]).toEqual([filter, 128]);
    }
    const cmds: RadioCmd[] = [
      { type: 'media', host: '127.0.0.1', port: 40000, codec: 'PCMA', payloadType: 8, clockRate: 8000 },
      { type: 'key', transmissionId: 'tx-1', talker: { kind: 'user', name: '调度员' } },
      { type: 'unkey', transmissionId: 'tx-1', reason: 'ended' },
      { type: 'inhibit', tx: true, rx: false },
    ];
    const published = await commandResults('published');
    for (const cmd of cmds) await send({ terminalId: g1.id, cmd, id: randomUUID() });
    await waitFor(() => gw1.commands.length >= cmds.length, 'the commands at the gateway');
    // refused on the bus: an unknown command, and one for a push terminal
    const invalid = await commandResults('invalid');
    const notRadio = await commandResults('not_radio');
    await send({ terminalId: g1.id, cmd: { type: 'explode' } as unknown as RadioCmd, id: randomUUID() });
    await send({ terminalId: pushCreds.id, cmd: cmds[3]!, id: randomUUID() });
    await waitFor(async () => (await commandResults('not_radio')) === notRadio + 1, 'not_radio counted');
    await sleep(500);
    expect(await commandResults('invalid')).toBe(invalid + 1);
    expect(await commandResults('published')).toBe(published + cmds.length);
    expect(gw1.commands).toEqual(cmds);
    expect(gw2.commands).toEqual([]);
    expect([...push.topicsSeen].filter((t) => t.includes('/radio/'))).toEqual([]);
    expect([...gw2.device.topicsSeen].filter((t) => t !== radioTopics(g2.id).cmd)).toEqual([]);
    for (const d of [gw1.device, gw2.device, push]) await d.end().catch(() => undefined);
  });

  it('refuses and counts malformed radio input; none of it reaches the bus, and the gateway goes on', async () => {
    const { creds, gw } = await gateway('坏消息网关');
    const base = {
      json: await rejected('radio/state', 'malformed_json'),
      state: await rejected('radio/state', 'invalid_schema'),
      events: await rejected('radio/events', 'invalid_schema'),
      join: await rejected('radio/join', 'invalid_schema'),
      large: await rejected('radio/state', 'too_large'),
    };
    const at = now();
    await gw.publish('state', '{not json');
    await gw.publish('state', { cor: 'yes', ptt: false, at });
    await gw.publish('events', { type: 'dtmf', digits: '12X', at });
    await gw.publish('events', { type: 'selfdestruct', at });
    await gw.publish('join', { codecs: [], ssrc: -1, at: 'yesterday' });
    // last: the embedded broker closes the connection on it
    gw.device.client.publish(
      radioTopics(creds.id).state,
      JSON.stringify({ cor: true, ptt: false, at, extra: 'x'.repeat(2000) }),
      { qos: 1 },
    );
    await waitFor(
      async () => (await rejected('radio/join', 'invalid_schema')) === base.join + 1,
      'join counted',
    );
    expect(await rejected('radio/state', 'malformed_json')).toBe(base.json + 1);
    expect(await rejected('radio/state', 'invalid_schema')).toBe(base.state + 1);
    expect(await rejected('radio/events', 'invalid_schema')).toBe(base.events + 2);
    // 2 KB: the embedded broker refuses it at the PUBLISH (and closes), Mosquitto passes it to the bridge
    if (kind === 'embedded') await waitFor(() => gw.device.closed, 'the oversized publisher disconnected');
    await waitFor(
      async () => (await rejected('radio/state', 'too_large')) === base.large + 1,
      'the oversized message counted',
    );
    expect(tap.from(creds.id).map((m) => m.leaf)).toEqual(['join']);
    // the gateway carries on (on the embedded broker, after reconnecting)
    const again = kind === 'embedded' ? await connectGateway(h, creds, false) : gw;
    await again.publish('state', { cor: false, ptt: true, at });
    await waitFor(
      () => tap.from(creds.id).some((m) => m.leaf === 'state'),
      'a valid state after the garbage',
    );
    expect((await fetch(`${h.baseUrl}/api/v1/health`)).status).toBe(200);
    await again.device.end().catch(() => undefined);
  });

  it('rate-limits each gateway: a burst of 100 state changes is cut to its limit and the rest counted', async () => {
    const { creds, gw } = await gateway('抖动网关');
    const limited = await rejected('radio/state', 'rate_limited');
    for (let i = 0; i < 100; i++)
      gw.device.client.publish(
        radioTopics(creds.id).state,
        JSON.stringify({ cor: i % 2 === 0, ptt: false, at: now() }),
        { qos: 0 },
      );
    const states = () => tap.from(creds.id).filter((m) => m.leaf === 'state').length;
    await waitFor(
      async () => states() + (await rejected('radio/state', 'rate_limited')) - limited === 100,
      'every state message forwarded or counted',
      15_000,
    );
    // a burst of 20, and what refilled while the rest arrived (a loaded machine: a few seconds)
    expect(states()).toBeGreaterThanOrEqual(20);
    expect(states()).toBeLessThan(60);
    await gw.device.end();
  });

  it('a push terminal cannot publish radio messages, nor a gateway as another; unknown leaves are refused', async () => {
    const { creds: g1, gw: gw1 } = await gateway('被冒充网关');
    const { creds: g2, gw: gw2 } = await gateway('冒充网关');
    const pushCreds = await provision(h.api, h.siteId, '冒充的村村响');
    const push = await connectDevice(h, pushCreds);
    const before = await rejected('radio/join', 'topic_denied');
    const other = await rejected('radio/other', 'topic_denied');
    const at = now();
    push.client.publish(radioTopics(pushCreds.id).join, JSON.stringify({ codecs: ['PCMA'], ssrc: 1, at }), {
      qos: 1,
    });
    gw2.device.client.publish(radioTopics(g1.id).state, JSON.stringify({ cor: true, ptt: false, at }), {
      qos: 1,
    });
    gw1.device.client.publish(`yihu/v1/terminals/${g1.id}/radio/other`, JSON.stringify({ at }), { qos: 1 });
    if (kind === 'embedded') {
      // 3.1.1 has no negative PUBACK: aedes closes each of them, and counts by leaf
      await waitFor(() => push.closed && gw2.device.closed && gw1.device.closed, 'all three closed');
      expect(await rejected('radio/join', 'topic_denied')).toBe(before + 1);
      expect(await rejected('radio/other', 'topic_denied')).toBe(other + 1);
    } else {
      await sleep(1000); // Mosquitto drops them silently
    }
    expect(tap.from(pushCreds.id)).toEqual([]);
    expect(tap.from(g1.id).map((m) => m.leaf)).toEqual(['join']);
    expect(tap.from(g2.id).map((m) => m.leaf)).toEqual(['join']);
    for (const d of [gw1.device, gw2.device, push]) await d.end().catch(() => undefined);
  });

  it('tells the radio server when a gateway goes off line, comes back, and is revoked', async () => {
    const { creds, gw } = await gateway('掉线网关');
    await waitFor(() => tap.presence.some((p) => p.terminalId === creds.id && p.online), 'online on the bus');
    await gw.device.end();
    const off = await waitFor(
      () => tap.presence.find((p) => p.terminalId === creds.id && !p.online),
      'offline on the bus',
    );
    expect(off).toMatchObject({ siteId: h.siteId, online: false, bridge: expect.any(String) });
    const back = await connectGateway(h, creds);
    await waitFor(
      () => tap.presence.filter((p) => p.terminalId === creds.id).length >= 3,
      'online again on the bus',
    );
    // revoked while connected: its last words are dropped as a revoked terminal's, the edge still goes out
    expect((await h.api.post(`/api/v1/terminals/${creds.id}/revoke`)).status).toBe(200);
    await waitFor(
      () => tap.presence.filter((p) => p.terminalId === creds.id).length >= 4,
      'offline again on the bus after the revocation',
    );
    await back.device.end().catch(() => undefined);
    const edges = tap.presence.filter((p) => p.terminalId === creds.id).map((p) => p.online);
    expect(edges).toEqual([true, false, true, false]);
  });
});
