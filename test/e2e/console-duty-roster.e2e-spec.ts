import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { axeViolations, launchChromium, loginThroughForm, screenshot } from '../support/browser.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const PASSWORD = 'password-123';
const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'tablet', width: 1024, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const HANDOVER_WINDOW_SECONDS = 4;

/** "2026-12-07T08:00:00+08:00" for an instant: what the API answers. */
const shanghai = (ms: number) => `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;

/**
 * Duty (issue 17, part A) through the real hub: the roster REST contract, escalation
 * reaching the rostered leader, a handover in the browser, and the duty log's tamper check
 * (a row changed with SQL behind the hub's back). The hub runs on PostgreSQL so the test can
 * reach its tables the way an attacker with database access would.
 */
describe('duty roster, handover and duty log', () => {
  let db: TestDatabase;
  let hub: HubProcess;
  let admin: Api;
  let rootId: string;
  let dispatcher: { id: string; api: Api; token: string };
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoles: TestConsole[] = [];

  const page = async (
    username: string,
    landing: string,
    path: string,
    size: { width: number; height: number } = SIZES[0],
  ) => {
    const ctx = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: size.width, height: size.height },
      hasTouch: size.width < 500,
      isMobile: size.width < 500,
    });
    contexts.push(ctx);
    const p = await ctx.newPage();
    await loginThroughForm(p, hub.baseUrl, username, PASSWORD, landing);
    await p.goto(`${hub.baseUrl}${path}`);
    return p;
  };
  const noHorizontalScroll = async (p: Page) =>
    expect(await p.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startHub(
      {
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: uniquePrefix(),
        JWT_SECRET: 'duty-roster-e2e-secret-0123456789-abcdef',
        AUDIT_KEY: 'duty-roster-e2e-audit-key-0123456789abcdef',
        SFU_ENABLED: 'false',
        DUTY_HANDOVER_WINDOW_SECONDS: String(HANDOVER_WINDOW_SECONDS),
      },
      'hub',
      180_000,
    );
    admin = await adminLogin(hub.baseUrl);
    rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    dispatcher = await createUser(admin, 'roster-disp', 'dispatcher', rootId);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
    await db?.drop();
  });

  it('keeps the roster contract: rotation across midnight, 409 on overlap, 400 with reasons, 403 out of scope', async () => {
    const town = await createSite(admin, '东山镇', 'township', rootId);
    const other = await createSite(admin, '西山乡', 'township', rootId);
    const leader = await createUser(admin, 'ds-leader', 'commander', town);
    const a = await createUser(admin, 'ds-a', 'duty_officer', town);
    const b = await createUser(admin, 'ds-b', 'duty_officer', town);
    const stranger = await createUser(admin, 'xs-officer', 'duty_officer', other);

    const rotation = await dispatcher.api.post('/api/v1/duty/rotations', {
      siteId: town,
      from: '2027-01-04',
      days: 2,
      slots: [
        { start: '08:00', end: '20:00', leader: leader.id, officers: [a.id] },
        { start: '20:00', end: '08:00', officers: [b.id] },
      ],
    });
    expect(rotation.status).toBe(201);
    expect(rotation.body).toHaveLength(6);
    expect(
      rotation.body.filter((s: any) => s.userId === b.id).map((s: any) => [s.startsAt, s.endsAt]),
    ).toEqual([
      ['2027-01-04T20:00:00+08:00', '2027-01-05T08:00:00+08:00'],
      ['2027-01-05T20:00:00+08:00', '2027-01-06T08:00:00+08:00'],
    ]);

    const overlap = await dispatcher.api.post('/api/v1/duty/shifts', {
      siteId: town,
      userId: b.id,
      role: 'officer',
      startsAt: '2027-01-05T06:00:00+08:00',
      endsAt: '2027-01-05T10:00:00+08:00',
    });
    expect(overlap.status).toBe(409);
    expect(overlap.body.message).toMatch(
      /already stands shift \S+ \(2027-01-04T20:00:00\+08:00 to 2027-01-05T08:00:00\+08:00\)/,
    );

    const inverted = await dispatcher.api.post('/api/v1/duty/shifts', {
      siteId: town,
      userId: a.id,
      role: 'officer',
      startsAt: '2027-02-01T20:00:00+08:00',
      endsAt: '2027-02-01T08:00:00+08:00',
    });
    expect(inverted.status).toBe(400);
    expect(inverted.body.fields).toEqual([{ path: 'endsAt', message: expect.stringMatching(/inverted/) }]);
    const noOffset = await dispatcher.api.post('/api/v1/duty/shifts', {
      siteId: town,
      userId: a.id,
      role: 'officer',
      startsAt: '2027-02-01 08:00',
      endsAt: '2027-02-01T20:00:00+08:00',
    });
    expect(noOffset.status).toBe(400);
    expect(noOffset.body.message).toMatch(/startsAt/);

    // a duty officer may not write the roster; nor read another township's
    expect(
      (
        await a.api.post('/api/v1/duty/shifts', {
          siteId: town,
          userId: a.id,
          role: 'officer',
          startsAt: '2027-03-01T08:00:00+08:00',
          endsAt: '2027-03-01T20:00:00+08:00',
        })
      ).status,
    ).toBe(403);
    expect((await stranger.api.get(`/api/v1/duty/now?siteId=${town}`)).status).toBe(403);
    expect((await a.api.get(`/api/v1/duty/now?siteId=${town}`)).status).toBe(200);

    const gaps = await a.api.get(
      `/api/v1/duty/gaps?siteId=${town}&from=${encodeURIComponent('2027-01-04T08:00:00+08:00')}&to=${encodeURIComponent('2027-01-05T08:00:00+08:00')}&minOfficers=1`,
    );
    expect(gaps.status).toBe(200);
    expect(gaps.body).toEqual([
      expect.objectContaining({
        startsAt: '2027-01-04T20:00:00+08:00',
        endsAt: '2027-01-05T08:00:00+08:00',
        missingLeader: true,
        missingOfficers: 0,
      }),
    ]);
    // a mistaken shift is removed by those who keep the roster, not by a duty officer
    const extra = await dispatcher.api.post('/api/v1/duty/shifts', {
      siteId: town,
      userId: a.id,
      role: 'officer',
      startsAt: '2027-02-02T08:00:00+08:00',
      endsAt: '2027-02-02T20:00:00+08:00',
    });
    expect(extra.status).toBe(201);
    expect((await a.api.request('DELETE', `/api/v1/duty/shifts/${extra.body.id}`)).status).toBe(403);
    expect((await dispatcher.api.request('DELETE', `/api/v1/duty/shifts/${extra.body.id}`)).status).toBe(204);
    expect((await dispatcher.api.request('DELETE', `/api/v1/duty/shifts/${extra.body.id}`)).status).toBe(404);
    const audit = (await admin.get(`/api/v1/audit?subjectId=${town}`)).body as { action: string }[];
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['duty.rotation.create', 'duty.shift.create', 'duty.shift.delete']),
    );
  });

  it("escalation's 'notify the leader on duty' reaches the leader rostered now, not the static one", async () => {
    const town = await createSite(admin, '南湖镇', 'township', rootId);
    const rostered = await createUser(admin, 'nh-rostered', 'commander', town);
    const fixed = await createUser(admin, 'nh-fixed', 'commander', town);
    const officer = await createUser(admin, 'nh-officer', 'duty_officer', town);
    expect(
      (await dispatcher.api.request('PUT', `/api/v1/sites/${town}/leader-on-duty`, { userId: fixed.id }))
        .status,
    ).toBe(200);
    const now = Date.now();
    const shift = await dispatcher.api.post('/api/v1/duty/shifts', {
      siteId: town,
      userId: rostered.id,
      role: 'leader',
      startsAt: shanghai(now - 3600_000),
      endsAt: shanghai(now + 3600_000),
    });
    expect(shift.status).toBe(201);
    const duty = await officer.api.get(`/api/v1/duty/now?siteId=${town}`);
    expect(duty.body).toMatchObject({
      leader: { userId: rostered.id, name: 'nh-rostered' },
      leaderSource: 'roster',
    });

    const silent = await openConsole(hub.baseUrl, officer.token);
    const leaderConsole = await openConsole(hub.baseUrl, rostered.token);
    const fixedConsole = await openConsole(hub.baseUrl, fixed.token);
    consoles.push(silent, leaderConsole, fixedConsole);
    const issued = await dispatcher.api.post('/api/v1/directives', {
      title: '叫应测试',
      body: '请签收',
      level: 'red',
      targets: { siteIds: [town] },
      ackWithinSeconds: 2,
    });
    expect(issued.status).toBe(201);
    const id = issued.body.id as string;
    await waitFor(
      () => leaderConsole.escalations.some((e) => e.directiveId === id && e.step === 'notify_leader'),
      30_000,
      'the rostered leader is told',
    );
    // one emit reaches every audience of the step: had the fixed leader been told, it would be here by now
    await new Promise((r) => setTimeout(r, 500));
    expect(
      fixedConsole.escalations.filter((e) => e.directiveId === id && e.step === 'notify_leader'),
    ).toEqual([]);
    const leaderNotices = leaderConsole.escalations.filter(
      (e) => e.directiveId === id && e.step === 'notify_leader',
    );
    expect(leaderNotices[0]).toMatchObject({ siteId: town, siteName: '南湖镇' });
  }, 60_000);

  it('hands over in the browser with the open directive listed; the incoming officer confirms; a late one alerts the leader', async () => {
    const town = await createSite(admin, '北坡镇', 'township', rootId);
    const leader = await createUser(admin, 'bp-leader', 'commander', town);
    const outgoing = await createUser(admin, 'bp-out', 'duty_officer', town);
    const incoming = await createUser(admin, 'bp-in', 'duty_officer', town);
    const now = Date.now();
    for (const [user, role] of [
      [leader, 'leader'],
      [outgoing, 'officer'],
    ] as const) {
      const res = await dispatcher.api.post('/api/v1/duty/shifts', {
        siteId: town,
        userId: user.id,
        role,
        startsAt: shanghai(now - 3600_000),
        endsAt: shanghai(now + 600_000),
      });
      expect(res.status).toBe(201);
    }
    const next = await dispatcher.api.post('/api/v1/duty/shifts', {
      siteId: town,
      userId: incoming.id,
      role: 'officer',
      startsAt: shanghai(now + 600_000),
      endsAt: shanghai(now + 12 * 3600_000),
    });
    expect(next.status).toBe(201);
    const directive = await dispatcher.api.post('/api/v1/directives', {
      title: '转移群众',
      body: '立即组织转移',
      level: 'orange',
      targets: { siteIds: [town] },
      ackWithinSeconds: 900,
    });
    expect(directive.status).toBe(201);

    const leaderConsole = await openConsole(hub.baseUrl, leader.token);
    consoles.push(leaderConsole);
    const overdue: any[] = [];
    leaderConsole.socket.on('duty.handover.overdue', (p: any) => overdue.push(p));

    const leaderPage = await page('bp-leader', '/board', '/board');
    const out = await page('bp-out', '/duty', '/handover');
    await out.getByTestId('handover-to').selectOption({ label: 'bp-in' });
    await out.getByLabel('交班说明').fill('3号电台在充电');
    await out.getByRole('button', { name: '交班', exact: true }).click();
    const card = out.getByTestId('handover').first();
    await card.waitFor();
    expect(await card.getByTestId('open-items').innerText()).toContain('转移群众');
    expect(await card.getAttribute('data-state')).toBe('pending');
    expect(await out.getByRole('button', { name: '确认接班' }).count()).toBe(0);
    await screenshot(out, 'duty-handover-out');

    // nobody confirms within the window: the rostered leader's console hears of it
    await waitFor(() => overdue.length > 0, 20_000, 'overdue handover alert');
    expect(overdue[0]).toMatchObject({ siteId: town, siteName: '北坡镇', toUserId: incoming.id });
    const alert = leaderPage.getByTestId('handover-alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('北坡镇 交接班超时未确认');

    const inc = await page('bp-in', '/duty', '/handover');
    await inc.getByRole('button', { name: '确认接班' }).click();
    await inc.locator('[data-testid="handover"][data-state="confirmed"]').waitFor();
    const list = (await incoming.api.get(`/api/v1/duty/handovers?siteId=${town}`)).body;
    expect(list[0]).toMatchObject({
      confirmedAt: expect.stringMatching(/\+08:00$/),
      alertedAt: expect.any(String),
    });
    const actions = (
      (await admin.get('/api/v1/audit?limit=200')).body as { action: string; subjectId: string }[]
    )
      .filter((e) => e.subjectId === list[0].id)
      .map((e) => e.action)
      .sort();
    expect(actions).toEqual(['duty.handover.confirm', 'duty.handover.create', 'duty.handover.overdue']);
  }, 90_000);

  it('writes typed duty log entries in the browser and names the entry changed with SQL', async () => {
    const town = await createSite(admin, '青石镇', 'township', rootId);
    await createUser(admin, 'qs-officer', 'duty_officer', town);
    const p = await page('qs-officer', '/duty', '/duty-log');
    await p.getByLabel('来电人').fill('李村长');
    await p.getByLabel('电话').fill('13900001111');
    await p.getByLabel('单位', { exact: true }).fill('石门村');
    await p.getByLabel('内容').fill('村口道路塌方，已设警示');
    await p.getByRole('button', { name: '记录' }).click();
    await p.locator('[data-testid="duty-log-table"] tbody tr').first().waitFor();
    await p.getByLabel('类型').selectOption('instruction');
    await p.getByLabel('内容').fill('县领导批示：立即组织抢修');
    await p.getByRole('button', { name: '记录' }).click();
    await waitFor(
      async () => (await p.locator('[data-testid="duty-log-table"] tbody tr').count()) === 2,
      10_000,
      'two rows',
    );
    expect(await p.getByTestId('duty-log-table').innerText()).toContain('李村长');

    await p.getByRole('button', { name: '校验日志' }).click();
    await p.locator('[data-testid="duty-log-verify"][data-ok="true"]').waitFor();

    const seq = Number(
      await p.locator('[data-testid="duty-log-table"] tbody tr').last().getAttribute('data-seq'),
    );
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(
        client.query(`UPDATE duty_log SET data = data || '{"text":"道路畅通"}' WHERE seq = $1`, [seq]),
      ).rejects.toThrow(/append-only/);
      await client.query('ALTER TABLE duty_log DISABLE TRIGGER duty_log_append_only');
      await client.query(`UPDATE duty_log SET data = data || '{"text":"道路畅通"}' WHERE seq = $1`, [seq]);
      await client.query('ALTER TABLE duty_log ENABLE TRIGGER duty_log_append_only');
    } finally {
      await client.end();
    }
    await p.getByRole('button', { name: '校验日志' }).click();
    const broken = p.locator('[data-testid="duty-log-verify"][data-ok="false"]');
    await broken.waitFor();
    expect(await broken.innerText()).toContain(`第 ${seq} 条`);
    const verify = (await dispatcher.api.get('/api/v1/duty/log/verify')).body;
    expect(verify).toMatchObject({ ok: false, brokenAt: { seq, reason: 'content does not match its hash' } });
    await screenshot(p, 'duty-log-tampered');
  }, 60_000);

  for (const size of SIZES) {
    it(`shows the roster week grid with gaps flagged, and the three duty pages accessible without sideways scroll (${size.name})`, async () => {
      const p = await page('roster-disp', '/board', '/roster', size);
      await p.getByTestId('roster-grid').waitFor();
      await p.getByTestId('duty-site').selectOption({ label: '东山镇' });
      // the first test's rotation starts on Monday 2027-01-04: step forward to its week
      for (let i = 0; i < 12 && (await p.locator('[data-day="2027-01-04"]').count()) === 0; i += 1)
        await p.getByRole('button', { name: '下一周' }).click();
      const day = p.locator('[data-day="2027-01-04"]');
      await day.waitFor();
      await waitFor(
        async () => (await day.getByTestId('shift').count()) === 3,
        10_000,
        'three shifts on 01-04',
      );
      // shifts and gaps arrive in separate answers
      await waitFor(async () => (await day.getByTestId('roster-gap').count()) > 0, 10_000, 'gaps on 01-04');
      await noHorizontalScroll(p);
      expect(await axeViolations(p)).toEqual([]);
      await screenshot(p, `duty-roster-${size.name}`);
      // the handover and duty log pages hold at the same width
      for (const path of ['/handover', '/duty-log']) {
        await p.goto(`${hub.baseUrl}${path}`);
        await p.getByTestId(path === '/handover' ? 'handover-form' : 'duty-log-form').waitFor();
        await noHorizontalScroll(p);
        expect(await axeViolations(p)).toEqual([]);
        await screenshot(p, `duty${path.replace('/', '-')}-${size.name}`);
      }
    }, 60_000);
  }
});
