import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { provision, TestDevice } from '../support/terminals.js';

/**
 * A split deployment: the dispatch app and the MQTT bridge as separate processes on one
 * PostgreSQL and Redis. Each takes only the jobs it has handlers for: the terminal
 * delivery runs in the bridge, the device's 签收 report runs in dispatch.
 */
describe('directives in a split deployment (dispatch + mqtt-bridge processes)', () => {
  let db: TestDatabase;
  let dispatch: HubProcess;
  let bridge: HubProcess;
  let device: TestDevice | undefined;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    db = await createTestDatabase();
    const shared = {
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: 'split-deployment-secret-0123456789-abcdef',
      AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
      SFU_ENABLED: 'false',
    };
    dispatch = await startHub(
      { ...shared, INSTANCE_ID: 'split-dispatch', DELIVERY_CHANNELS: 'console,terminal' },
      'dispatch',
    );
    bridge = await startHub({ ...shared, INSTANCE_ID: 'split-bridge' }, 'mqtt-bridge');
  }, 120_000);

  afterAll(async () => {
    await device?.end().catch(() => undefined);
    await Promise.all([dispatch?.stop(), bridge?.stop()]);
    await db?.drop();
  });

  it('delivers to a terminal through the bridge process and records its 签收 in dispatch, no job taken by the wrong process', async () => {
    const admin = await adminLogin(dispatch.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    const town = await createSite(admin, '分离镇', 'township', rootId);
    const dispatcher = await createUser(admin, 'disp-split', 'dispatcher', rootId);
    // the bridge has no login of its own: the same JWT works on every process of the deployment
    const { body } = await new Api(dispatch.baseUrl).post('/api/v1/auth/login', {
      username: 'admin',
      password: 'admin-password-1',
    });
    const creds = await provision(new Api(bridge.baseUrl, body.accessToken as string), town, '村口大喇叭');
    device = await TestDevice.connect(`mqtt://127.0.0.1:${bridge.env.MQTT_PORT}`, creds);

    const res = await dispatcher.api.post('/api/v1/directives', {
      title: '分离部署',
      body: '终端签收',
      level: 'orange',
      targets: { siteIds: [town] },
      ackWithinSeconds: 600,
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const message = await waitFor(
      () => device!.received.find((m) => m.directiveId === id),
      20_000,
      'the terminal message',
    );
    await device.ack(message!.messageId, 'acknowledged');
    await waitFor(
      async () =>
        (await dispatcher.api.get(`/api/v1/directives/${id}`)).body.recipients[0].state === 'acknowledged',
      20_000,
      '签收 recorded',
    );
    const r = (await dispatcher.api.get(`/api/v1/directives/${id}`)).body.recipients[0];
    expect(r).toMatchObject({ state: 'acknowledged', acknowledgedVia: 'terminal' });
    for (const p of [dispatch, bridge]) expect(p.output()).not.toMatch(/no handler for job|job failed/);
  }, 90_000);
});
