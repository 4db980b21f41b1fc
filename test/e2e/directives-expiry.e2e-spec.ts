import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

/** A directive's validity (expiresAt): unacknowledged recipients expire, nothing is delivered or acknowledged late. */
describe('directives: expiry', () => {
  let hub: HubProcess;
  let admin: Api;
  let dispatcher: { id: string; api: Api; token: string };
  let townA: string;
  let townB: string;
  let officerA: { id: string; api: Api; token: string };
  let officerB: { id: string; api: Api; token: string };
  const consoles: TestConsole[] = [];
  const issue = (body: Record<string, unknown>) => dispatcher.api.post('/api/v1/directives', body);

  beforeAll(async () => {
    hub = await startHub({ SFU_ENABLED: 'false' });
    admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    townA = await createSite(admin, '青石镇', 'township', rootId);
    townB = await createSite(admin, '白沙乡', 'township', rootId);
    dispatcher = await createUser(admin, 'disp-exp', 'dispatcher', rootId);
    officerA = await createUser(admin, 'officer-ea', 'duty_officer', townA);
    officerB = await createUser(admin, 'officer-eb', 'duty_officer', townB);
  }, 120_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    await hub?.stop();
  });

  it('refuses an expiresAt that is not a future ISO date-time, naming the field', async () => {
    const base = { title: '过期', body: 'x', level: 'blue', targets: { siteIds: [townA] } };
    for (const expiresAt of [new Date(Date.now() - 1000).toISOString(), 'tomorrow', 42]) {
      const res = await issue({ ...base, expiresAt });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/expiresAt/);
    }
  });

  it('expires the silent recipient at expiresAt, refuses its late 签收, never delivers late, and closes', async () => {
    const a = await openConsole(hub.baseUrl, officerA.token); // receives, never acknowledges
    consoles.push(a);
    const b = await openConsole(hub.baseUrl, officerB.token, { autoAck: true });
    consoles.push(b);
    const expiresAt = new Date(Date.now() + 3000).toISOString();
    const res = await issue({
      title: '限时指令',
      body: '三秒内有效',
      level: 'yellow',
      targets: { siteIds: [townA, townB] },
      ackWithinSeconds: 600,
      expiresAt,
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await waitFor(() => a.directives.some((d) => d.id === id), 10_000, 'delivered to A');
    expect(a.directives.find((d) => d.id === id).expiresAt).toBe(expiresAt);

    const view = async () => (await dispatcher.api.get(`/api/v1/directives/${id}`)).body;
    await waitFor(
      async () => (await view()).recipients.find((r: any) => r.siteId === townB).state === 'acknowledged',
      10_000,
      'B acknowledged',
    );
    await waitFor(
      async () => (await view()).recipients.find((r: any) => r.siteId === townA).state === 'expired',
      15_000,
      'A expired',
    );
    const d = await view();
    expect(d.expiresAt).toBe(expiresAt);
    expect(d.status).toBe('issued'); // B has acknowledged but not reported completion

    // a late 签收 is refused with a reason, on both ways in
    expect(await a.ack(id)).toEqual({ ok: false, error: expect.stringMatching(/expired/) });
    const rest = await officerA.api.post(`/api/v1/directives/${id}/ack`, {});
    expect(rest.status).toBe(409);
    expect(rest.body.message ?? JSON.stringify(rest.body)).toMatch(/expired/);

    // a console connecting now is not caught up with an expired directive
    const late = await openConsole(hub.baseUrl, officerA.token);
    consoles.push(late);
    await sleep(1000);
    expect(late.directives.some((x) => x.id === id)).toBe(false);

    // B reports completion: every recipient is final (completed or expired), so it closes
    expect((await officerB.api.post(`/api/v1/directives/${id}/feedback`, { text: '已完成' })).status).toBe(
      200,
    );
    expect((await view()).status).toBe('closed');

    const audit = ((await admin.get(`/api/v1/audit?subjectId=${id}&limit=500`)).body as any[]).map((e) => [
      e.action,
      e.data.siteId,
    ]);
    expect(audit).toContainEqual(['directive.expire', townA]);
    expect(audit.filter(([action]) => action === 'directive.expire')).toHaveLength(1);
    expect(audit.filter(([action]) => action === 'directive.escalate')).toHaveLength(0);
    expect((await admin.get('/api/v1/audit/verify')).body.ok).toBe(true);
  }, 60_000);
});
