import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { counter, provision, TestDevice, type Credentials } from '../support/terminals.js';

/** a round due this long after it opens: time enough for the answers before it */
const DUE_IN_MS = 15_000;
/** DAILY_REPORT_CUTOFF_SECONDS: pending sites are missing this long after the due time */
const CUTOFF_SECONDS = 6;

interface DuePayload {
  siteId: string;
  siteName: string;
  subject: { type: string; date: string };
  dueAt: string;
  overdueSeconds: number;
  drill: boolean;
}

const reportsTopic = (id: string) => `yihu/v1/terminals/${id}/reports`;

/**
 * 日报告/零报告 against the built hub (embedded mode), as its users meet it: a round due in
 * seconds; a normal report and its second version, a zero report from a console (REST), a
 * zero report from a real MQTT terminal (its QoS 1 duplicate recorded once), a late one and
 * a missing one; `report.due` and the reminder on a township console, `report.overdue` on
 * the leader on duty's and the county dispatcher's sockets; what is refused and why.
 */
describe('daily reports end to end', () => {
  let hub: HubProcess;
  let admin: Api;
  let county: string;
  let towns: string[];
  let foreignTown: string;
  let dispatcher: { id: string; api: Api; token: string };
  let foreign: { id: string; api: Api; token: string };
  let officers: { id: string; api: Api; token: string }[];
  let leader: { id: string; api: Api; token: string };
  let terminal: Credentials;
  let other: Credentials;
  let date: string;
  let dueAt: Date;
  const consoles: TestConsole[] = [];
  const devices: TestDevice[] = [];
  const heard = new Map<string, { event: string; p: DuePayload; at: number }[]>();

  const listen = async (name: string, token: string) => {
    const c = await openConsole(hub.baseUrl, token);
    consoles.push(c);
    const got: { event: string; p: DuePayload; at: number }[] = [];
    heard.set(name, got);
    c.socket.on('report.due', (p: DuePayload) => got.push({ event: 'report.due', p, at: Date.now() }));
    c.socket.on('report.overdue', (p: DuePayload) =>
      got.push({ event: 'report.overdue', p, at: Date.now() }),
    );
    return got;
  };
  const put = (api: Api, siteId: string, body: object, d = date) =>
    api.request('PUT', `/api/v1/daily-reports/${siteId}/${d}`, body);
  const states = async (api = dispatcher.api) => {
    const res = await api.get(`/api/v1/daily-reports?date=${date}`);
    expect(res.status).toBe(200);
    return new Map((res.body as { siteId: string }[]).map((r) => [r.siteId, r as Record<string, unknown>]));
  };

  beforeAll(async () => {
    hub = await startHub(
      {
        SFU_ENABLED: 'false',
        LOG_LEVEL: process.env.DEBUG_HUB ? 'debug' : 'warn',
        DAILY_REPORT_CUTOFF_SECONDS: String(CUTOFF_SECONDS),
        DAILY_REPORT_REMIND_SECONDS: '6',
      },
      'hub',
      180_000,
    );
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    county = await createSite(admin, '日报县', 'command', root);
    const otherCounty = await createSite(admin, '邻县', 'command', root);
    towns = [];
    for (const name of ['甲镇', '乙镇', '丙镇', '丁镇', '戊镇'])
      towns.push(await createSite(admin, name, 'township', county));
    foreignTown = await createSite(admin, '邻镇', 'township', otherCounty);
    dispatcher = await createUser(admin, 'dr-dispatcher', 'dispatcher', county);
    foreign = await createUser(admin, 'dr-foreign', 'dispatcher', otherCounty);
    officers = [
      await createUser(admin, 'dr-jia', 'duty_officer', towns[0]!),
      await createUser(admin, 'dr-yi', 'duty_officer', towns[1]!),
    ];
    leader = await createUser(admin, 'dr-ding-leader', 'duty_officer', towns[3]!);
    const set = await dispatcher.api.request('PUT', `/api/v1/sites/${towns[3]}/leader-on-duty`, {
      userId: leader.id,
    });
    expect(set.status).toBe(200);
    terminal = await provision(admin, towns[2]!, '丙镇值班终端');
    other = await provision(admin, towns[1]!, '乙镇值班终端');
  }, 240_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    for (const d of devices) await d.end().catch(() => undefined);
    if (process.env.DEBUG_HUB) process.stdout.write(hub.output());
    await hub?.stop();
  });

  it('refuses a round it cannot open, with a reason', async () => {
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const soon = new Date(Date.now() + 60_000).toISOString();
    const past = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date: day,
      dueAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(JSON.stringify(past.body)).toMatch(/dueAt/);
    const badDate = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date: '2026-13-01',
      dueAt: soon,
    });
    expect(badDate.status).toBe(400);
    const noDay = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date: '2027-02-30',
      dueAt: soon,
    });
    expect(noDay.status).toBe(400);
    const extra = await dispatcher.api.post('/api/v1/daily-reports/rounds', { date: day, dueAt: soon, x: 1 });
    expect(extra.status).toBe(400);
    const outside = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date: day,
      dueAt: soon,
      siteIds: [foreignTown],
    });
    expect(outside.status).toBe(403);
    const officer = await officers[0]!.api.post('/api/v1/daily-reports/rounds', { date: day, dueAt: soon });
    expect(officer.status).toBe(403);
    const unknown = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date: day,
      dueAt: soon,
      siteIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(unknown.status).toBe(404);
  });

  it('opens a round for every township in scope, tells their consoles, and refuses a second', async () => {
    await listen('jia', officers[0]!.token);
    await listen('ding-leader', leader.token);
    await listen('county', dispatcher.token);
    dueAt = new Date(Date.now() + DUE_IN_MS);
    date = new Date(dueAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const res = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date,
      dueAt: dueAt.toISOString(),
    });
    expect(res.status).toBe(201);
    expect(res.body.date).toBe(date);
    // the answer is in whole seconds, Asia/Shanghai
    expect(Date.parse(res.body.dueAt)).toBe(Math.floor(dueAt.getTime() / 1000) * 1000);
    expect(res.body.dueAt).toMatch(/\+08:00$/);
    expect((res.body.sites as { siteId: string }[]).map((s) => s.siteId).sort()).toEqual([...towns].sort());
    expect(new Set(res.body.sites.map((s: { state: string }) => s.state))).toEqual(new Set(['pending']));

    await waitFor(() => heard.get('jia')!.length > 0, 10_000, 'report.due on 甲镇');
    expect(heard.get('jia')![0]).toMatchObject({
      event: 'report.due',
      p: { siteId: towns[0], siteName: '甲镇', subject: { type: 'daily', date }, drill: false },
    });
    expect(heard.get('jia')![0]!.p.overdueSeconds).toBeLessThan(0);

    const again = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date,
      dueAt: dueAt.toISOString(),
      siteIds: [towns[4]],
    });
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).toContain(towns[4]);
  });

  it('records a normal report, then a second version, never an overwrite', async () => {
    const first = await put(officers[0]!.api, towns[0]!, {
      kind: 'normal',
      text: '昨日辖区平稳，无突发事件。',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'submitted', version: 1 });
    expect(first.body.submittedAt).toMatch(/\+08:00$/);
    const second = await put(officers[0]!.api, towns[0]!, {
      kind: 'normal',
      text: '补充：一处道路积水已处置。',
    });
    expect(second.body).toMatchObject({ state: 'submitted', version: 2 });
    const row = (await states()).get(towns[0]!);
    expect(row).toMatchObject({
      state: 'submitted',
      kind: 'normal',
      version: 2,
      channel: 'console',
      siteName: '甲镇',
    });
  });

  it('records a zero report from a console in one request', async () => {
    const res = await put(officers[1]!.api, towns[1]!, { kind: 'zero' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'zero', version: 1 });
  });

  it('records a zero report from a terminal key once, however often QoS 1 delivers it', async () => {
    const device = await TestDevice.connect(`mqtt://127.0.0.1:${hub.env.MQTT_PORT}`, terminal);
    devices.push(device);
    const payload = JSON.stringify({ date, kind: 'zero', at: new Date().toISOString() });
    const sent = Date.now();
    await device.client.publishAsync(reportsTopic(terminal.id), payload, { qos: 1 });
    await waitFor(
      async () => (await states()).get(towns[2]!)?.state === 'zero',
      20_000,
      'the terminal report',
    );
    console.log(`a terminal's nil report was visible ${Date.now() - sent} ms after its PUBLISH (polled)`);
    // the same message again, as a device resends it without a PUBACK (past the bridge's 1/s rate)
    await sleep(1100);
    await device.client.publishAsync(reportsTopic(terminal.id), payload, { qos: 1 });
    await sleep(1500);
    expect((await states()).get(towns[2]!)).toMatchObject({ state: 'zero', channel: 'terminal', version: 1 });
  });

  it("refuses a terminal publishing another terminal's reports, and bad payloads", async () => {
    const rejected = (reason: string) =>
      counter(hub.baseUrl, 'yihu_mqtt_rejected_total', `reason="${reason}"`);
    const [json0, schema0] = [await rejected('malformed_json'), await rejected('invalid_schema')];
    const good = await TestDevice.connect(`mqtt://127.0.0.1:${hub.env.MQTT_PORT}`, terminal);
    devices.push(good);
    await good.client.publishAsync(reportsTopic(terminal.id), '{not json', { qos: 1 });
    await sleep(1100);
    const notZero = JSON.stringify({ date, kind: 'normal', at: new Date().toISOString() });
    await good.client.publishAsync(reportsTopic(terminal.id), notZero, { qos: 1 });
    await waitFor(
      async () => (await rejected('malformed_json')) > json0 && (await rejected('invalid_schema')) > schema0,
      10_000,
      'the refusals counted',
    );

    const intruder = await TestDevice.connect(`mqtt://127.0.0.1:${hub.env.MQTT_PORT}`, terminal);
    devices.push(intruder);
    const closed = new Promise<void>((resolve) => intruder.client.once('close', () => resolve()));
    intruder.client.publish(
      reportsTopic(other.id),
      JSON.stringify({ date, kind: 'zero', at: new Date().toISOString() }),
      {
        qos: 1,
      },
    );
    await closed;
    await sleep(1000);
    // 乙镇 keeps its console report: nothing came in through the other terminal's topic
    expect((await states()).get(towns[1]!)).toMatchObject({ channel: 'console', version: 1 });
  });

  it('refuses reports it cannot take, with a reason', async () => {
    const noRound = await put(officers[0]!.api, towns[0]!, { kind: 'zero' }, '2030-01-01');
    expect(noRound.status).toBe(404);
    expect(JSON.stringify(noRound.body)).toMatch(/no daily report round/);
    expect((await put(officers[0]!.api, towns[1]!, { kind: 'zero' })).status).toBe(403);
    expect((await put(foreign.api, towns[0]!, { kind: 'zero' })).status).toBe(403);
    expect((await put(officers[0]!.api, towns[0]!, { kind: 'bogus' })).status).toBe(400);
    const noText = await put(officers[0]!.api, towns[0]!, { kind: 'normal' });
    expect(noText.status).toBe(400);
    expect(JSON.stringify(noText.body)).toMatch(/needs its text/);
    expect((await put(officers[0]!.api, towns[0]!, { kind: 'zero' }, '2026-1-1')).status).toBe(400);
    expect(
      (await officers[0]!.api.request('PUT', `/api/v1/daily-reports/not-a-uuid/${date}`, { kind: 'zero' }))
        .status,
    ).toBe(400);
    expect((await dispatcher.api.get('/api/v1/daily-reports?date=yesterday')).status).toBe(400);
    // a duty officer sees their own site only
    const own = await states(officers[0]!.api);
    expect([...own.keys()]).toEqual([towns[0]]);
  });

  it('reminds and then chases pending sites: the leader on duty and the county hear report.overdue', async () => {
    const ding = heard.get('ding-leader')!;
    await waitFor(() => ding.filter((h) => h.event === 'report.due').length >= 2, 20_000, 'the reminder');
    // 甲镇 reported before the reminder: it is not reminded
    expect(heard.get('jia')!.filter((h) => h.event === 'report.due')).toHaveLength(1);
    await waitFor(() => ding.some((h) => h.event === 'report.overdue'), DUE_IN_MS + 20_000, 'report.overdue');
    const heardAt = ding.find((h) => h.event === 'report.overdue')!;
    const overdue = heardAt.p;
    console.log(`report.overdue reached the leader ${heardAt.at - dueAt.getTime()} ms after dueAt`);
    expect(overdue).toMatchObject({ siteId: towns[3], siteName: '丁镇', subject: { type: 'daily', date } });
    expect(overdue.overdueSeconds).toBeGreaterThanOrEqual(0);
    const county = heard.get('county')!;
    await waitFor(() => county.filter((h) => h.event === 'report.overdue').length >= 2, 10_000, 'the county');
    expect(
      county
        .filter((h) => h.event === 'report.overdue')
        .map((h) => h.p.siteId)
        .sort(),
    ).toEqual([towns[3], towns[4]].sort());
    expect(heard.get('jia')!.some((h) => h.event === 'report.overdue')).toBe(false);
  }, 60_000);

  it('a report after the due time is late whatever its kind; a site silent past the cut-off is missing', async () => {
    const late = await put(dispatcher.api, towns[3]!, { kind: 'zero' });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ state: 'late', version: 1 });
    // a later version of an on-time report is late itself, the site stays on time
    const fix = await put(officers[1]!.api, towns[1]!, {
      kind: 'normal',
      text: '更正：有一起轻微交通事故。',
    });
    expect(fix.body).toMatchObject({ state: 'late', version: 2 });
    expect((await states()).get(towns[1]!)).toMatchObject({ state: 'submitted', kind: 'normal', version: 2 });

    await waitFor(
      async () => (await states()).get(towns[4]!)?.state === 'missing',
      CUTOFF_SECONDS * 1000 + 20_000,
      '戊镇 missing',
    );
    const all = await states();
    expect(Object.fromEntries([...all].map(([id, r]) => [id, r.state]))).toEqual({
      [towns[0]!]: 'submitted',
      [towns[1]!]: 'submitted',
      [towns[2]!]: 'zero',
      [towns[3]!]: 'late',
      [towns[4]!]: 'missing',
    });
    expect(all.get(towns[4]!)).toMatchObject({ submittedAt: null, channel: null, kind: null, version: null });
    const closed = await put(dispatcher.api, towns[4]!, { kind: 'zero' });
    expect(closed.status).toBe(409);
    expect(JSON.stringify(closed.body)).toMatch(/missing/);

    // the findings of 信息报送: 丁镇 late (迟报) by how long, 戊镇 missed (漏报)
    const findings = async (siteId: string) =>
      (await dispatcher.api.get(`/api/v1/reporting/findings?siteId=${siteId}`)).body.sites[0].findings as {
        kind: string;
        date: string | null;
        seconds: number | null;
      }[];
    const lateFinding = (await findings(towns[3]!)).find((f) => f.date === date);
    expect(lateFinding).toMatchObject({ kind: 'late', date });
    expect(lateFinding!.seconds).toBeGreaterThanOrEqual(1);
    expect((await findings(towns[4]!)).find((f) => f.date === date)).toMatchObject({
      kind: 'missed',
      seconds: null,
    });
    expect((await findings(towns[0]!)).filter((f) => f.date === date)).toEqual([]);
  }, 60_000);

  it('writes every step into the audit chain', async () => {
    const res = await admin.get('/api/v1/audit?limit=200');
    expect(res.status).toBe(200);
    const actions = JSON.stringify(res.body);
    for (const a of [
      'daily.round.open',
      'daily.report.submit',
      'daily.round.remind',
      'daily.round.overdue',
      'daily.round.close',
    ])
      expect(actions).toContain(a);
  });
});
