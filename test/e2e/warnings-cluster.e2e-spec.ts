import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { adminLogin, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

/**
 * Warnings on two instances sharing one PostgreSQL and Redis: GB/T 35965.1 identifiers stay
 * unique when both hand them out in the same seconds, and a warning published on both at
 * once is published (and sent as a directive) exactly once.
 */
describe('warnings across two cluster instances', () => {
  let db: TestDatabase;
  let a: HubProcess;
  let b: HubProcess;
  let editor: { id: string; token: string };
  let chief: { id: string; token: string };
  let deputy: { id: string; token: string };
  const prefix = uniquePrefix();
  const env = (instance: string) => ({
    INSTANCE_ID: instance,
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: 'warnings-cluster-secret-0123456789-abcdef',
    AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
    SFU_ENABLED: 'false',
    WARNING_DRAFTS_PER_MINUTE: '26',
    // the setting that lets an editor sign off their own draft (default false: 403, warnings.e2e)
    WARNINGS_SELF_APPROVAL: 'true',
  });

  class ApiOn {
    constructor(
      private readonly hub: HubProcess,
      private readonly token: string,
    ) {}
    async post(path: string, body: unknown): Promise<{ status: number; body: any }> {
      const res = await fetch(`${this.hub.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    }
  }

  const on = (hub: HubProcess, user: { token: string }) => new ApiOn(hub, user.token);

  const draft = {
    event: '大风',
    level: 'yellow',
    headline: '大风黄色预警',
    description: '预计今天夜间有8级大风。',
    instruction: '加固临时搭建物。',
    areas: { regionCodes: ['330106'] },
    onset: new Date(Date.now() + 3600_000).toISOString(),
    expires: new Date(Date.now() + 7200_000).toISOString(),
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await Promise.all([startHub(env('warn-a')), startHub(env('warn-b'))]);
    const admin = await adminLogin(a.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const county = await admin.post('/api/v1/sites', {
      name: '集群县',
      kind: 'command',
      parentId: root,
      regionCode: '330106',
    });
    await admin.post('/api/v1/sites', {
      name: '集群镇',
      kind: 'township',
      parentId: county.body.id,
      regionCode: '330106001',
    });
    editor = await createUser(admin, 'wc-editor', 'dispatcher', county.body.id);
    chief = await createUser(admin, 'wc-chief', 'commander', county.body.id);
    deputy = await createUser(admin, 'wc-deputy', 'commander', county.body.id);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('hands out unique identifiers from both instances in the same seconds', async () => {
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => on(i % 2 ? a : b, editor).post('/api/v1/warnings', draft)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(24).fill(201));
    const ids = results.map((r) => r.body.identifier as string);
    expect(new Set(ids).size).toBe(24);
    for (const id of ids) expect(id).toMatch(/^330106000000\d\d_\d{14}_\d$/);
  }, 60_000);

  it('signs off and publishes once when both instances are asked at the same moment', async () => {
    const created = await on(a, editor).post('/api/v1/warnings', draft);
    const path = `/api/v1/warnings/${created.body.id}`;
    await on(a, editor).post(`${path}/submit`, {});
    const approvals = await Promise.all([
      on(a, chief).post(`${path}/approve`, {}),
      on(b, deputy).post(`${path}/approve`, {}),
    ]);
    expect(approvals.map((r) => r.status).sort()).toEqual([200, 409]);
    const publications = await Promise.all([
      on(a, editor).post(`${path}/publish`, {}),
      on(b, editor).post(`${path}/publish`, {}),
    ]);
    expect(publications.map((r) => r.status).sort()).toEqual([200, 409]);
    const won = publications.find((r) => r.status === 200)!.body;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ id: string }>('SELECT id FROM directives WHERE warning_id = $1', [
      created.body.id,
    ]);
    await client.end();
    expect(rows.map((r) => r.id)).toEqual([won.directiveId]);
  }, 60_000);

  it('counts drafts per user across both instances', async () => {
    // 25 drafted above: one more fits the budget of 26 a minute, the next is refused
    expect((await on(b, editor).post('/api/v1/warnings', draft)).status).toBe(201);
    const refused = await on(a, editor).post('/api/v1/warnings', draft);
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/WARNING_DRAFTS_PER_MINUTE/);
  });

  it('lets a commander sign off their own draft when WARNINGS_SELF_APPROVAL is true', async () => {
    const created = await on(b, chief).post('/api/v1/warnings', draft);
    const path = `/api/v1/warnings/${created.body.id}`;
    // the console learns from the view that it may offer 审核通过 to the editor
    expect((await on(b, chief).post(`${path}/submit`, {})).body.selfApprovalAllowed).toBe(true);
    const own = await on(a, chief).post(`${path}/approve`, {});
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ state: 'approved', approvedBy: chief.id, createdBy: chief.id });
  });
});
