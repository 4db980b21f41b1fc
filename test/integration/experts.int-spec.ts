import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Api } from '../support/api.js';
import { createSite, createUser } from '../support/directives.js';
import {
  csvRequest,
  startResourceHub,
  type ResourceHub,
  type TestUser as User,
} from '../support/resource-hub.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(120_000);

/**
 * 专家库 over REST against PostgreSQL: experts belong to a site and are kept within scope,
 * listed by category, changed by PATCH, invited to a consultation (whose row is read from
 * the SFU's table) with their phones in the answer, and exported and imported as CSV.
 */
describe('experts (PostgreSQL)', () => {
  let hub: ResourceHub | undefined;
  let sql: pg.Client;
  let admin: Api;
  let county: string;
  let town: string;
  let neighbour: string;
  let commander: User;
  let dispatcher: User;
  let officer: User;
  let outsider: User;

  const expert = (body: Record<string, unknown> = {}, api = commander.api) =>
    api.post('/api/v1/experts', {
      name: '李工',
      category: 'natural',
      specialty: '地质灾害',
      organisation: '省地质环境监测院',
      phones: ['13800000001'],
      available: true,
      ...body,
    });
  const consultation = async (hostSiteId: string, state = 'live') => {
    const id = randomUUID();
    await sql.query(
      `INSERT INTO consultations (id, title, state, host_site_id, created_by, site_ids) VALUES ($1, '会商', $2, $3, $4, ARRAY[$3]::uuid[])`,
      [id, state, hostSiteId, commander.id],
    );
    return id;
  };
  const csvPost = (user: User, text: string) =>
    csvRequest(user, '/api/v1/experts/import', text).then((r) => ({ status: r.status, body: r.json() }));
  const csvGet = async (user: User) => (await csvRequest(user, '/api/v1/experts.csv')).text;

  beforeAll(async () => {
    hub = await startResourceHub('experts');
    ({ admin, sql } = hub);
    county = await createSite(admin, '专家县', 'command', hub.root);
    town = await createSite(admin, '专家镇', 'township', county);
    neighbour = await createSite(admin, '别县', 'command', hub.root);
    commander = await createUser(admin, 'ex-cmd', 'commander', county);
    dispatcher = await createUser(admin, 'ex-disp', 'dispatcher', county);
    officer = await createUser(admin, 'ex-duty', 'duty_officer', town);
    outsider = await createUser(admin, 'ex-out', 'commander', neighbour);
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('creates experts within scope, lists them by category, and changes them by PATCH', async () => {
    const a = await expert();
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      siteId: county,
      category: 'natural',
      phones: ['13800000001'],
      available: true,
    });
    const b = await expert({
      name: '张医生',
      category: 'health',
      specialty: '传染病',
      siteId: town,
      phones: ['0571-1', '13900000002'],
    });
    expect(b.status).toBe(201);
    expect((await expert({ siteId: county }, outsider.api)).status).toBe(403);
    expect((await expert({}, dispatcher.api)).status).toBe(403);
    const bad = await expert({ category: '自然灾害' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].path).toBe('category');
    const health = (await dispatcher.api.get('/api/v1/experts?category=health')).body as { name: string }[];
    expect(health.map((e) => e.name)).toEqual(['张医生']);
    expect(((await officer.api.get('/api/v1/experts')).body as { id: string }[]).map((e) => e.id)).toEqual([
      b.body.id,
    ]);
    expect(((await outsider.api.get('/api/v1/experts')).body as unknown[]).length).toBe(0);
    const patched = await commander.api.request('PATCH', `/api/v1/experts/${a.body.id}`, {
      available: false,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ available: false, name: '李工', category: 'natural' });
    expect(
      (await outsider.api.request('PATCH', `/api/v1/experts/${a.body.id}`, { available: true })).status,
    ).toBe(404);
    const audit = await sql.query(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY seq`, [
      a.body.id,
    ]);
    expect(audit.rows.map((r) => r.action)).toEqual(['expert.create', 'expert.update']);
  });

  it('invites experts to a consultation, records who and when, and answers with their phones', async () => {
    const e = (
      await expert({
        name: '王教授',
        category: 'accident',
        specialty: '危化品',
        phones: ['13700000003', '0571-88888888'],
      })
    ).body;
    const c = await consultation(county);
    const res = await dispatcher.api.post('/api/v1/experts/invitations', {
      consultationId: c,
      expertIds: [e.id],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual([
      expect.objectContaining({
        consultationId: c,
        expertId: e.id,
        name: '王教授',
        phones: ['13700000003', '0571-88888888'],
        invitedBy: dispatcher.id,
      }),
    ]);
    const rows = await sql.query(
      `SELECT invited_by, invited_at FROM expert_invitations WHERE consultation_id = $1`,
      [c],
    );
    expect(rows.rows).toEqual([{ invited_by: dispatcher.id, invited_at: expect.any(Date) }]);
    const missing = await dispatcher.api.post('/api/v1/experts/invitations', {
      consultationId: randomUUID(),
      expertIds: [e.id],
    });
    expect(missing.status).toBe(404);
    expect(missing.body.fields[0].path).toBe('consultationId');
    expect(
      (await officer.api.post('/api/v1/experts/invitations', { consultationId: c, expertIds: [e.id] }))
        .status,
    ).toBe(403);
    const ended = await consultation(county, 'ended');
    expect(
      (await dispatcher.api.post('/api/v1/experts/invitations', { consultationId: ended, expertIds: [e.id] }))
        .status,
    ).toBe(409);
    const theirs = await consultation(neighbour);
    expect(
      (await outsider.api.post('/api/v1/experts/invitations', { consultationId: theirs, expertIds: [e.id] }))
        .status,
    ).toBe(404);
  });

  it('exports CSV and imports it back unchanged; a bad row is 400 naming its line and nothing is imported', async () => {
    await expert({
      name: '=cmd|calc',
      category: 'social',
      specialty: '群体事件',
      phones: ['+86 13600000004'],
    });
    const first = await csvGet(commander);
    expect(first.startsWith('\uFEFF编号,所属单位编号,姓名,类别,专业,工作单位,电话,可用\r\n')).toBe(true);
    expect(first).toContain(`'=cmd|calc`);
    expect(first).toContain(`'+86 13600000004`);
    expect(first).toContain('社会安全');
    const before = (await sql.query(`SELECT count(*)::int AS n FROM experts`)).rows[0].n as number;
    expect(await csvPost(commander, first)).toEqual({ status: 200, body: { created: 0, updated: before } });
    expect(await csvGet(commander)).toBe(first);
    const added =
      first +
      `,${town},赵工,自然灾害,气象,县气象局,13500000005,是\r\n,${town},钱工,天灾,水利,县水利局,13500000006,是\r\n`;
    const bad = await csvPost(commander, added);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(new RegExp(`^第${before + 3}行第4列（类别）`));
    expect((await sql.query(`SELECT count(*)::int AS n FROM experts`)).rows[0].n).toBe(before);
    const ok = await csvPost(commander, first + `,${town},赵工,自然灾害,气象,县气象局,13500000005,是\r\n`);
    expect(ok).toEqual({ status: 200, body: { created: 1, updated: before } });
    expect((await csvPost(outsider, first)).status).toBe(400);
  });
});
