import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  connectDevice,
  startBridgeHarness,
  terminalMessages,
  testCall,
  type BridgeHarness,
  type BrokerKind,
} from '../support/bridge-harness.js';
import {
  connectRefused,
  counter,
  provision,
  TestDevice,
  topics,
  waitFor,
  type Credentials,
} from '../support/terminals.js';

const EMQX_TOKEN = 'emqx-http-auth-token-0123456789';

/**
 * What a terminal may do. Connect: with its current secret and its own id as client id, not
 * after a rotation or a revocation. Touch: only its own topics, on either broker and through
 * the HTTP authn/authz an EMQX cluster calls. Send: well-formed input; garbage, oversized
 * packets, topic tricks and floods are refused and counted, and the hub keeps serving.
 */
describe.each<BrokerKind>(['embedded', 'mosquitto'])('MQTT bridge access with the %s broker', (kind) => {
  let h: BridgeHarness;

  beforeAll(async () => {
    h = await startBridgeHarness(kind, { MQTT_HTTP_AUTH_TOKEN: EMQX_TOKEN });
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('provisions, lists with presence, rotates and revokes', async () => {
    const bad = await h.api.post('/api/v1/terminals', { name: 'x', siteId: h.siteId, kind: 'fax' });
    expect(bad.status).toBe(400);
    const creds = await provision(h.api, h.siteId, 'village loudspeaker');
    expect(creds.id).toMatch(/^t[0-9a-f]{20}$/);
    const device = await connectDevice(h, creds);
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
    const again = await connectDevice(h, rotated.body);
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

  it('rotating a secret closes the connection made with the old one; the old secret is refused, the new one works', async () => {
    const creds = await provision(h.api, h.siteId, 'rotated loudspeaker');
    const old = await connectDevice(h, creds);
    expect(old.closed).toBe(false);
    const rotated = await h.api.post<Credentials>(`/api/v1/terminals/${creds.id}/rotate`);
    expect(rotated.status).toBe(200);
    // Mosquitto drops it when it reloads the rewritten password file; aedes when the bridge hears of the rotation
    await waitFor(() => old.closed, 'the connection with the old secret closed');
    await old.client.endAsync(true);
    expect(
      await connectRefused(h.mqttUrl, { clientId: creds.id, username: creds.id, password: creds.secret }),
    ).toMatch(/Bad username or password|Not authorized/i);
    const renewed = await connectDevice(h, rotated.body);
    expect(renewed.client.connected).toBe(true);
    await renewed.end();
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

  it('ACL matrix: every attempt on another terminal’s topics is denied', async () => {
    const creds = [
      await provision(h.api, h.siteId, 'A'),
      await provision(h.api, h.siteId, 'B'),
      await provision(h.api, h.siteId, 'C'),
    ];
    const devices = await Promise.all(creds.map((c) => connectDevice(h, c)));
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
    const state = (await terminalMessages(h, creds[0]!.id)).find(
      (m) => m.messageId === victimMsg.messageId,
    )!.state;
    expect(state).not.toBe('acknowledged');
    const list = (await h.api.get<{ id: string; presence: string }[]>('/api/v1/terminals')).body;
    expect(list.find((t) => t.id === creds[0]!.id)!.presence).toBe('online');
    for (const d of devices) await d.end().catch(() => undefined);
  });

  it('rejects and counts bad input, and keeps running', async () => {
    const [a, b] = [await provision(h.api, h.siteId, 'bad-a'), await provision(h.api, h.siteId, 'bad-b')];
    const da = await connectDevice(h, a);
    const db = await connectDevice(h, b);
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
      packet_too_large: await before('packet_too_large'),
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
    expect((await terminalMessages(h, b.id)).find((m) => m.messageId === bMsg.messageId)!.state).not.toBe(
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
      // refused from the PUBLISH's fixed header, before its megabyte is read (connection-limits.ts)
      expect(await before('packet_too_large')).toBe(base.packet_too_large + 1);
      expect(await before('topic_denied')).toBe(base.topic_denied + 3);
    }
    expect((await terminalMessages(h, b.id)).find((m) => m.messageId === bMsg.messageId)!.state).not.toBe(
      'acknowledged',
    );

    // still serving: a's own valid ack goes through
    const ok = await connectDevice(h, a);
    await ok.ack(aMsg.messageId, 'acknowledged');
    await waitFor(
      async () =>
        (await terminalMessages(h, a.id)).find((m) => m.messageId === aMsg.messageId)!.state ===
        'acknowledged',
      'valid ack recorded',
    );
    expect((await fetch(`${h.baseUrl}/api/v1/health`)).status).toBe(200);
    await ok.end();
    await da.end().catch(() => undefined);
    await db.end();
  });

  it('survives a burst of 5,000 acks and 5,000 status messages from one device (checked and counted, the hub stays up)', async () => {
    const creds = await provision(h.api, h.siteId, 'burst');
    const device = await connectDevice(h, creds);
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
      // a radio gateway has its radio topics too; a push terminal none of them
      const gateway = await provision(h.api, h.siteId, 'emqx radio', 'radio');
      const r = (id: string, leaf: string) => `yihu/v1/terminals/${id}/radio/${leaf}`;
      const authzAs = (id: string, topic: string, action: string, extra: Record<string, unknown> = {}) =>
        call('authz', { clientid: id, username: id, topic, action, retain: 'false', ...extra });
      const radioMatrix: [string, string, string, string][] = [
        [gateway.id, r(gateway.id, 'cmd'), 'subscribe', 'allow'],
        [gateway.id, r(gateway.id, 'join'), 'publish', 'allow'],
        [gateway.id, r(gateway.id, 'state'), 'publish', 'allow'],
        [gateway.id, r(gateway.id, 'events'), 'publish', 'allow'],
        [gateway.id, t.acks.replace(creds.id, gateway.id), 'publish', 'allow'],
        [gateway.id, r(gateway.id, 'cmd'), 'publish', 'deny'],
        [gateway.id, r(gateway.id, 'state'), 'subscribe', 'deny'],
        [gateway.id, r(gateway.id, 'other'), 'publish', 'deny'],
        [gateway.id, r(creds.id, 'cmd'), 'subscribe', 'deny'],
        [gateway.id, r(other, 'state'), 'publish', 'deny'],
        [gateway.id, 'yihu/v1/terminals/+/radio/cmd', 'subscribe', 'deny'],
        [gateway.id, r(gateway.id, '#'), 'subscribe', 'deny'],
        [creds.id, r(creds.id, 'cmd'), 'subscribe', 'deny'],
        [creds.id, r(creds.id, 'join'), 'publish', 'deny'],
        [creds.id, r(creds.id, 'state'), 'publish', 'deny'],
        [creds.id, r(creds.id, 'events'), 'publish', 'deny'],
        [creds.id, r(gateway.id, 'cmd'), 'subscribe', 'deny'],
      ];
      // the bridge learns a new terminal's kind from its registry, refreshed on the bus just after
      // provisioning: until then the gateway is asked about as a push terminal
      await waitFor(
        async () => (await authzAs(gateway.id, r(gateway.id, 'cmd'), 'subscribe')).body!.result === 'allow',
        'the bridge knows the new gateway is a radio',
      );
      for (const [id, topic, action, want] of radioMatrix)
        expect([id, topic, action, (await authzAs(id, topic, action)).body!.result]).toEqual([
          id,
          topic,
          action,
          want,
        ]);
      // retained or oversized radio messages are refused by size and flag, as EMQX reports them
      expect(
        (await authzAs(gateway.id, r(gateway.id, 'state'), 'publish', { retain: 'true' })).body!.result,
      ).toBe('deny');
      expect(
        (await authzAs(gateway.id, r(gateway.id, 'state'), 'publish', { payload_size: 2048 })).body!.result,
      ).toBe('deny');
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
