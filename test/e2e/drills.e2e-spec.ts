import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

type User = { id: string; api: Api; token: string };
const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
/** the month in Beijing time, as the monthly statistics count it */
const month = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);

/**
 * 演练 against the built hub: a small drill run end to end over REST and socket.io
 * (directive, 查岗, incident and warning in the drill), its after-action report, the real
 * statistics that leave it out, and every refusal the contract names.
 */
describe('drills end to end', () => {
  let hub: HubProcess;
  let admin: Api;
  let towns: string[];
  let commander: User;
  let dispatcher: User;
  let east: User;
  let west: User;
  let outsider: User;
  const consoles: TestConsole[] = [];

  const site = async (name: string, kind: string, parentId: string, regionCode: string) => {
    const res = await admin.post('/api/v1/sites', { name, kind, parentId, regionCode });
    if (res.status !== 201) throw new Error(`site ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const drillBody = (overrides: Record<string, unknown> = {}) => ({
    name: '2026年防汛应急演练',
    kind: 'functional',
    siteIds: [towns[0], towns[1]],
    startsAt: minutes(-1),
    endsAt: minutes(60),
    ...overrides,
  });
  const directive = (
    drillId: string | undefined,
    siteIds: string[],
    extra: Record<string, unknown> = {},
  ) => ({
    title: '演练：请立即检查防汛物资',
    body: '请各乡镇值班室签收并反馈物资清点情况。',
    level: 'orange',
    targets: { siteIds },
    ...(drillId ? { drillId } : {}),
    ...extra,
  });
  const incident = (siteId: string, drillId: string) => ({
    siteId,
    title: '演练：山体滑坡',
    category: '自然灾害',
    level: 'II',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    learnedAt: new Date().toISOString(),
    location: '东镇三村',
    summary: '演练想定：道路中断',
    drillId,
  });
  const warning = (drillId: string, extra: Record<string, unknown> = {}) => ({
    event: '暴雨',
    level: 'orange',
    headline: '演练：暴雨橙色预警',
    description: '演练想定：东镇未来6小时降雨50毫米以上。',
    instruction: '请东镇按预案转移群众。',
    areas: { regionCodes: ['330201001'] },
    onset: minutes(60),
    expires: minutes(360),
    drillId,
    ...extra,
  });

  beforeAll(async () => {
    hub = await startHub({ SFU_ENABLED: 'false' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const county = await site('演练县', 'command', root, '330201');
    towns = [
      await site('东镇', 'township', county, '330201001'),
      await site('西镇', 'township', county, '330201002'),
      await site('南镇', 'township', county, '330201003'),
    ];
    const other = await site('邻县', 'command', root, '330202');
    await site('邻镇', 'township', other, '330202001');
    commander = await createUser(admin, 'dr-commander', 'commander', county);
    dispatcher = await createUser(admin, 'dr-dispatcher', 'dispatcher', county);
    east = await createUser(admin, 'dr-east', 'duty_officer', towns[0]!);
    west = await createUser(admin, 'dr-west', 'duty_officer', towns[1]!);
    outsider = await createUser(admin, 'dr-outsider', 'dispatcher', other);
  }, 240_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    await hub?.stop();
  });

  it('refuses bad drills with a reason', async () => {
    const bad = async (body: Record<string, unknown>, status: number, text: RegExp, who = dispatcher) => {
      const res = await who.api.post('/api/v1/drills', body);
      expect({ status: res.status, text: JSON.stringify(res.body) }).toMatchObject({
        status,
        text: expect.stringMatching(text),
      });
    };
    await bad(drillBody({ kind: 'surprise' }), 400, /tabletop, functional, full, no-notice/);
    await bad(drillBody({ endsAt: minutes(-2) }), 400, /endsAt must be after startsAt/);
    await bad(drillBody({ endsAt: minutes(8 * 24 * 60) }), 400, /at most 7 days/);
    await bad(drillBody({ name: '演'.repeat(201) }), 400, /at most 200 characters/);
    await bad(drillBody({ siteIds: [] }), 400, /at least one site/);
    await bad(drillBody({ siteIds: [towns[0], towns[0]] }), 400, /named twice/);
    await bad(drillBody({ extra: 1 }), 400, /extra/);
    // a site outside the creator's scope, and one that does not exist: the same 403
    await bad(drillBody(), 403, /outside your scope/, outsider);
    await bad(drillBody({ siteIds: [crypto.randomUUID()] }), 403, /outside your scope/);
    // duty officers read drills, they do not create them
    await bad(drillBody({ siteIds: [towns[0]] }), 403, /./, east);
    expect((await dispatcher.api.get(`/api/v1/drills/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await dispatcher.api.get(`/api/v1/drills/${crypto.randomUUID()}/report`)).status).toBe(404);
    expect((await dispatcher.api.get('/api/v1/drills/not-a-uuid')).status).toBe(400);
  });

  it('runs a small drill end to end; the report has the per-site figures; real statistics leave it out', async () => {
    const eastConsole = await openConsole(hub.baseUrl, east.token);
    const westConsole = await openConsole(hub.baseUrl, west.token);
    consoles.push(eastConsole, westConsole);
    const checks: { checkId: string; drill: boolean }[] = [];
    eastConsole.socket.on('spotcheck', (p: { checkId: string; drill: boolean }) => checks.push(p));

    const created = await dispatcher.api.post('/api/v1/drills', drillBody());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: '2026年防汛应急演练',
      kind: 'functional',
      state: 'running',
      sites: [
        { id: towns[0], name: '东镇' },
        { id: towns[1], name: '西镇' },
      ],
      endedAt: null,
    });
    const drillId = created.body.id as string;

    // items joining the drill: refused when they contradict it
    const unknown = await dispatcher.api.post(
      '/api/v1/directives',
      directive(crypto.randomUUID(), [towns[0]!]),
    );
    expect(unknown.status).toBe(404);
    const outside = await dispatcher.api.post(
      '/api/v1/directives',
      directive(drillId, [towns[0]!, towns[2]!]),
    );
    expect(outside.status).toBe(422);
    expect(outside.body.message).toContain(towns[2]);
    const notDrill = await dispatcher.api.post(
      '/api/v1/directives',
      directive(drillId, [towns[0]!], { drill: false }),
    );
    expect(notDrill.status).toBe(422);
    expect((await dispatcher.api.post('/api/v1/directives', directive('nope', [towns[0]!]))).status).toBe(
      400,
    );

    // the directive: both townships receive it marked 演练; east 签收s over socket.io and 反馈s over REST
    const issued = await dispatcher.api.post(
      '/api/v1/directives',
      directive(drillId, [towns[0]!, towns[1]!]),
    );
    expect(issued.status).toBe(201);
    const directiveId = issued.body.id as string;
    expect((await dispatcher.api.get(`/api/v1/directives/${directiveId}`)).body).toMatchObject({
      drill: true,
      drillId,
    });
    const got = await waitFor(
      () => eastConsole.directives.find((d) => d.id === directiveId),
      15_000,
      'east gets it',
    );
    expect(got.drill).toBe(true);
    await waitFor(() => westConsole.directives.find((d) => d.id === directiveId), 15_000, 'west gets it');
    expect((await eastConsole.ack(directiveId)).ok).toBe(true);
    const feedback = await east.api.post(`/api/v1/directives/${directiveId}/feedback`, {
      text: '物资已清点，齐全。',
    });
    expect(feedback.status).toBeLessThan(300);

    // 查岗 in the drill: east answers, west lets it run out
    expect(
      (
        await dispatcher.api.post('/api/v1/spot-checks', {
          siteIds: [towns[2]],
          windowSeconds: 15,
          channels: ['console'],
          drillId,
        })
      ).status,
    ).toBe(422);
    const check = await dispatcher.api.post('/api/v1/spot-checks', {
      siteIds: [towns[0], towns[1]],
      windowSeconds: 15,
      channels: ['console'],
      drillId,
    });
    expect(check.status).toBe(201);
    expect(check.body).toMatchObject({ drill: true, drillId });
    const checkId = check.body.id as string;
    expect((await dispatcher.api.get(`/api/v1/spot-checks/${checkId}`)).body).toMatchObject({
      drill: true,
      drillId,
    });
    await waitFor(() => checks.find((c) => c.checkId === checkId), 15_000, 'the 查岗 alarm');
    expect(checks.find((c) => c.checkId === checkId)!.drill).toBe(true);
    expect((await eastConsole.call('spotcheck.answer', { checkId })).ok).toBe(true);

    // 信息报送 in the drill: east opens an incident and phones it in
    expect((await dispatcher.api.post('/api/v1/incidents', incident(towns[2]!, drillId))).status).toBe(422);
    const opened = await east.api.post('/api/v1/incidents', incident(towns[0]!, drillId));
    expect(opened.status).toBe(201);
    const incidentId = opened.body.id as string;
    expect((await east.api.get(`/api/v1/incidents/${incidentId}`)).body).toMatchObject({
      drill: true,
      drillId,
    });
    const phoned = await east.api.post(`/api/v1/incidents/${incidentId}/reports`, {
      kind: 'phone',
      content: '演练：电话报告',
    });
    expect(phoned.status).toBe(201);

    // 预警 in the drill: CAP status Exercise only, area inside the drill, published, 签收'd by east
    expect(
      (await commander.api.post('/api/v1/warnings', warning(drillId, { status: 'Actual' }))).status,
    ).toBe(422);
    const south = await commander.api.post(
      '/api/v1/warnings',
      warning(drillId, { areas: { regionCodes: ['330201003'] } }),
    );
    expect(south.status).toBe(422);
    const drafted = await commander.api.post('/api/v1/warnings', warning(drillId));
    expect(drafted.status).toBe(201);
    const warningId = drafted.body.id as string;
    const published = await commander.api.post(`/api/v1/warnings/${warningId}/publish`, { emergency: true });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: 'Exercise', drillId });
    const cap = await commander.api.get(`/api/v1/warnings/${warningId}/cap`);
    expect(String(cap.body)).toContain('<status>Exercise</status>');
    const carried = published.body.directiveId as string;
    const alert = await waitFor(
      () => eastConsole.directives.find((d) => d.id === carried),
      15_000,
      'the warning',
    );
    expect(alert.drill).toBe(true);
    expect((await eastConsole.ack(carried)).ok).toBe(true);

    // 日报告 in the drill: a drill round of a date stands beside the real round of that date
    // (tomorrow in Beijing time: the automatic round of today may already hold every township)
    const date = new Date(Date.now() + 32 * 3600_000).toISOString().slice(0, 10);
    const dueAt = minutes(10);
    const dues: { drillId?: string; drill: boolean; subject: { date?: string } }[] = [];
    eastConsole.socket.on('report.due', (p: (typeof dues)[number]) => dues.push(p));
    const real = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date,
      dueAt,
      siteIds: [towns[0], towns[1]],
    });
    expect(real.status).toBe(201);
    const drillRound = await dispatcher.api.post('/api/v1/daily-reports/rounds', { date, dueAt, drillId });
    expect(drillRound.status).toBe(201);
    expect(drillRound.body).toMatchObject({ date, drill: true, drillId });
    expect(drillRound.body.sites).toHaveLength(2);
    const dueInDrill = await waitFor(
      () => dues.find((d) => d.drillId === drillId && d.subject.date === date),
      15_000,
      "the drill round's report.due",
    );
    expect(dueInDrill!.drill).toBe(true);
    expect(
      (
        await dispatcher.api.post('/api/v1/daily-reports/rounds', {
          date,
          dueAt,
          drillId,
          siteIds: [towns[2]],
        })
      ).status,
    ).toBe(422);
    const nil = await east.api.request('PUT', `/api/v1/daily-reports/${towns[0]}/${date}`, {
      kind: 'zero',
      drillId,
    });
    expect(nil.body).toMatchObject({ state: 'zero', version: 1 });
    // the real round of the date is untouched: east still owes it
    const realRows = (await dispatcher.api.get(`/api/v1/daily-reports?date=${date}`)).body as {
      siteId: string;
      state: string;
      drill: boolean;
    }[];
    expect(realRows.find((r) => r.siteId === towns[0])).toMatchObject({ state: 'pending', drill: false });

    // 视频会商 in the drill: a plan's response run in the drill opens it for both townships
    const county = (await commander.api.get('/api/v1/auth/me')).body.siteId as string;
    const plan = await commander.api.post('/api/v1/plans', {
      name: '演练会商预案',
      hazard: 'flood',
      siteId: county,
      levels: [{ level: 'III', actions: [{ kind: 'consultation', siteIds: [towns[0], towns[1]] }] }],
    });
    expect(plan.status).toBe(201);
    const response = await commander.api.post('/api/v1/responses', {
      planId: plan.body.id,
      level: 'III',
      drillId,
    });
    expect(response.status).toBe(201);
    const consultationId = response.body.consultationId as string;
    expect(consultationId).toEqual(expect.any(String));

    // west never answers the 查岗: it is settled as missed
    await waitFor(
      async () =>
        (await dispatcher.api.get(`/api/v1/spot-checks/${checkId}`)).body.targets.find(
          (t: { siteId: string }) => t.siteId === towns[1],
        )?.state === 'missed',
      60_000,
      'west missed',
    );

    const report = await dispatcher.api.get(`/api/v1/drills/${drillId}/report`);
    expect(report.status).toBe(200);
    const [e, w] = report.body.sites;
    expect(e).toMatchObject({
      siteId: towns[0],
      siteName: '东镇',
      directives: { sent: 1, delivered: 1, acknowledged: 1, answered: 1 },
      spotChecks: { sent: 1, onTime: 1, late: 0, missed: 0 },
      reports: { incidents: 1, submitted: 1 },
      warnings: { sent: 1, delivered: 1, acknowledged: 1 },
      dailyReports: { sent: 1, submitted: 1, late: 0, missing: 0, pending: 0 },
      consultations: { invited: 1, joined: 0 },
      silent: false,
    });
    expect(e.dailyReports.submitSeconds.values).toHaveLength(1);
    expect(e.directives.ackSeconds.values).toHaveLength(1);
    expect(e.directives.ackSeconds.median).toBe(e.directives.ackSeconds.max);
    expect(e.directives.answerSeconds.max).toBeGreaterThanOrEqual(e.directives.ackSeconds.max);
    expect(e.spotChecks.answerSeconds.values).toHaveLength(1);
    expect(w).toMatchObject({
      siteId: towns[1],
      directives: { sent: 1, acknowledged: 0, answered: 0 },
      spotChecks: { sent: 1, onTime: 0, missed: 1 },
      warnings: { sent: 0 },
      dailyReports: { sent: 1, submitted: 0, pending: 1 },
      consultations: { invited: 1, joined: 0 },
      silent: true,
    });
    expect(report.body.totals.dailyReports).toMatchObject({ sent: 2, submitted: 1 });
    expect(report.body.consultations).toEqual([
      expect.objectContaining({
        id: consultationId,
        title: expect.stringContaining('【演练】'),
        state: 'scheduled',
        startedAt: null,
        endedAt: null,
        invited: 2,
        joined: 0,
        sites: [
          { siteId: towns[0], siteName: '东镇', joinedAt: null, joinSeconds: null },
          { siteId: towns[1], siteName: '西镇', joinedAt: null, joinSeconds: null },
        ],
      }),
    ]);
    expect(report.body.totals.directives).toMatchObject({ sent: 2, acknowledged: 1, answered: 1 });
    expect(report.body.missed).toEqual({
      acknowledgement: [towns[1]],
      feedback: [towns[1]],
      spotCheck: [towns[1]],
      dailyReport: [],
      silent: [towns[1]],
    });

    // the real statistics do not count the drill; asked to, they do
    const spot = async (includeDrill: boolean) =>
      (
        await dispatcher.api.get(`/api/v1/duty/stats/monthly?month=${month()}&includeDrill=${includeDrill}`)
      ).body.rows.find((r: { siteId: string }) => r.siteId === towns[0]);
    expect((await spot(false)).checks).toBe(0);
    expect((await spot(true)).checks).toBe(1);
    const reporting = async (includeDrill: boolean) =>
      (
        await dispatcher.api.get(
          `/api/v1/reporting/stats/monthly?month=${month()}&includeDrill=${includeDrill}`,
        )
      ).body.rows.find((r: { siteId: string }) => r.siteId === towns[0]);
    expect((await reporting(false)).reportsDue).toBe(0);
    expect((await reporting(true)).reportsDue).toBeGreaterThan(0);

    // a duty officer reads the drills of their own site, and only their own site's figures
    const mine = await west.api.get(`/api/v1/drills/${drillId}/report`);
    expect(mine.status).toBe(200);
    expect(mine.body.sites.map((s: { siteId: string }) => s.siteId)).toEqual([towns[1]]);
    expect(mine.body.consultations[0].sites.map((s: { siteId: string }) => s.siteId)).toEqual([towns[1]]);
    expect((await west.api.get('/api/v1/drills')).body.map((d: { id: string }) => d.id)).toContain(drillId);
    expect((await outsider.api.get(`/api/v1/drills/${drillId}`)).status).toBe(404);
    expect((await outsider.api.get('/api/v1/drills')).body.map((d: { id: string }) => d.id)).not.toContain(
      drillId,
    );

    // ending: not by a duty officer nor outside the scope; once; then nothing more joins it
    expect((await west.api.post(`/api/v1/drills/${drillId}/end`, {})).status).toBe(403);
    expect((await outsider.api.post(`/api/v1/drills/${drillId}/end`, {})).status).toBe(404);
    const ended = await dispatcher.api.post(`/api/v1/drills/${drillId}/end`, {});
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ state: 'ended', endedBy: dispatcher.id });
    expect((await dispatcher.api.post(`/api/v1/drills/${drillId}/end`, {})).status).toBe(409);
    const late = await dispatcher.api.post('/api/v1/directives', directive(drillId, [towns[0]!]));
    expect(late.status).toBe(409);
    expect(late.body.message).toMatch(/has ended/);
    expect((await commander.api.post('/api/v1/warnings', warning(drillId))).status).toBe(409);
    expect(
      (await dispatcher.api.post('/api/v1/daily-reports/rounds', { date, dueAt: minutes(10), drillId }))
        .status,
    ).toBe(409);

    const audit = (await admin.get(`/api/v1/audit?subjectId=${drillId}`)).body as {
      action: string;
      actorId: string;
    }[];
    expect(audit.map((a) => a.action).sort()).toEqual(['drill.create', 'drill.end']);
    expect(audit.every((a) => a.actorId === dispatcher.id)).toBe(true);

    const list = await dispatcher.api.get('/api/v1/drills');
    expect(list.body[0]).toMatchObject({ id: drillId, state: 'ended' });
  }, 180_000);
});
