import { afterAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, tempDataDir, type HubProcess } from '../support/hub-process.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

/**
 * kill -9 in the middle of an escalation: after the restart every step is taken exactly
 * once (none skipped, none repeated), in both modes: the schedule lives in the database.
 */
describe.each(['embedded', 'cluster'] as const)('directives survive SIGKILL mid-escalation (%s)', (mode) => {
  let hub: HubProcess | undefined;
  let db: TestDatabase | undefined;
  const consoles: TestConsole[] = [];

  afterAll(async () => {
    for (const c of consoles) c.close();
    await hub?.stop('SIGKILL');
    await db?.drop();
  });

  it('neither skips nor repeats a step, and a 签收 after the restart still counts', async () => {
    const env: Record<string, string> = { DATA_DIR: tempDataDir() };
    if (mode === 'cluster') {
      db = await createTestDatabase();
      Object.assign(env, {
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: uniquePrefix(),
        JWT_SECRET: 'restart-test-secret-0123456789-abcdefghij',
        AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
      });
    }
    hub = await startHub(env);
    const admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    const town = await createSite(admin, '石门镇', 'township', rootId);
    const dispatcher = await createUser(admin, 'disp-r', 'dispatcher', rootId);
    const officer = await createUser(admin, 'officer-r', 'duty_officer', town);
    const issued = await dispatcher.api.post('/api/v1/directives', {
      title: '叫应测试',
      body: 'restart',
      level: 'red',
      targets: { siteIds: [town] },
      ackWithinSeconds: 3,
    });
    expect(issued.status).toBe(201);
    const id = issued.body.id as string;
    const level = async (api: Api) =>
      (await api.get(`/api/v1/directives/${id}`)).body.recipients?.[0]?.escalationLevel ?? -1;

    await waitFor(async () => (await level(dispatcher.api)) >= 1, 20_000, 'first escalation step');
    await hub.stop('SIGKILL');
    hub = await startHub(hub.env);
    const api = new Api(hub.baseUrl);
    const disp = api.as(dispatcher.token);
    await waitFor(async () => (await level(disp)) === 3, 30_000, 'all three steps after the restart');

    const adminAfter = await adminLogin(hub.baseUrl);
    const audit = ((await adminAfter.get(`/api/v1/audit?subjectId=${id}&limit=500`)).body as any[])
      .filter((e) => e.action === 'directive.escalate')
      .sort((a, b) => a.seq - b.seq);
    expect(audit.map((e) => [e.data.escalationLevel, e.data.step])).toEqual([
      [1, 'redeliver'],
      [2, 'notify_leader'],
      [3, 'escalate_parent'],
    ]);
    expect((await adminAfter.get('/api/v1/audit/verify')).body.ok).toBe(true);

    // the console that connects now is caught up, and its 签收 stops the loop
    const c = await openConsole(hub.baseUrl, officer.token);
    consoles.push(c);
    await waitFor(() => c.directives.some((d) => d.id === id), 10_000, 'catch-up after restart');
    expect(await c.ack(id)).toEqual({ ok: true });
    const r = (await disp.get(`/api/v1/directives/${id}`)).body.recipients[0];
    expect(r).toMatchObject({ state: 'acknowledged', overdue: true, escalationLevel: 3 });
  }, 120_000);
});
