import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

type User = { id: string; api: Api; token: string };
type Alert = {
  siteId: string;
  subject: { type: string; incidentId: string; kind: string };
  dueAt: string;
  overdueSeconds: number;
  escalatedTo?: { siteId: string };
};

/** A console that records `report.due` and `report.overdue`. */
async function alertConsole(baseUrl: string, token: string, consoles: TestConsole[]) {
  const c = await openConsole(baseUrl, token);
  consoles.push(c);
  const due: Alert[] = [];
  const overdue: Alert[] = [];
  c.socket.on('report.due', (p: Alert) => due.push(p));
  c.socket.on('report.overdue', (p: Alert) => overdue.push(p));
  return { due, overdue };
}

const of = (list: Alert[], incidentId: string, kind?: string) =>
  list.filter((a) => a.subject.incidentId === incidentId && (!kind || a.subject.kind === kind));

/**
 * 信息报送 against the built hub with limits of seconds (PUT rules): on-time and late
 * reports, the overdue alert reaching the leader on duty and its escalation to the county's,
 * 续报 reminders that stop after a signed 终报, 漏报 from external registrations, 约谈,
 * 瞒报, the monthly CSV, and the bad input each edge refuses.
 */
describe('incident reporting end to end', () => {
  let hub: HubProcess;
  let admin: Api;
  let county: string;
  let east: string;
  let west: string;
  let north: string;
  let south: string;
  let commander: User;
  let dispatcher: User;
  let countyLeader: User;
  let eastOfficer: User;
  let eastLeader: User;
  let westOfficer: User;
  const consoles: TestConsole[] = [];
  const now = () => new Date().toISOString();
  const incident = (siteId: string, level: string, extra: Record<string, unknown> = {}) => ({
    siteId,
    title: '山体滑坡',
    category: '自然灾害',
    level,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    learnedAt: now(),
    location: '东镇三村',
    summary: '道路中断',
    ...extra,
  });

  beforeAll(async () => {
    hub = await startHub({ SFU_ENABLED: 'false' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    county = await createSite(admin, '报送县', 'command', root);
    east = await createSite(admin, '东镇', 'township', county);
    west = await createSite(admin, '西镇', 'township', county);
    north = await createSite(admin, '北镇', 'township', county);
    south = await createSite(admin, '=SUM(A1)镇', 'township', county);
    commander = await createUser(admin, 'rp-commander', 'commander', county);
    dispatcher = await createUser(admin, 'rp-dispatcher', 'dispatcher', county);
    countyLeader = await createUser(admin, 'rp-county-leader', 'duty_officer', county);
    eastOfficer = await createUser(admin, 'rp-east', 'duty_officer', east);
    eastLeader = await createUser(admin, 'rp-east-leader', 'duty_officer', east);
    westOfficer = await createUser(admin, 'rp-west', 'duty_officer', west);
    for (const [site, user] of [
      [east, eastLeader],
      [county, countyLeader],
    ] as const) {
      const res = await admin.request('PUT', `/api/v1/sites/${site}/leader-on-duty`, { userId: user.id });
      expect(res.status).toBe(200);
    }
  }, 240_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    await hub?.stop();
  });

  it('serves the seeded rules; only a commander changes them, to seconds here', async () => {
    const seeded = await dispatcher.api.get('/api/v1/reporting/rules');
    expect(seeded.status).toBe(200);
    expect(seeded.body.rules).toEqual(
      expect.arrayContaining([
        { level: 'I', phoneWithinSeconds: 1800, writtenWithinSeconds: 3600, followupEverySeconds: 86400 },
        { level: 'III', writtenWithinSeconds: 7200, followupEverySeconds: 86400 },
        { level: 'unrated', writtenWithinSeconds: 7200, followupEverySeconds: 86400 },
      ]),
    );
    const rules = {
      rules: [
        { level: 'I', phoneWithinSeconds: 5, writtenWithinSeconds: 8, followupEverySeconds: 600 },
        { level: 'II', writtenWithinSeconds: 60, followupEverySeconds: 4 },
        { level: 'III', writtenWithinSeconds: 3, followupEverySeconds: 86400 },
      ],
    };
    expect((await dispatcher.api.request('PUT', '/api/v1/reporting/rules', rules)).status).toBe(403);
    expect((await eastOfficer.api.request('PUT', '/api/v1/reporting/rules', rules)).status).toBe(403);
    const put = await commander.api.request('PUT', '/api/v1/reporting/rules', rules);
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(seeded.body.version + 1);
    expect(put.body.rules).toContainEqual({ level: 'II', writtenWithinSeconds: 60, followupEverySeconds: 4 });
    const bad = await commander.api.request('PUT', '/api/v1/reporting/rules', { rules: [{ level: 'V' }] });
    expect(bad.status).toBe(400);
  });

  it('answers bad input with a reason', async () => {
    const before = await eastOfficer.api.post(
      '/api/v1/incidents',
      incident(east, 'I', { occurredAt: now(), learnedAt: new Date(Date.now() - 60_000).toISOString() }),
    );
    expect(before.status).toBe(400);
    expect(JSON.stringify(before.body)).toContain('learnedAt must not be before occurredAt');
    const future = await eastOfficer.api.post(
      '/api/v1/incidents',
      incident(east, 'I', { learnedAt: new Date(Date.now() + 3_600_000).toISOString() }),
    );
    expect(future.status).toBe(400);
    expect(JSON.stringify(future.body)).toContain('future');
    const level = await eastOfficer.api.post('/api/v1/incidents', incident(east, 'V'));
    expect(level.status).toBe(400);
    expect(JSON.stringify(level.body)).toContain('must be one of I, II, III, IV, unrated');
    const ancient = await eastOfficer.api.post(
      '/api/v1/incidents',
      incident(east, 'I', { occurredAt: '0001-01-01T00:00:00Z', learnedAt: '0001-01-01T00:00:00Z' }),
    );
    expect(ancient.status).toBe(400);
    const nul = await eastOfficer.api.post('/api/v1/incidents', incident(east, 'I', { title: '滑坡\u0000' }));
    expect(nul.status).toBe(400);
    // a duty officer reports for their own site only
    expect((await eastOfficer.api.post('/api/v1/incidents', incident(west, 'I'))).status).toBe(403);
    const kind = await dispatcher.api.post(`/api/v1/incidents/${crypto.randomUUID()}/reports`, {
      kind: 'sms',
      content: 'x',
    });
    expect(kind.status).toBe(400);
  });

  it('times reports: on time, overdue to the leader on duty and the county, escalated, then late', async () => {
    const officer = await alertConsole(hub.baseUrl, eastOfficer.token, consoles);
    const leader = await alertConsole(hub.baseUrl, eastLeader.token, consoles);
    const countyDesk = await alertConsole(hub.baseUrl, dispatcher.token, consoles);
    const countyBoss = await alertConsole(hub.baseUrl, countyLeader.token, consoles);
    const created = await eastOfficer.api.post('/api/v1/incidents', incident(east, 'I'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const { phoneBy, writtenBy } = created.body.deadlines;
    expect(Date.parse(writtenBy) - Date.parse(phoneBy)).toBe(3000);

    const phone = await eastOfficer.api.post(`/api/v1/incidents/${id}/reports`, {
      kind: 'phone',
      content: '电话报告',
    });
    expect(phone.status).toBe(201);
    expect(phone.body).toMatchObject({ seq: 1, kind: 'phone', dueAt: phoneBy, lateBySeconds: 0 });

    await waitFor(
      () => of(officer.due, id, 'initial').length > 0,
      15_000,
      'report.due before the written deadline',
    );
    expect(Date.parse(of(officer.due, id, 'initial')[0]!.dueAt)).toBe(Date.parse(writtenBy));
    const overdue = await waitFor(
      () => of(leader.overdue, id, 'initial')[0],
      20_000,
      'report.overdue to the leader',
    );
    expect(overdue).toMatchObject({ siteId: east, subject: { type: 'incident', kind: 'initial' } });
    expect(overdue!.escalatedTo).toBeUndefined();
    await waitFor(
      () => of(countyDesk.overdue, id, 'initial').length > 0,
      5000,
      'the county dispatchers told',
    );
    // the phone report was on time: nothing about it
    expect(of(leader.overdue, id, 'phone')).toEqual([]);

    await sleep(1500);
    const initial = await eastOfficer.api.post(`/api/v1/incidents/${id}/reports`, {
      kind: 'initial',
      content: '初报',
    });
    expect(initial.status).toBe(201);
    expect(initial.body.lateBySeconds).toBeGreaterThanOrEqual(1);
    expect(initial.body.dueAt).toBe(writtenBy);

    const escalated = await waitFor(
      () => of(countyBoss.overdue, id, 'initial').find((a) => a.escalatedTo),
      30_000,
      "the escalation to the county's leader on duty",
    );
    expect(escalated!.escalatedTo).toMatchObject({ siteId: county });
    // one overdue step per deadline: the escalation is a second, different step
    expect(of(leader.overdue, id, 'initial').filter((a) => !a.escalatedTo)).toHaveLength(1);

    // signed by someone not entitled: 403; by the leader on duty: counts, late
    const path = `/api/v1/incidents/${id}/reports/${initial.body.id}`;
    expect((await eastOfficer.api.post(`${path}/sign`)).status).toBe(403);
    expect((await dispatcher.api.post(`${path}/sign`)).status).toBe(403);
    const signed = await eastLeader.api.post(`${path}/sign`);
    expect(signed.status).toBe(200);
    expect(signed.body.signedBy).toBe(eastLeader.id);
    expect((await commander.api.post(`${path}/sign`)).status).toBe(409);
    expect((await eastOfficer.api.request('PUT', path, { content: '改' })).status).toBe(409);
    expect((await eastOfficer.api.request('PATCH', path, { content: '改' })).status).toBe(409);
    const control = await eastOfficer.api.post(`/api/v1/incidents/${id}/reports`, {
      kind: 'followup',
      content: 'a\u0000b',
    });
    expect(control.status).toBe(400);
    expect((await eastOfficer.api.post(`/api/v1/incidents/${id}/reports/${phone.body.id}/sign`)).status).toBe(
      403,
    );
    expect((await eastLeader.api.post(`/api/v1/incidents/${id}/reports/${phone.body.id}/sign`)).status).toBe(
      409,
    );

    const view = await dispatcher.api.get(`/api/v1/incidents/${id}`);
    expect(view.status).toBe(200);
    expect(view.body.reports.map((r: { kind: string }) => r.kind)).toEqual(['phone', 'initial']);
    const late = view.body.findings.filter((f: { kind: string }) => f.kind === 'late');
    expect(late).toHaveLength(1);
    expect(late[0].seconds).toBeGreaterThanOrEqual(initial.body.lateBySeconds);
    const actions = view.body.timeline.map((e: { action: string }) => e.action);
    for (const a of [
      'incident.open',
      'report.submit',
      'report.due',
      'report.overdue',
      'report.escalated',
      'report.sign',
      'finding.made',
    ])
      expect(actions).toContain(a);
    // the leader on duty each step reached, as resolved (the fixed leaders here)
    const step = (action: string) =>
      view.body.timeline.find(
        (e: { action: string; detail: { slot?: string } }) =>
          e.action === action && e.detail.slot === 'initial',
      );
    expect(step('report.overdue').detail.leaderId).toBe(eastLeader.id);
    expect(step('report.escalated').detail).toMatchObject({
      leaderId: countyLeader.id,
      parentSiteId: county,
    });
    // the board's list
    const list = await dispatcher.api.get(`/api/v1/incidents?siteId=${east}`);
    expect(list.body[0]).toMatchObject({ id, reports: 2, findings: 1, state: 'open' });
    expect((await westOfficer.api.get(`/api/v1/incidents/${id}`)).status).toBe(403);
  }, 90_000);

  it('reminds of each 续报 while open and stops after the signed 终报', async () => {
    const desk = await alertConsole(hub.baseUrl, dispatcher.token, consoles);
    const created = await dispatcher.api.post('/api/v1/incidents', incident(north, 'II'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.deadlines).toMatchObject({ phoneBy: null, nextFollowupBy: null });
    const submitAndSign = async (kind: string) => {
      const r = await dispatcher.api.post(`/api/v1/incidents/${id}/reports`, { kind, content: kind });
      expect(r.status).toBe(201);
      expect((await commander.api.post(`/api/v1/incidents/${id}/reports/${r.body.id}/sign`)).status).toBe(
        200,
      );
      return r.body;
    };
    await submitAndSign('initial');
    const first = await waitFor(() => of(desk.overdue, id, 'followup')[0], 15_000, 'the first 续报 overdue');
    expect(of(desk.due, id, 'followup').length).toBeGreaterThanOrEqual(1);
    const followup = await submitAndSign('followup');
    expect(followup.dueAt).toBe(first!.dueAt);
    await waitFor(
      () => of(desk.due, id, 'followup').some((a) => Date.parse(a.dueAt) > Date.parse(first!.dueAt)),
      15_000,
      'the next 续报 reminder',
    );
    await submitAndSign('final');
    const seen = of(desk.due, id).length + of(desk.overdue, id).length;
    await sleep(9000);
    expect(of(desk.due, id).length + of(desk.overdue, id).length).toBe(seen);
    const view = await dispatcher.api.get(`/api/v1/incidents/${id}`);
    expect(view.body).toMatchObject({ state: 'closed', deadlines: { nextFollowupBy: null } });
    expect(
      (await dispatcher.api.post(`/api/v1/incidents/${id}/reports`, { kind: 'followup', content: 'x' }))
        .status,
    ).toBe(409);
  }, 90_000);

  it('makes 漏报 from external registrations, and flags a 约谈 after the third finding', async () => {
    const register = (extra: Record<string, unknown>) =>
      dispatcher.api.post('/api/v1/incidents/register-external', {
        siteId: west,
        title: '群众反映道路塌方',
        level: 'III',
        learnedAt: now(),
        source: '110 转警',
        ...extra,
      });
    const interview = async () =>
      (await dispatcher.api.get(`/api/v1/reporting/findings?siteId=${west}`)).body.sites[0];
    expect(
      (
        await westOfficer.api.post('/api/v1/incidents/register-external', {
          siteId: west,
          title: 'x',
          level: 'III',
          learnedAt: now(),
          source: 'y',
        })
      ).status,
    ).toBe(403);

    // the limit passed already: missed at once
    const past = await register({ learnedAt: new Date(Date.now() - 30_000).toISOString() });
    expect(past.status).toBe(201);
    const pastView = await dispatcher.api.get(`/api/v1/incidents/${past.body.id}`);
    expect(pastView.body.findings).toMatchObject([{ kind: 'missed', siteId: west }]);
    expect(pastView.body.external).toMatchObject({ source: '110 转警' });

    // the limit still running: the deadline job makes it
    const running = await register({});
    expect(running.status).toBe(201);
    expect((await dispatcher.api.get(`/api/v1/incidents/${running.body.id}`)).body.findings).toEqual([]);
    await waitFor(
      async () =>
        (await dispatcher.api.get(`/api/v1/incidents/${running.body.id}`)).body.findings.length === 1,
      20_000,
      'the missed finding at the deadline',
    );

    // the site had reported it in time: no finding
    const own = await westOfficer.api.post('/api/v1/incidents', incident(west, 'III'));
    const linked = await register({ incidentId: own.body.id });
    expect(linked.status).toBe(201);
    expect((await register({ incidentId: own.body.id })).status).toBe(409);
    await sleep(4500);
    expect((await dispatcher.api.get(`/api/v1/incidents/${own.body.id}`)).body.findings).toEqual([]);
    expect(await interview()).toMatchObject({ interviewDue: false });
    expect((await interview()).findings).toHaveLength(2);

    const third = await register({ learnedAt: new Date(Date.now() - 60_000).toISOString() });
    expect(third.status).toBe(201);
    expect(await interview()).toMatchObject({ siteId: west, siteName: '西镇', interviewDue: true });
    expect((await interview()).findings.map((f: { kind: string }) => f.kind)).toEqual([
      'missed',
      'missed',
      'missed',
    ]);
  }, 90_000);

  it('records 瞒报 by a commander only, and one concealment flags a 约谈', async () => {
    const opened = await dispatcher.api.post('/api/v1/incidents', incident(south, 'IV'));
    const body = { siteId: south, kind: 'concealed', incidentId: opened.body.id, note: '伤亡人数瞒报' };
    expect((await dispatcher.api.post('/api/v1/reporting/findings', body)).status).toBe(403);
    expect((await eastOfficer.api.post('/api/v1/reporting/findings', body)).status).toBe(403);
    expect((await commander.api.post('/api/v1/reporting/findings', { ...body, kind: 'late' })).status).toBe(
      400,
    );
    const made = await commander.api.post('/api/v1/reporting/findings', body);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ kind: 'concealed', note: '伤亡人数瞒报', incidentId: opened.body.id });
    const found = await dispatcher.api.get(`/api/v1/reporting/findings?siteId=${south}`);
    expect(found.body.sites[0]).toMatchObject({ interviewDue: true });
  });

  it('gives the monthly 通报 as CSV: BOM, CRLF, every cell quoted, formulas kept as text', async () => {
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const res = await fetch(`${hub.baseUrl}/api/v1/reporting/stats/monthly?month=${month}&format=csv`, {
      headers: { authorization: `Bearer ${dispatcher.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      '"乡镇","区划代码","应报次数","按时报送","迟报","漏报","瞒报","应交日报","日报缺报","日报迟交","需约谈","站点ID"',
    );
    const row = (name: string) => lines.find((l) => l.startsWith(`"${name}"`))!.split(',');
    // 东镇: the phone report on time, the 初报 late
    expect(row('东镇').slice(0, 7)).toEqual(['"东镇"', '""', '"2"', '"1"', '"1"', '"0"', '"0"']);
    expect(row('西镇').slice(0, 7)).toEqual(['"西镇"', '""', '"3"', '"0"', '"0"', '"3"', '"0"']);
    expect(row('西镇')[10]).toBe('"是"');
    expect(lines.find((l) => l.includes('SUM(A1)'))!.startsWith(`"'=SUM(A1)镇"`)).toBe(true);
    const json = await dispatcher.api.get(`/api/v1/reporting/stats/monthly?month=${month}`);
    expect(json.body.rows.find((r: { siteId: string }) => r.siteId === south)).toMatchObject({
      concealed: 1,
      interviewDue: true,
    });
    expect((await dispatcher.api.get('/api/v1/reporting/stats/monthly?month=2026-13')).status).toBe(400);
  });
});
