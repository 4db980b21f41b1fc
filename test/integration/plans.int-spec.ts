import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startApp, type StartedApp } from '#platform';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { Api } from '../support/api.js';
import { createSite, createUser } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { inProcessHubEnv } from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(120_000);

type User = { id: string; api: Api; token: string };

/**
 * 预案 and 启动响应 against PostgreSQL (cluster mode: BullMQ on Redis): versions and the pinned
 * version, validation naming the action, a start issuing the directives and opening the
 * consultation, 409 twice for one incident and level, the level change's linked directive,
 * the end, a drill marking everything 演练, and a failed action shown on the board.
 */
describe('plans and responses', () => {
  let db: TestDatabase;
  let hub: StartedApp;
  let sql: pg.Client;
  let admin: Api;
  let county: string;
  let towns: string[];
  let foreignTown: string;
  let commander: User;
  let dispatcher: User;
  let officer: User;
  let templateId: string;
  let incidentId: string;
  let teamId: string;
  const dirs: string[] = [];
  const prefix = uniquePrefix();

  const levelIII = () => [
    {
      kind: 'directive',
      title: '转移危险区群众',
      body: '立即组织转移。',
      level: 'orange',
      targets: { siteIds: [towns[0]] },
    },
    { kind: 'directive', templateId, targets: { siteIds: [towns[1]] } },
    { kind: 'consultation', siteIds: [towns[0], towns[1]] },
    { kind: 'duty', siteIds: [towns[0]], note: '每小时报告水情。' },
    { kind: 'alert-teams', teamIds: [teamId] },
  ];
  const plan = (extra: Record<string, unknown> = {}) => ({
    name: '山洪灾害防御预案',
    hazard: 'flood',
    siteId: county,
    levels: [
      { level: 'III', actions: levelIII() },
      {
        level: 'II',
        actions: [
          ...levelIII(),
          {
            kind: 'directive',
            title: '全面停工停课',
            body: '立即执行。',
            level: 'red',
            targets: { siteIds: [towns[1]] },
          },
        ],
      },
    ],
    ...extra,
  });
  const directive = async (id: string) => (await commander.api.get(`/api/v1/directives/${id}`)).body;

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'yihu-plans-'));
    dirs.push(dir);
    const port = await freePort();
    hub = await startApp('hub', hubApp, {
      ...inProcessHubEnv(join(dir, 'data'), port),
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: 'plans-test-secret-0123456789-abcdefghijklmn',
      AUDIT_KEY: 'plans-audit-key-of-every-instance-0123456789',
      MQTT_PORT: String(await freePort()),
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    admin = await new Api(baseUrl).login('admin', 'admin-password-1');
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    county = await createSite(admin, '山洪县', 'command', root);
    towns = [
      await createSite(admin, '上游镇', 'township', county),
      await createSite(admin, '下游镇', 'township', county),
    ];
    foreignTown = await createSite(
      admin,
      '邻县镇',
      'township',
      await createSite(admin, '邻县', 'command', root),
    );
    commander = await createUser(admin, 'pl-cmd', 'commander', county);
    dispatcher = await createUser(admin, 'pl-disp', 'dispatcher', county);
    officer = await createUser(admin, 'pl-officer', 'duty_officer', towns[0]!);
    const t = await commander.api.post('/api/v1/directive-templates', {
      name: '巡查',
      title: '加密巡查河道',
      body: '每两小时巡查一次。',
      level: 'yellow',
    });
    expect(t.status).toBe(201);
    templateId = t.body.id;
    const team = await commander.api.post('/api/v1/teams', {
      name: '上游镇防汛突击队',
      kind: 'flood',
      siteId: towns[0],
      leaderName: '王强',
      leaderPhone: '138 0000 1111',
      headcount: 30,
      equipment: ['冲锋舟'],
      assembleMinutes: 30,
    });
    expect(team.status).toBe(201);
    teamId = team.body.id;
    const inc = await commander.api.post('/api/v1/incidents', {
      siteId: towns[0],
      title: '山洪',
      category: '自然灾害',
      level: 'III',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      learnedAt: new Date().toISOString(),
      location: '上游镇',
      summary: '溪水暴涨。',
    });
    expect(inc.status).toBe(201);
    incidentId = inc.body.id;
  });

  afterAll(async () => {
    await sql?.end();
    await hub?.stop();
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a missing template (400) and a site outside scope (403), naming the action; a dispatcher may not write', async () => {
    const bad = plan();
    (bad.levels[0]!.actions[1] as { templateId: string }).templateId = '00000000-0000-4000-8000-000000000000';
    const missing = await commander.api.post('/api/v1/plans', bad);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('levels[0].actions[1]');
    const outside = plan();
    (outside.levels[1]!.actions[2] as { siteIds: string[] }).siteIds = [foreignTown];
    const forbidden = await commander.api.post('/api/v1/plans', outside);
    expect(forbidden.status).toBe(403);
    expect(JSON.stringify(forbidden.body)).toContain('levels[1].actions[2]');
    expect((await dispatcher.api.post('/api/v1/plans', plan())).status).toBe(403);
    const noTeam = plan();
    (noTeam.levels[0]!.actions[4] as { teamIds: string[] }).teamIds = [
      '00000000-0000-4000-8000-000000000001',
    ];
    const unknownTeam = await commander.api.post('/api/v1/plans', noTeam);
    expect(unknownTeam.status).toBe(400);
    expect(JSON.stringify(unknownTeam.body)).toContain('levels[0].actions[4]');
    const twice = plan({
      levels: [
        { level: 'III', actions: [] },
        { level: 'III', actions: [] },
      ],
    });
    expect((await commander.api.post('/api/v1/plans', twice)).status).toBe(400);
  });

  it('keeps versions: a new one leaves the old readable; a started response keeps its version', async () => {
    const created = await commander.api.post('/api/v1/plans', plan());
    expect(created.status).toBe(201);
    expect(created.body.version).toBe(1);
    const id = created.body.id as string;
    const v2 = await commander.api.post(`/api/v1/plans/${id}/versions`, {
      name: '山洪灾害防御预案（修订）',
      hazard: 'flood',
      levels: [{ level: 'IV', actions: [] }, ...plan().levels],
    });
    expect(v2.status).toBe(201);
    expect(v2.body.version).toBe(2);
    const latest = (await officer.api.get(`/api/v1/plans/${id}`)).body;
    expect(latest.name).toBe('山洪灾害防御预案（修订）');
    expect(latest.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const first = (await commander.api.get(`/api/v1/plans/${id}?version=1`)).body;
    expect(first.levels.map((l: { level: string }) => l.level)).toEqual(['III', 'II']);
    expect((await dispatcher.api.get('/api/v1/plans')).body.map((p: { id: string }) => p.id)).toContain(id);

    const started = await commander.api.post('/api/v1/responses', { planId: id, level: 'IV' });
    expect(started.status).toBe(201);
    await commander.api.post(`/api/v1/plans/${id}/versions`, {
      name: '第三版',
      hazard: 'flood',
      levels: plan().levels,
    });
    const board = (await commander.api.get(`/api/v1/responses/${started.body.id}`)).body;
    expect(board.planVersion).toBe(2);
    expect(board.planName).toBe('山洪灾害防御预案（修订）');
  });

  it('starts a Ⅲ response in one step, 409 twice for the incident; raises it to Ⅱ; ends it once', async () => {
    const planId = (await commander.api.post('/api/v1/plans', plan())).body.id as string;
    expect(
      (await dispatcher.api.post('/api/v1/responses', { planId, level: 'III', incidentId })).status,
    ).toBe(403);
    const started = await commander.api.post('/api/v1/responses', { planId, level: 'III', incidentId });
    expect(started.status).toBe(201);
    expect(started.body.failed).toEqual([]);
    expect(started.body.directiveIds).toHaveLength(3);
    expect(started.body.consultationId).toEqual(expect.any(String));
    expect(started.body.teamAlerts).toEqual([{ teamId, directiveId: expect.any(String) }]);
    const again = await commander.api.post('/api/v1/responses', { planId, level: 'III', incidentId });
    expect(again.status).toBe(409);
    const id = started.body.id as string;

    const [first, fromTemplate, duty] = await Promise.all(started.body.directiveIds.map(directive));
    expect(first.title).toBe('转移危险区群众');
    expect(first.drill).toBe(false);
    expect(fromTemplate.title).toBe('加密巡查河道');
    expect(duty.body).toContain('带班领导');
    const [consultation] = (
      await sql.query(`SELECT site_ids, drill_id FROM consultations WHERE id = $1`, [
        started.body.consultationId,
      ])
    ).rows;
    expect([...consultation.site_ids].sort()).toEqual([...towns].sort());

    // the officer 签收s their directive: the board counts it; they see their own part only
    expect((await officer.api.post(`/api/v1/directives/${first.id}/ack`, {})).status).toBe(200);
    const board = (await dispatcher.api.get(`/api/v1/responses/${id}`)).body;
    expect(board.level).toBe('III');
    expect(board.actions.map((a: { kind: string }) => a.kind)).toEqual([
      'directive',
      'directive',
      'consultation',
      'duty',
      'alert-teams',
    ]);
    expect(board.actions[0].counts).toMatchObject({ sent: 1, acknowledged: 1 });
    expect(board.actions[2].consultation).toMatchObject({ state: 'scheduled' });
    expect(board.actions[4].teams).toEqual([{ id: teamId, name: '上游镇防汛突击队', status: 'alerted' }]);
    // the team's duty officer 签收s the alert: the team is deployed
    const alertDirective = started.body.teamAlerts[0].directiveId as string;
    expect((await officer.api.post(`/api/v1/directives/${alertDirective}/ack`, {})).status).toBe(200);
    const deployed = (await dispatcher.api.get(`/api/v1/responses/${id}`)).body;
    expect(deployed.actions[4].teams[0].status).toBe('deployed');
    expect(deployed.actions[4].counts).toMatchObject({ sent: 1, acknowledged: 1 });
    expect((await officer.api.get('/api/v1/responses')).body.map((x: { id: string }) => x.id)).toContain(id);
    const mine = (await officer.api.get(`/api/v1/responses/${id}`)).body;
    expect(mine.actions.map((a: { id: string }) => a.id)).not.toContain(board.actions[1].id);

    const raised = await commander.api.post(`/api/v1/responses/${id}/level`, { level: 'II' });
    expect(raised.status).toBe(200);
    expect(raised.body.level).toBe('II');
    expect(raised.body.levels.map((l: { level: string }) => l.level)).toEqual(['III', 'II']);
    const added = raised.body.actions.slice(5);
    // the linked notice to every involved site, and only the new level's new directive
    expect(added.map((a: { kind: string }) => a.kind)).toEqual(['level-change', 'directive']);
    const notice = await directive(added[0].directiveId);
    expect(notice.title).toBe('响应级别调整为Ⅱ级');
    expect(notice.recipients.map((r: { siteId: string }) => r.siteId).sort()).toEqual([...towns].sort());
    expect((await commander.api.post(`/api/v1/responses/${id}/level`, { level: 'II' })).status).toBe(409);

    const ended = await commander.api.post(`/api/v1/responses/${id}/end`, {
      summary: '水位回落，险情解除。',
    });
    expect(ended.status).toBe(200);
    expect(ended.body.state).toBe('ended');
    const end = ended.body.actions.at(-1);
    expect(end.kind).toBe('end');
    expect((await directive(end.directiveId)).body).toContain('水位回落');
    expect((await commander.api.post(`/api/v1/responses/${id}/end`, { summary: '再次' })).status).toBe(409);
    // the end released the team
    expect(ended.body.actions[4].teams[0].status).toBe('available');
    expect((await commander.api.get(`/api/v1/teams/${teamId}`)).body.status).toBe('available');
    // ended: the incident may have a Ⅲ response again
    const restarted = await commander.api.post('/api/v1/responses', { planId, level: 'III', incidentId });
    expect(restarted.status).toBe(201);
    expect(
      (await commander.api.get('/api/v1/responses?state=ended')).body.map((r: { id: string }) => r.id),
    ).toContain(id);
  });

  it('marks a drill response 演练: its directives, its consultation (drillId) and the board', async () => {
    const planId = (await commander.api.post('/api/v1/plans', plan())).body.id as string;
    const drill = await commander.api.post('/api/v1/drills', {
      name: '汛期演练',
      kind: 'functional',
      siteIds: towns,
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(drill.status).toBe(201);
    const started = await commander.api.post('/api/v1/responses', {
      planId,
      level: 'III',
      drillId: drill.body.id,
    });
    expect(started.status).toBe(201);
    expect(started.body.failed).toEqual([]);
    const all = [
      ...started.body.directiveIds,
      ...started.body.teamAlerts.map((t: { directiveId: string }) => t.directiveId),
    ];
    expect(all).toHaveLength(4);
    for (const d of await Promise.all(all.map(directive))) expect(d.drill).toBe(true);
    const [c] = (
      await sql.query(`SELECT title, drill_id FROM consultations WHERE id = $1`, [
        started.body.consultationId,
      ])
    ).rows;
    expect(c.drill_id).toBe(drill.body.id);
    expect(c.title).toContain('【演练】');
    const board = (await commander.api.get(`/api/v1/responses/${started.body.id}`)).body;
    expect(board).toMatchObject({ drill: true, drillId: drill.body.id });
  });

  it('records a failed action with its reason on the board, and a retry runs it again', async () => {
    const t = await commander.api.post('/api/v1/directive-templates', {
      name: '临时',
      title: '临时指令',
      body: '临时。',
      level: 'blue',
    });
    const planId = (
      await commander.api.post('/api/v1/plans', {
        name: '地灾预案',
        hazard: 'geologic',
        siteId: county,
        levels: [
          {
            level: 'IV',
            actions: [{ kind: 'directive', templateId: t.body.id, targets: { siteIds: [towns[0]] } }],
          },
        ],
      })
    ).body.id as string;
    const started = await commander.api.post('/api/v1/responses', { planId, level: 'IV' });
    // gone between the check and the run: the same as a template deleted mid-start
    await sql.query(`DELETE FROM directive_templates WHERE id = $1`, [t.body.id]);
    const id = started.body.id as string;
    expect(started.status).toBe(201);
    const [action] = (await sql.query(`SELECT id FROM response_actions WHERE response_id = $1`, [id])).rows;
    await sql.query(
      `UPDATE response_actions SET state = 'pending', directive_id = NULL, attempted_at = now() - interval '5 minutes' WHERE id = $1`,
      [action.id],
    );
    const stalled = (await commander.api.get(`/api/v1/responses/${id}`)).body;
    expect(stalled.actions[0].state).toBe('interrupted');
    expect(stalled.problems).toBe(1);
    const retried = await commander.api.post(`/api/v1/responses/${id}/retry`, {});
    expect(retried.status).toBe(200);
    expect(retried.body.actions[0]).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('no longer exists'),
    });
  });
});

describe('plans: a warning action', () => {
  let db: TestDatabase;
  let hub: StartedApp;
  let commander: Api;
  let county: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'yihu-plans-warn-'));
    dirs.push(dir);
    const port = await freePort();
    hub = await startApp('hub', hubApp, {
      ...inProcessHubEnv(join(dir, 'data'), port),
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: uniquePrefix(),
      JWT_SECRET: 'plans-warn-secret-0123456789-abcdefghijklmn',
      AUDIT_KEY: 'plans-warn-audit-key-of-every-instance-012345',
      MQTT_PORT: String(await freePort()),
    });
    const admin = await new Api(`http://127.0.0.1:${port}`).login('admin', 'admin-password-1');
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    const site = async (name: string, kind: string, parentId: string, regionCode: string) =>
      (await admin.post('/api/v1/sites', { name, kind, parentId, regionCode })).body.id as string;
    county = await site('雨县', 'command', root, '330108');
    await site('雨镇', 'township', county, '330108001');
    commander = (await createUser(admin, 'pw-cmd', 'commander', county)).api;
  });

  afterAll(async () => {
    await hub?.stop();
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('drafts the warning (it stays a draft for review); a drill drafts it with CAP status Exercise', async () => {
    const warning = {
      kind: 'warning',
      event: '暴雨',
      level: 'orange',
      headline: '雨县暴雨橙色预警',
      description: '未来6小时降雨量将达80毫米以上。',
      instruction: '停止户外作业，转移低洼地带群众。',
      areas: { regionCodes: ['330108001'] },
      validHours: 12,
    };
    const created = await commander.post('/api/v1/plans', {
      name: '暴雨预案',
      hazard: 'weather',
      siteId: county,
      levels: [{ level: 'IV', actions: [warning] }],
    });
    expect(created.status).toBe(201);
    const outside = await commander.post('/api/v1/plans', {
      name: '暴雨预案',
      hazard: 'weather',
      siteId: county,
      levels: [{ level: 'IV', actions: [{ ...warning, areas: { regionCodes: ['330199'] } }] }],
    });
    expect(outside.status).toBe(403);
    expect(JSON.stringify(outside.body)).toContain('levels[0].actions[0]');
    for (const drill of [false, true]) {
      const started = await commander.post('/api/v1/responses', {
        planId: created.body.id,
        level: 'IV',
        drill,
      });
      expect(started.status).toBe(201);
      expect(started.body.failed).toEqual([]);
      const board = (await commander.get(`/api/v1/responses/${started.body.id}`)).body;
      const w = (await commander.get(`/api/v1/warnings/${board.actions[0].warningId}`)).body;
      expect(w).toMatchObject({ state: 'draft', status: drill ? 'Exercise' : 'Actual' });
      expect(w.headline).toBe(drill ? '【演练】雨县暴雨橙色预警' : '雨县暴雨橙色预警');
      const hours = (Date.parse(w.expires) - Date.parse(w.onset)) / 3600_000;
      expect(Math.round(hours)).toBe(12);
    }
  });
});
