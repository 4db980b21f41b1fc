import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io } from 'socket.io-client';
import { Api } from '../support/api.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { counter, provision, TestDevice, topics, waitFor } from '../support/terminals.js';

/**
 * Text and values no column can hold, and text that misleads the reader, sent as an
 * outside client would: raw HTTP bodies, a socket.io-client, raw MQTT publishes. Each is a
 * 4xx (or a refusal) naming the field, never a 500.
 */
describe('input text and values at every edge', () => {
  let hub: HubProcess;
  let anon: Api;
  let admin: Api;
  let dispatcher: { id: string; api: Api; token: string };
  let officer: { id: string; api: Api; token: string };
  let rootId: string;
  let town: string;
  let directiveId: string;
  let mqttUrl: string;

  beforeAll(async () => {
    hub = await startHub({ SFU_WORKERS: '1', MQTT_HOST: '127.0.0.1' });
    mqttUrl = `mqtt://127.0.0.1:${hub.env.MQTT_PORT}`;
    anon = new Api(hub.baseUrl);
    admin = await adminLogin(hub.baseUrl);
    rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    town = await createSite(admin, '城关镇', 'township', rootId);
    dispatcher = await createUser(admin, 'disp-text', 'dispatcher', rootId);
    officer = await createUser(admin, 'duty-text', 'duty_officer', town);
    const issued = await dispatcher.api.post('/api/v1/directives', {
      title: '转移通知',
      body: '内容',
      level: 'blue',
      targets: { siteIds: [town] },
    });
    expect(issued.status).toBe(201);
    directiveId = issued.body.id;
  });

  afterAll(async () => {
    if (process.env.YIHU_TEST_DEBUG)
      process.stderr.write(`--- hub output ---\n${hub?.output().slice(-6000)}\n`);
    await hub?.stop();
  });

  const directive = (patch: Record<string, unknown>) =>
    dispatcher.api.post('/api/v1/directives', {
      title: '标题',
      body: '内容',
      level: 'blue',
      targets: { siteIds: [town] },
      ...patch,
    });

  const expect400 = (res: { status: number; body: any }, field: string, message: RegExp) => {
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(`${field}:`);
    expect(res.body.message).toMatch(message);
  };

  describe('NUL and unpaired surrogates', () => {
    it('refuses NUL in a login username without a token: 400, not 500', async () => {
      const res = await anon.post('/api/v1/auth/login', { username: 'ad\u0000min', password: 'x' });
      expect400(res, 'username', /NUL/);
    });

    it('refuses a lone surrogate in a directive title: 400 naming the field', async () => {
      // JSON.stringify writes a lone surrogate as the escape \ud800, as a fuzzer sends it
      expect400(await directive({ title: '撤离\ud800' }), 'title', /unpaired surrogate U\+D800/);
    });

    it.each<[string, string, Record<string, unknown>, string]>([
      ['site name', '/api/v1/sites', { name: '镇\u0000', kind: 'village' }, 'name'],
      ['display name', '/api/v1/users', { displayName: '\ud800' }, 'displayName'],
      ['directive body', '/api/v1/directives', { body: 'a\u0000b' }, 'body'],
      ['site group name', '/api/v1/site-groups', { name: 'g\u0000' }, 'name'],
      ['template name', '/api/v1/directive-templates', { name: '\udfff' }, 'name'],
      ['terminal name', '/api/v1/terminals', { name: 't\u0000' }, 'name'],
      ['consultation title', '/api/v1/consultations', { title: '会商\u0000' }, 'title'],
      ['object key', '/api/v1/sites', { 'x\u0000': 1 }, 'x?'],
    ])('refuses it in a %s', async (_what, path, body, field) => {
      expect400(await dispatcher.api.post(path, body), field, /NUL|unpaired surrogate/);
    });

    it('refuses it in feedback, notes, updates and cancel reasons', async () => {
      const base = `/api/v1/directives/${directiveId}`;
      expect400(await officer.api.post(`${base}/feedback`, { text: '\u0000' }), 'text', /NUL/);
      expect400(await officer.api.post(`${base}/ack`, { note: '\ud800' }), 'note', /unpaired/);
      expect400(await dispatcher.api.post(`${base}/updates`, { text: 'x\u0000' }), 'text', /NUL/);
      expect400(await dispatcher.api.post(`${base}/cancel`, { reason: 'x\u0000' }), 'reason', /NUL/);
    });

    it('refuses it in a query string, on any route', async () => {
      expect400(await admin.get('/api/v1/audit?subjectId=%00'), 'subjectId', /NUL/);
      expect400(await admin.get('/api/v1/sites?anything=%00'), 'anything', /NUL/);
    });

    it('refuses a JSON body that is not valid UTF-8', async () => {
      const res = await fetch(`${hub.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([
          Buffer.from('{"username":"adm'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('in","password":"x"}'),
        ]),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toBe('request body is not valid UTF-8');
    });

    it('answers malformed JSON with a 400 that says why', async () => {
      const res = await anon.request('POST', '/api/v1/auth/login', undefined, '{"username":');
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^request body is not valid JSON: /);
    });

    it.each<[string, Record<string, string>, Buffer | string, number, RegExp]>([
      ['a body over the limit', {}, `{"username":"${'x'.repeat(200_000)}"}`, 413, /too large/],
      [
        'an unsupported charset',
        { 'content-type': 'application/json; charset=latin1' },
        '{}',
        415,
        /charset/,
      ],
      ['a gzip body that is not gzip', { 'content-encoding': 'gzip' }, '{"username":"a"}', 400, /.+/],
      ['an unknown content encoding', { 'content-encoding': 'br2' }, '{}', 415, /encoding/],
    ])('answers %s with a 4xx and a reason', async (_what, headers, body, status, message) => {
      const res = await fetch(`${hub.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    });

    it('refuses it in a Socket.IO event, naming the field, on any event', async () => {
      const c: TestConsole = await openConsole(hub.baseUrl, officer.token);
      try {
        const ack = await c.call('directive.ack', { directiveId: '\u0000' });
        expect(ack).toEqual({ ok: false, error: 'directiveId: must not contain NUL characters (U+0000)' });
        const board = await c.call('directive.board.subscribe', { directiveId: 'x', note: '\ud800' });
        expect(board.ok).toBe(false);
        expect(board.error).toMatch(/^note: must be valid Unicode/);
        // checked before any handler: an event no gateway handles is refused the same way
        expect(await c.call('no.such.event', { x: '\u0000' }, 5000)).toEqual({
          ok: false,
          error: 'x: must not contain NUL characters (U+0000)',
        });
        // the socket is still up and works
        expect((await c.ack(directiveId)).ok).toBe(true);
      } finally {
        c.close();
      }
      const sfu = io(`${hub.baseUrl}/sfu`, {
        auth: { token: dispatcher.token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      try {
        await new Promise<void>((resolve, reject) => {
          sfu.once('connect', () => resolve());
          sfu.once('connect_error', reject);
        });
        const res = await sfu.timeout(10_000).emitWithAck('sfu:join', { consultationId: '\ud800' });
        expect(res).toEqual({
          ok: false,
          error: 'consultationId: must be valid Unicode (unpaired surrogate U+D800)',
        });
      } finally {
        sfu.disconnect();
      }
    });

    it('refuses it in a device status, counted, and the other devices are still recorded', async () => {
      const siteId = await createSite(admin, '河西乡', 'township', rootId);
      const [bad, good] = [await provision(admin, siteId, 'bad'), await provision(admin, siteId, 'good')];
      const before = await counter(hub.baseUrl, 'yihu_mqtt_rejected_total', 'reason="invalid_text"');
      const badDevice = await TestDevice.open(mqttUrl, bad);
      const goodDevice = await TestDevice.open(mqttUrl, good);
      try {
        // both in the same presence batch (100 ms): one bad row must not cost the other
        await Promise.all([
          badDevice.client.publishAsync(topics(bad.id).status, '{"power":"mains","link":"lan\\u0000"}', {
            qos: 1,
          }),
          goodDevice.client.publishAsync(topics(good.id).status, '{"power":"battery","battery":80}', {
            qos: 1,
          }),
        ]);
        await waitFor(
          async () =>
            (await counter(hub.baseUrl, 'yihu_mqtt_rejected_total', 'reason="invalid_text"')) === before + 1,
          'invalid_text rejection counted',
        );
        const list = async () => (await admin.get(`/api/v1/terminals?siteId=${siteId}`)).body as any[];
        const goodView = await waitFor(
          async () => (await list()).find((t) => t.id === good.id && t.telemetry?.battery === 80),
          'the good device recorded',
        );
        expect(goodView.presence).toBe('online');
        expect((await list()).find((t) => t.id === bad.id).telemetry).toBeNull();
      } finally {
        await badDevice.client.endAsync(true);
        await goodDevice.client.endAsync(true);
      }
    });
  });

  describe('dates and numbers out of range', () => {
    it('answers since=0000-01-01 with 400', async () => {
      expect400(
        await dispatcher.api.get('/api/v1/directives?since=0000-01-01T00:00:00Z'),
        'since',
        /between 2000-01-01 and 2100-01-01/,
      );
    });

    it.each([
      ['/api/v1/directives?limit=1e309', 'limit'],
      ['/api/v1/directives?limit=-1', 'limit'],
      ['/api/v1/audit?afterSeq=1e20', 'afterSeq'],
      ['/api/v1/consultations?limit=99999999999999999999', 'limit'],
    ])('answers %s with 400', async (path, field) => {
      const res = await admin.get(path);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field);
    });

    it('bounds dates in bodies', async () => {
      expect400(await directive({ expiresAt: '9999-12-31T23:59:59Z' }), 'expiresAt', /between/);
      expect400(
        await dispatcher.api.post('/api/v1/consultations', {
          title: '会商',
          siteIds: [town],
          scheduledAt: '0000-01-01T00:00:00Z',
        }),
        'scheduledAt',
        /between/,
      );
    });
  });

  describe('text that misleads the reader', () => {
    it('refuses a title made only of zero-width characters', async () => {
      expect400(
        await directive({ title: '\u200B\u200B\u200B' }),
        'title',
        /invisible characters \(U\+200B\)/,
      );
      expect400(await directive({ title: '\uFEFF\u2060' }), 'title', /invisible/);
    });

    it('refuses an RTL override in a title or a site name', async () => {
      expect400(
        await directive({ title: '撤离\u202Egnp.exe' }),
        'title',
        /bidirectional control characters \(U\+202E\)/,
      );
      expect400(
        await admin.post('/api/v1/sites', { name: '撤离\u202Egnp.exe', kind: 'village', parentId: town }),
        'name',
        /bidirectional/,
      );
    });

    it('refuses an impersonating display name with a hidden zero-width space', async () => {
      const res = await admin.post('/api/v1/users', {
        username: 'impostor',
        password: 'password-123',
        role: 'duty_officer',
        siteId: town,
        displayName: 'admin\u200B（县指挥中心）',
      });
      expect400(res, 'displayName', /invisible characters \(U\+200B\)/);
    });

    it('refuses control characters in names, and all but newline and tab in bodies', async () => {
      expect400(await directive({ title: '警报\u0007' }), 'title', /control characters \(U\+0007\)/);
      expect400(await directive({ body: '清屏\u001b[2J' }), 'body', /control characters \(U\+001B\)/);
      expect((await directive({ title: '多行正文', body: '第一行\r\n\t第二行 🚨' })).status).toBe(201);
    });

    it('keeps Chinese, emoji and fullwidth punctuation, stored in NFC', async () => {
      const res = await admin.post('/api/v1/users', {
        username: 'duty-nfc',
        password: 'password-123',
        role: 'duty_officer',
        siteId: town,
        displayName: ' 张三（城关镇）👨‍👩‍👧 Cafe\u0301 ',
      });
      expect(res.status).toBe(201);
      expect(res.body.displayName).toBe('张三（城关镇）👨‍👩‍👧 Caf\u00E9');
      const issued = await directive({ title: '暴雨红色预警：立即转移！🚨', body: '第一行\r\n第二行' });
      expect(issued.status).toBe(201);
      const view = (await dispatcher.api.get(`/api/v1/directives/${issued.body.id}`)).body;
      expect(view).toMatchObject({ title: '暴雨红色预警：立即转移！🚨', body: '第一行\n第二行' });
    });
  });
});
