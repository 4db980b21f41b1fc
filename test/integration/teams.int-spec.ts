import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { startApp, type StartedApp } from '#platform';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { TeamAlertsService } from '../../apps/dispatch/src/resources/teams/team-alerts.service.js';
import { Api } from '../support/api.js';
import { createSite, createUser } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import {
  csvRequest,
  startResourceHub,
  type ResourceHub,
  type TestUser as User,
} from '../support/resource-hub.js';
import { inProcessHubEnv } from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(60_000);

/**
 * 应急队伍 on one hub over PostgreSQL (cluster drivers: BullMQ on Redis): CRUD and scope,
 * the 村级突击队 headcount rule, and an alert's directive moving the team's status with its
 * site's 签收 and 反馈, and with the end of a response (TeamAlertsService, as the plans
 * area calls it).
 */
describe('teams (PostgreSQL)', () => {
  let hub: ResourceHub | undefined;
  let admin: Api;
  let sql: pg.Client;
  let county: string;
  let town: string;
  let village: string;
  let otherTown: string;
  let commander: User;
  let dispatcher: User;
  let officer: User;
  let villageOfficer: User;
  let outsider: User;

  const team = (over: Record<string, unknown> = {}) => ({
    name: `防汛队${randomUUID().slice(0, 6)}`,
    kind: 'flood',
    siteId: town,
    leaderName: '王强',
    leaderPhone: '138 0000 1111',
    headcount: 12,
    equipment: ['冲锋舟', '救生衣'],
    assembleMinutes: 30,
    ...over,
  });
  const create = async (user: User, over: Record<string, unknown> = {}) => {
    const res = await user.api.post('/api/v1/teams', team(over));
    if (res.status !== 201) throw new Error(`create team: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; name: string; status: string };
  };
  const patch = (api: Api, id: string, body: unknown) => api.request('PATCH', `/api/v1/teams/${id}`, body);
  const statusOf = async (id: string) =>
    (await commander.api.get(`/api/v1/teams/${id}`)).body.status as string;

  beforeAll(async () => {
    hub = await startResourceHub('teams');
    ({ admin, sql } = hub);
    const root = hub.root;
    county = await createSite(admin, '清溪县', 'command', root);
    town = await createSite(admin, '上游镇', 'township', county);
    village = await createSite(admin, '溪口村', 'village', town);
    const otherCounty = await createSite(admin, '邻县', 'command', root);
    otherTown = await createSite(admin, '邻县镇', 'township', otherCounty);
    commander = await createUser(admin, 'tm-commander', 'commander', county);
    dispatcher = await createUser(admin, 'tm-dispatcher', 'dispatcher', county);
    officer = await createUser(admin, 'tm-officer', 'duty_officer', town);
    villageOfficer = await createUser(admin, 'tm-village', 'duty_officer', village);
    outsider = await createUser(admin, 'tm-outsider', 'commander', otherCounty);
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('creates, reads, lists with filters and edits a team; audits both', async () => {
    const created = await commander.api.post(
      '/api/v1/teams',
      team({
        name: '上游镇防汛抢险队',
        leaderUserId: officer.id,
        lastVerifiedAt: '2026-12-01T08:00:00+08:00',
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: '上游镇防汛抢险队',
      kind: 'flood',
      siteId: town,
      siteName: '上游镇',
      leaderPhone: '138 0000 1111',
      leaderUserId: officer.id,
      headcount: 12,
      equipment: ['冲锋舟', '救生衣'],
      assembleMinutes: 30,
      status: 'available',
      lastVerifiedAt: '2026-12-01T00:00:00.000Z',
      lastAlert: null,
    });
    const id = created.body.id as string;
    const shock = await create(commander, { kind: 'village-shock', headcount: 30, siteId: village });

    const byKind = await dispatcher.api.get('/api/v1/teams?kind=village-shock');
    expect(byKind.status).toBe(200);
    expect(byKind.body.map((t: { id: string }) => t.id)).toEqual([shock.id]);
    const bySite = await dispatcher.api.get(`/api/v1/teams?siteId=${town}&status=available`);
    expect(bySite.body.map((t: { id: string }) => t.id)).toContain(id);
    expect(bySite.body.map((t: { id: string }) => t.id)).not.toContain(shock.id);
    expect((await dispatcher.api.get('/api/v1/teams?limit=1')).body).toHaveLength(1);

    const edited = await patch(commander.api, id, {
      headcount: 15,
      equipment: ['冲锋舟'],
      leaderUserId: null,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      headcount: 15,
      equipment: ['冲锋舟'],
      leaderUserId: null,
      name: '上游镇防汛抢险队',
    });
    const off = await patch(commander.api, id, { status: 'unavailable' });
    expect(off.body.status).toBe('unavailable');
    expect(
      (await dispatcher.api.get('/api/v1/teams?status=unavailable')).body.map((t: { id: string }) => t.id),
    ).toEqual([id]);

    const { rows } = await sql.query(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY seq`, [id]);
    expect(rows.map((r) => r.action)).toEqual(['team.create', 'team.update', 'team.update']);
  });

  it('keeps scope: dispatchers and duty officers only read, a duty officer only their own site, others see nothing', async () => {
    const t = await create(commander);
    const v = await create(commander, { siteId: village });
    expect((await dispatcher.api.post('/api/v1/teams', team())).status).toBe(403);
    expect((await officer.api.post('/api/v1/teams', team())).status).toBe(403);
    expect((await patch(dispatcher.api, t.id, { headcount: 3 })).status).toBe(403);
    const foreign = await outsider.api.post('/api/v1/teams', team());
    expect(foreign.status).toBe(403);
    expect(foreign.body.fields).toEqual([{ path: 'siteId', message: 'outside your scope' }]);
    expect((await commander.api.post('/api/v1/teams', team({ siteId: otherTown }))).status).toBe(403);
    // an unknown site: the same 403 for an admin, whose scope has no outside (not a 500 from the key)
    expect((await admin.post('/api/v1/teams', team({ siteId: randomUUID() }))).status).toBe(403);
    expect((await outsider.api.get(`/api/v1/teams/${t.id}`)).status).toBe(404);
    expect((await patch(outsider.api, t.id, { headcount: 3 })).status).toBe(404);
    expect((await outsider.api.get('/api/v1/teams')).body).toEqual([]);
    const mine = (await villageOfficer.api.get('/api/v1/teams')).body.map((x: { id: string }) => x.id);
    expect(mine).toContain(v.id);
    expect(mine).not.toContain(t.id);
    expect((await villageOfficer.api.get(`/api/v1/teams/${t.id}`)).status).toBe(404);
    expect((await villageOfficer.api.post(`/api/v1/teams/${v.id}/alert`, {})).status).toBe(403);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const bad = async (over: Record<string, unknown>, field: string) => {
      const res = await commander.api.post('/api/v1/teams', team(over));
      expect(res.status).toBe(400);
      expect(res.body.fields.map((f: { path: string }) => f.path)).toContain(field);
      return res.body;
    };
    const shock = await bad({ kind: 'village-shock', headcount: 29, siteId: village }, 'headcount');
    expect(shock.message).toContain('30');
    await bad({ leaderPhone: 'call me' }, 'leaderPhone');
    await bad({ kind: 'navy' }, 'kind');
    await bad({ headcount: 0 }, 'headcount');
    await bad({ equipment: Array.from({ length: 51 }, (_, i) => `件${i}`) }, 'equipment');
    await bad({ status: 'deployed' }, 'status');
    await bad({ leaderUserId: villageOfficer.id }, 'leaderUserId');
    await bad({ name: '' }, 'name');
    const t = await create(commander, { kind: 'village-shock', headcount: 40, siteId: village });
    const lower = await patch(commander.api, t.id, { headcount: 20 });
    expect(lower.status).toBe(400);
    expect(lower.body.fields).toEqual([expect.objectContaining({ path: 'headcount' })]);
    const twice = await commander.api.post('/api/v1/teams', team({ name: t.name, siteId: village }));
    expect(twice.status).toBe(409);
  });

  it('alerts a team: a directive to its site naming it; 签收 → deployed, 反馈 → available; unavailable refuses', async () => {
    const t = await create(commander, {
      name: '溪口村应急突击队',
      kind: 'village-shock',
      headcount: 32,
      siteId: village,
    });
    const alerted = await dispatcher.api.post(`/api/v1/teams/${t.id}/alert`, {
      title: '立即转移沿河群众',
      level: 'red',
    });
    expect(alerted.status).toBe(201);
    const directiveId = alerted.body.directiveId as string;
    expect(alerted.body.teamId).toBe(t.id);
    const d = (await dispatcher.api.get(`/api/v1/directives/${directiveId}`)).body;
    expect(d.title).toBe('【溪口村应急突击队】立即转移沿河群众');
    expect(d.body).toContain('溪口村应急突击队');
    expect(d.level).toBe('red');
    expect(d.recipients.map((r: { siteId: string }) => r.siteId)).toEqual([village]);
    expect(await statusOf(t.id)).toBe('alerted');
    expect(
      (await dispatcher.api.get('/api/v1/teams?status=alerted')).body.map((x: { id: string }) => x.id),
    ).toEqual([t.id]);

    expect((await villageOfficer.api.post(`/api/v1/directives/${directiveId}/ack`, {})).status).toBe(200);
    expect(await statusOf(t.id)).toBe('deployed');
    const answered = await villageOfficer.api.post(`/api/v1/directives/${directiveId}/feedback`, {
      text: '32人已到位，转移完毕',
    });
    expect(answered.status).toBe(200);
    expect(await statusOf(t.id)).toBe('available');

    await patch(commander.api, t.id, { status: 'unavailable' });
    const refused = await dispatcher.api.post(`/api/v1/teams/${t.id}/alert`, {});
    expect(refused.status).toBe(409);
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM team_alerts WHERE team_id = $1`, [t.id]);
    expect(rows[0].n).toBe(1);
  });

  it('releaseForResponse: the teams a response alerted are available again; others keep their status', async () => {
    const alerts = hub!.app.get(TeamAlertsService, { strict: false });
    const a = await create(commander);
    const b = await create(commander, { siteId: village });
    const c = await create(commander);
    const actor = {
      userId: commander.id,
      role: 'commander' as const,
      siteId: county,
      sitePath: await pathOf(county),
    };
    const responseId = randomUUID();
    const sent = await alerts.alert(actor, [a.id, b.id], {
      responseId,
      body: '启动Ⅲ级应急响应，请集结待命。',
    });
    expect(sent.map((s) => s.teamId)).toEqual([a.id, b.id]);
    await alerts.alert(actor, [c.id], { responseId: randomUUID() });
    expect((await villageOfficer.api.post(`/api/v1/directives/${sent[1]!.directiveId}/ack`, {})).status).toBe(
      200,
    );
    expect([await statusOf(a.id), await statusOf(b.id), await statusOf(c.id)]).toEqual([
      'alerted',
      'deployed',
      'alerted',
    ]);
    expect((await alerts.forResponse(responseId)).map((x) => [x.teamId, x.status, x.releasedAt])).toEqual([
      [a.id, 'alerted', null],
      [b.id, 'deployed', null],
    ]);
    await alerts.releaseForResponse(responseId);
    expect([await statusOf(a.id), await statusOf(b.id), await statusOf(c.id)]).toEqual([
      'available',
      'available',
      'alerted',
    ]);
    const view = (await commander.api.get(`/api/v1/teams/${a.id}`)).body;
    expect(view.lastAlert).toMatchObject({ responseId, directiveId: sent[0]!.directiveId });
    expect(view.lastAlert.releasedAt).not.toBeNull();
    expect((await alerts.forResponse(responseId)).map((x) => x.status)).toEqual(['available', 'available']);
    expect(await alerts.forResponse(randomUUID())).toEqual([]);
    await expect(alerts.alert(actor, [randomUUID()], {})).rejects.toMatchObject({ code: 'not_found' });
  });

  it('exports CSV (BOM, zh header) and imports it back: unchanged, edited and new rows; a bad line imports nothing', async () => {
    const csvAs = (user: User, path: string, body?: string) => csvRequest(user, path, body);
    const t = await create(commander, {
      name: '上游镇医疗救护队',
      kind: 'medical',
      equipment: ['担架', '急救箱'],
    });
    const exported = await csvAs(commander, '/api/v1/teams.csv');
    expect(exported.status).toBe(200);
    expect(exported.type).toMatch(/^text\/csv/);
    expect(exported.text.startsWith('\uFEFF队伍名称,类型,单位编号,单位名称,队长,队长电话,')).toBe(true);
    const lines = exported.text.slice(1).split('\r\n').filter(Boolean);
    const mine = lines.find((l) => l.startsWith('上游镇医疗救护队,'))!;
    expect(mine).toContain(`,医疗,${town},上游镇,王强,138 0000 1111,,12,担架、急救箱,30,待命,`);
    const count = async () => (await sql.query(`SELECT count(*)::int AS n FROM teams`)).rows[0].n as number;
    const before = await count();

    // the same upload rules as stock and experts: another type or charset is 415, nothing read
    for (const type of ['text/plain', 'text/csv; charset=gbk']) {
      const res = await fetch(`${commander.api.baseUrl}/api/v1/teams/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${commander.token}`, 'content-type': type },
        body: exported.text,
      });
      expect(res.status).toBe(415);
    }
    const same = await csvAs(commander, '/api/v1/teams/import', exported.text);
    expect(same.status).toBe(200);
    expect(same.json()).toEqual({ created: 0, updated: 0 });

    const edited = exported.text.replace(
      mine,
      mine.replace(',12,担架、急救箱,', ',14,担架、急救箱、氧气瓶,'),
    );
    const added = `${edited}上游镇搜救队,综合,${town},上游镇,刘洋,13800001234,,8,绳索,45,不可用,2026-12-01\r\n`;
    const imported = await csvAs(commander, '/api/v1/teams/import', added);
    expect(imported.json()).toEqual({ created: 1, updated: 1 });
    expect(await count()).toBe(before + 1);
    const back = (await commander.api.get(`/api/v1/teams/${t.id}`)).body;
    expect(back).toMatchObject({ headcount: 14, equipment: ['担架', '急救箱', '氧气瓶'] });
    const rescue = (await commander.api.get(`/api/v1/teams?siteId=${town}&status=unavailable`)).body;
    expect(rescue.find((x: { name: string }) => x.name === '上游镇搜救队')).toMatchObject({
      lastVerifiedAt: '2026-11-30T16:00:00.000Z',
      status: 'unavailable',
    });

    // line 3 is a 村级突击队 of 20: 400 naming line 3, and line 2 (valid) is not imported either
    const header = exported.text.slice(0, exported.text.indexOf('\r\n') + 2);
    const bad =
      `${header}新建队伍甲,综合,${town},,张三,13800000001,,5,,10,待命,\r\n` +
      `新建队伍乙,村级突击队,${village},,李四,13800000002,,20,,10,待命,\r\n`;
    const refused = await csvAs(commander, '/api/v1/teams/import', bad);
    expect(refused.status).toBe(400);
    expect(refused.json().message).toMatch(/^line 3: /);
    expect(refused.json().fields).toEqual([{ path: 'line 3', message: '第3行：村级突击队人数不少于30人' }]);
    const phone = await csvAs(commander, '/api/v1/teams/import', bad.replace('13800000001', 'call me'));
    expect(phone.json().fields[0].path).toBe('line 2');
    expect(await count()).toBe(before + 1);
    const wrongHeader = await csvAs(commander, '/api/v1/teams/import', 'name,kind\r\nx,y\r\n');
    expect(wrongHeader.status).toBe(400);
    expect(wrongHeader.json().fields[0].path).toBe('line 1');
    expect((await csvAs(dispatcher, '/api/v1/teams/import', exported.text)).status).toBe(403);
    const json = await commander.api.post('/api/v1/teams/import', { rows: [] });
    expect(json.status).toBe(415);
  });

  const pathOf = async (siteId: string) =>
    ((await sql.query(`SELECT path FROM sites WHERE id = $1`, [siteId])).rows[0] as { path: string }).path;
});

/** The same alert loop on the embedded engine (PGlite: the migration's deferred key, the status SQL). */
describe('teams (embedded PGlite)', () => {
  let hub: StartedApp;
  let admin: Api;
  const dir = mkdtempSync(join(tmpdir(), 'yihu-teams-embedded-'));

  beforeAll(async () => {
    const env: Record<string, string> = {
      ...inProcessHubEnv(join(dir, 'data'), await freePort()),
      MQTT_PORT: String(await freePort()),
    };
    hub = await startApp('hub', hubApp, env);
    admin = await new Api(`http://127.0.0.1:${env.PORT}`).login('admin', 'admin-password-1');
  });

  afterAll(async () => {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('alerts a team; 签收 → deployed, 反馈 → available, and ?status= agrees', async () => {
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    const town = await createSite(admin, '岭下镇', 'township', root);
    const village = await createSite(admin, '岭下村', 'village', town);
    const officer = await createUser(admin, 'tm-embedded', 'duty_officer', village);
    const created = await admin.post('/api/v1/teams', {
      name: '岭下村应急突击队',
      kind: 'village-shock',
      siteId: village,
      leaderName: '陈林',
      leaderPhone: '13700000000',
      headcount: 30,
      assembleMinutes: 15,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const ids = async (status: string) =>
      (await admin.get(`/api/v1/teams?status=${status}`)).body.map((t: { id: string }) => t.id);
    const { directiveId } = (await admin.post(`/api/v1/teams/${id}/alert`, {})).body as {
      directiveId: string;
    };
    expect((await admin.get(`/api/v1/directives/${directiveId}`)).body.title).toBe(
      '【岭下村应急突击队】应急出动通知',
    );
    expect(await ids('alerted')).toEqual([id]);
    expect((await officer.api.post(`/api/v1/directives/${directiveId}/ack`, {})).status).toBe(200);
    expect(await ids('deployed')).toEqual([id]);
    expect(
      (await officer.api.post(`/api/v1/directives/${directiveId}/feedback`, { text: '已集结' })).status,
    ).toBe(200);
    expect(await ids('available')).toEqual([id]);
  });
});
