import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { redisClient } from '../support/redis.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

/**
 * Two hub instances sharing one PostgreSQL and one Redis (each with its own embedded MQTT
 * broker): consoles and boards on different instances see each other's changes, and
 * escalation timers fire exactly once across the two.
 */
describe('directives across two cluster instances', () => {
  let db: TestDatabase;
  let a: HubProcess;
  let b: HubProcess;
  let dispatcher: { id: string; api: Api; token: string };
  let town1: string;
  let town2: string;
  let town3: string;
  let officer1: { id: string; api: Api; token: string };
  let officer2: { id: string; api: Api; token: string };
  const consoles: TestConsole[] = [];
  const prefix = uniquePrefix();
  const env = (instance: string) => ({
    INSTANCE_ID: instance,
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: 'directives-cluster-secret-0123456789-abcdef',
    AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
    SFU_ENABLED: 'false',
  });
  const open = async (hub: HubProcess, token: string, options?: Parameters<typeof openConsole>[2]) => {
    const c = await openConsole(hub.baseUrl, token, options);
    consoles.push(c);
    return c;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await Promise.all([startHub(env('dir-a')), startHub(env('dir-b'))]);
    const admin = await adminLogin(a.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    town1 = await createSite(admin, '东坝镇', 'township', rootId);
    town2 = await createSite(admin, '西岭乡', 'township', rootId);
    town3 = await createSite(admin, '南湖镇', 'township', rootId);
    dispatcher = await createUser(admin, 'disp-cluster', 'dispatcher', rootId);
    officer1 = await createUser(admin, 'officer-c1', 'duty_officer', town1);
    officer2 = await createUser(admin, 'officer-c2', 'duty_officer', town2);
  }, 120_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('delivers to consoles on both instances, and a board on A sees a 签收 made on B', async () => {
    const board = await open(a, dispatcher.token);
    const c1 = await open(a, officer1.token);
    const c2 = await open(b, officer2.token);
    const res = await dispatcher.api.post('/api/v1/directives', {
      title: '集群签收',
      body: '两个实例',
      level: 'orange',
      targets: { siteIds: [town1, town2] },
      ackWithinSeconds: 600,
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect((await board.call('directive.board.subscribe', { directiveId: id })).ok).toBe(true);

    await waitFor(
      () => c1.directives.some((d) => d.id === id) && c2.directives.some((d) => d.id === id),
      10_000,
      'both consoles',
    );
    // each console received it exactly once (one instance ran the job, each emitted locally)
    await sleep(500);
    expect(c1.directives.filter((d) => d.id === id)).toHaveLength(1);
    expect(c2.directives.filter((d) => d.id === id)).toHaveLength(1);
    await waitFor(
      async () =>
        (await dispatcher.api.get(`/api/v1/directives/${id}`)).body.recipients.every(
          (r: any) => r.state === 'delivered',
        ),
      10_000,
      'both receipts recorded',
    );

    expect(await c2.ack(id)).toEqual({ ok: true });
    await waitFor(
      () =>
        board.boards.some(
          (m) =>
            m.directiveId === id &&
            m.recipients.some((r: any) => r.siteId === town2 && r.state === 'acknowledged'),
        ),
      10_000,
      'board on A shows the 签收 made on B',
    );
    // a repeat on the other instance is recorded once
    const again = await openConsole(a.baseUrl, officer2.token);
    consoles.push(again);
    expect(await again.ack(id)).toEqual({ ok: true });
    const audit = await (await adminLogin(b.baseUrl)).get(`/api/v1/audit?subjectId=${id}&limit=500`);
    expect(audit.body.filter((e: any) => e.action === 'directive.ack')).toHaveLength(1);
  }, 60_000);

  it('fires each escalation step exactly once across the two instances', async () => {
    const desk = await open(b, dispatcher.token);
    const res = await dispatcher.api.post('/api/v1/directives', {
      title: '集群叫应',
      body: '无人值守',
      level: 'red',
      targets: { siteIds: [town3] },
      ackWithinSeconds: 2,
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const level = async () =>
      (await dispatcher.api.get(`/api/v1/directives/${id}`)).body.recipients[0].escalationLevel as number;
    await waitFor(async () => (await level()) === 3, 30_000, 'all three steps');
    // past the last step: give both instances' timers and sweeps time to misfire
    await sleep(7000);
    const admin = await adminLogin(a.baseUrl);
    const steps = ((await admin.get(`/api/v1/audit?subjectId=${id}&limit=500`)).body as any[])
      .filter((e) => e.action === 'directive.escalate')
      .sort((x, y) => x.seq - y.seq)
      .map((e) => [e.data.escalationLevel, e.data.step]);
    expect(steps).toEqual([
      [1, 'redeliver'],
      [2, 'notify_leader'],
      [3, 'escalate_parent'],
    ]);
    // the dispatcher (issuer), connected to B, was told of steps 2 and 3 once each
    const mine = desk.escalations.filter((e) => e.directiveId === id).map((e) => e.step);
    expect(mine.sort()).toEqual(['escalate_parent', 'notify_leader']);
    expect((await admin.get('/api/v1/audit/verify')).body.ok).toBe(true);
  }, 60_000);

  it('survives malformed console-delivery messages on the bus and keeps delivering', async () => {
    const redis = redisClient();
    try {
      for (const raw of [
        'not json',
        'null',
        '{"kind":"directive","siteIds":5}',
        `{"kind":"directive","directive":null,"siteIds":["${town1}"]}`,
      ]) {
        await redis.publish(`${prefix}:bus:directive.console-delivery`, raw);
      }
    } finally {
      redis.disconnect();
    }
    await sleep(300);
    for (const hub of [a, b]) expect((await fetch(`${hub.baseUrl}/api/v1/health`)).status).toBe(200);
    const c1 = await open(b, officer1.token);
    const res = await dispatcher.api.post('/api/v1/directives', {
      title: '总线',
      body: '仍然送达',
      level: 'blue',
      targets: { siteIds: [town1] },
      ackWithinSeconds: 600,
    });
    await waitFor(
      () => c1.directives.some((d) => d.id === res.body.id),
      10_000,
      'delivered after the garbage',
    );
  }, 30_000);
});
