import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import {
  axeViolations,
  launchChromium,
  layoutProblems,
  loginThroughForm,
  screenshot,
  SIZES,
} from '../support/browser.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const PASSWORD = 'password-123';
/** Seconds-long limits for Ⅱ级 (PUT /api/v1/reporting/rules): no fake clock, real waits. */
const PHONE_SECONDS = 40;
const WRITTEN_SECONDS = 300;

const pad = (n: number) => String(n).padStart(2, '0');
/** "2026-12-06 14:03" in this machine's zone (the browser's), as an officer types a time. */
const typed = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const shanghaiMonth = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 7);

/**
 * 信息报送's console pages (issue 18) in Chromium against the real hub: an officer opens an
 * incident and files a phone report against its countdown; the county board lists it, turns
 * a second incident overdue when its limit passes, and rings; a nil report with one click;
 * the monthly 通报's CSV bytes; every page at three sizes, axe clean.
 */
describe('console: 信息报送', () => {
  let db: TestDatabase;
  let hub: HubProcess;
  let admin: Api;
  let rootId: string;
  let town: string;
  let commander: { id: string; api: Api; token: string };
  let dispatcher: { id: string; api: Api; token: string };
  let officer: { id: string; api: Api; token: string };
  let browser: Browser;
  let incidentId = '';
  const contexts: BrowserContext[] = [];

  const open = async (
    username: string,
    landing: string,
    size: { width: number; height: number } = SIZES[0],
  ) => {
    const ctx = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: size.width, height: size.height },
      hasTouch: size.width < 500,
      isMobile: size.width < 500,
      acceptDownloads: true,
    });
    contexts.push(ctx);
    const p = await ctx.newPage();
    await loginThroughForm(p, hub.baseUrl, username, PASSWORD, landing);
    return p;
  };
  /** in-app navigation through the nav bar: the sound switched on at login stays on */
  const go = async (p: Page, label: string) => {
    await p.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startHub(
      {
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: uniquePrefix(),
        JWT_SECRET: 'reporting-console-e2e-secret-0123456789-abcdef',
        AUDIT_KEY: 'reporting-console-e2e-audit-key-0123456789ab',
        SFU_ENABLED: 'false',
        DAILY_REPORT_ROUNDS: 'off',
        REPORTING_WARNING_LEAD_SECONDS: '5',
      },
      'hub',
      180_000,
    );
    admin = await adminLogin(hub.baseUrl);
    rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    town = await createSite(admin, '东山镇', 'township', rootId);
    commander = await createUser(admin, 'rep-cmd', 'commander', rootId);
    dispatcher = await createUser(admin, 'rep-disp', 'dispatcher', rootId);
    officer = await createUser(admin, 'ds-officer', 'duty_officer', town);
    const rules = await commander.api.request('PUT', '/api/v1/reporting/rules', {
      rules: [
        { level: 'II', phoneWithinSeconds: PHONE_SECONDS, writtenWithinSeconds: WRITTEN_SECONDS },
        { level: 'unrated', writtenWithinSeconds: 3600 },
      ],
    });
    expect(rules.status).toBe(200);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
    await db?.drop();
  });

  it('an officer opens an incident, sees its countdowns and files a phone report in time', async () => {
    const p = await open('ds-officer', '/duty');
    await go(p, '信息报送');
    await p.getByTestId('new-incident').click();
    const form = p.getByTestId('incident-form');
    await form.getByLabel('事件名称').fill('石门村山体滑坡');
    await form.getByLabel('事件等级').selectOption({ label: 'Ⅱ级 重大' });
    await form.getByLabel('发生地点').fill('石门村三组');
    await form.getByLabel('发生时间').fill(typed(Date.now() - 120_000));
    await form.getByLabel('简要情况').fill('道路中断，2户房屋受损');
    await form.getByLabel('受伤').fill('2');
    await form.getByRole('button', { name: '登记事件并开始计时' }).click();

    const incident = p.getByTestId('incident');
    await incident.waitFor();
    incidentId = (await incident.getAttribute('data-incident-id'))!;
    const phone = p.getByTestId('deadline-phone');
    expect(['ok', 'soon']).toContain(await phone.getAttribute('data-state'));
    expect(await p.getByTestId('deadline-phone-countdown').innerText()).toMatch(/^剩余 00:[0-4]\d$/);
    expect(await p.getByTestId('deadline-written').innerText()).toContain('书面报告');
    await screenshot(p, 'reporting-incident-new');

    // the owed report is preselected: a phone report
    expect(await p.getByTestId('report-kind').inputValue()).toBe('phone');
    await p.getByLabel('报告内容').fill('14:05 石门村村长来电：滑坡阻断道路，无人员被困');
    await p.getByTestId('report-submit').click();
    await p.locator('[data-testid="deadline-phone"][data-state="met"]').waitFor();
    expect(await phone.innerText()).toContain('按时报送');
    const version = p.locator('[data-testid="report-version"][data-kind="phone"]');
    expect(await version.innerText()).toContain('#1 电话报告');
    // the written deadline keeps counting; the incident list shows it as what is owed next
    expect(['ok', 'soon']).toContain(await p.getByTestId('deadline-written').getAttribute('data-state'));
    await waitFor(
      async () => (await p.getByTestId('timeline').innerText()).includes('报送报告'),
      10_000,
      'the report on the timeline',
    );
    expect(await axeViolations(p)).toEqual([]);
    await screenshot(p, 'reporting-incident-phone-report');

    const view = (await officer.api.get(`/api/v1/incidents/${incidentId}`)).body;
    expect(view.reports).toEqual([expect.objectContaining({ kind: 'phone', lateBySeconds: 0 })]);
  }, 90_000);

  it('the county board lists it, turns another incident overdue when its limit passes, and rings', async () => {
    const p = await open('rep-disp', '/board');
    // the county learns of a second incident by phone and opens it for the township: learned
    // a while ago, so its phone limit runs out ~12 s from now
    const learned = Date.now() - (PHONE_SECONDS - 12) * 1000;
    const created = await dispatcher.api.post('/api/v1/incidents', {
      siteId: town,
      title: '河堤管涌',
      category: '自然灾害',
      level: 'II',
      occurredAt: new Date(learned - 60_000).toISOString(),
      learnedAt: new Date(learned).toISOString(),
      location: '东河大堤',
      summary: '',
    });
    expect(created.status).toBe(201);
    const lateId = created.body.id as string;
    await go(p, '报送看板');
    const board = p.getByTestId('report-board');
    await board.waitFor();
    const row = p.locator(`[data-testid="board-row"][data-incident-id="${lateId}"]`);
    await row.waitFor();
    await p.locator(`[data-testid="board-row"][data-incident-id="${incidentId}"]`).waitFor();
    expect(['ok', 'soon']).toContain(await row.getAttribute('data-state'));
    // the sound is on (switched on at login): no red "sound off" button
    expect(await p.getByTestId('rep-sound-off').count()).toBe(0);
    await screenshot(p, 'reporting-board-counting');

    await p.locator(`[data-testid="board-row"][data-incident-id="${lateId}"][data-state="overdue"]`).waitFor({
      timeout: 30_000,
    });
    expect(await row.getByTestId('board-countdown').innerText()).toMatch(/^已超时 /);
    expect(await row.getAttribute('class')).toContain('rep-flash');
    // overdue on top
    expect(await p.getByTestId('board-row').first().getAttribute('data-incident-id')).toBe(lateId);
    // the server's report.overdue reaches the console: the banner and its tone
    const alert = p
      .locator('[data-testid="report-alert"][data-overdue="true"]')
      .filter({ hasText: '河堤管涌' });
    await alert.first().waitFor({ timeout: 20_000 });
    expect(await alert.first().innerText()).toContain('东山镇');
    expect(await alert.first().innerText()).toContain('河堤管涌 · 电话报告 已超时未报');
    // how far behind the deadline the alert reached the screen (the queue's timer, the socket, React)
    const lagMs =
      Number(await alert.first().getAttribute('data-shown-at')) -
      Date.parse((await alert.first().getAttribute('data-due-at'))!);
    console.info(`report.overdue on the county board ${lagMs} ms after the deadline`);
    expect(lagMs).toBeGreaterThanOrEqual(0);
    expect(lagMs).toBeLessThan(5000);
    const tones = Number(await p.evaluate('document.documentElement.dataset.reportTones ?? "0"'));
    expect(tones).toBeGreaterThanOrEqual(1);
    expect(await p.getByTestId('board-overdue-count').innerText()).toMatch(/超时 [1-9]/);
    expect(await axeViolations(p)).toEqual([]);
    await screenshot(p, 'reporting-board-overdue');
    // the tone repeats until someone presses 知道了
    await waitFor(
      async () => Number(await p.evaluate('document.documentElement.dataset.reportTones')) > tones,
      10_000,
      'the tone repeats',
    );
    // the tab title blinks while it rings (a console behind another window)
    await waitFor(async () => (await p.title()).includes('已超时未报'), 5000, 'the title blinks');
    await alert.first().getByRole('button', { name: '知道了' }).click();
    await waitFor(async () => !(await p.title()).includes('已超时未报'), 5000, 'the title is restored');
    // and stays so past a blink period (1 s): the blinking stopped, not just its off phase
    await p.waitForTimeout(1300);
    expect(await p.title()).not.toContain('已超时未报');

    // a late phone report from the county is recorded late, with a 迟报 finding
    const late = await dispatcher.api.post(`/api/v1/incidents/${lateId}/reports`, {
      kind: 'phone',
      content: '县值班室补报电话报告',
    });
    expect(late.status).toBe(201);
    expect(late.body.lateBySeconds).toBeGreaterThan(0);
  }, 120_000);

  it('the county opens an incident for a township from the form, with 接报时间 typed', async () => {
    const p = await open('rep-disp', '/board');
    await go(p, '信息报送');
    await p.getByTestId('new-incident').click();
    const form = p.getByTestId('incident-form');
    await form.getByTestId('incident-site').selectOption({ label: '东山镇' });
    await form.getByLabel('事件名称').fill('群众来电：林地冒烟');
    await form.getByLabel('发生地点').fill('北山林场');
    await form.getByLabel('发生时间').fill(typed(Date.now() - 30 * 60_000));
    // a 接报时间 before the 发生时间 is refused, in Chinese
    await form.getByLabel('接报时间').fill(typed(Date.now() - 60 * 60_000));
    await form.getByRole('button', { name: '登记事件并开始计时' }).click();
    expect(await form.getByRole('alert').innerText()).toBe('接报时间不能早于发生时间');
    await form.getByLabel('接报时间').fill(typed(Date.now() - 10 * 60_000));
    await form.getByRole('button', { name: '登记事件并开始计时' }).click();
    const incident = p.getByTestId('incident');
    await incident.waitFor();
    expect(await incident.innerText()).toContain('东山镇');
    // 未定级: written within 3,600 s of the typed 接报时间, so about 50 minutes are left
    expect(await p.getByTestId('deadline-written-countdown').innerText()).toMatch(/^剩余 (4\d|50):\d\d$/);
    expect(await p.getByTestId('deadline-phone').count()).toBe(0);
  }, 60_000);

  it('a commander signs a written report off with one button', async () => {
    const filed = await officer.api.post(`/api/v1/incidents/${incidentId}/reports`, {
      kind: 'initial',
      content: '初报：滑坡方量约300立方米，已设警戒',
    });
    expect(filed.status).toBe(201);
    const p = await open('rep-cmd', '/board');
    await p.goto(`${hub.baseUrl}/reporting?incident=${incidentId}`);
    const written = p.locator('[data-testid="report-version"][data-kind="initial"]');
    await written.waitFor();
    expect(await written.innerText()).toContain('待签发');
    expect(await p.getByTestId('deadline-written').innerText()).toContain('待签发');
    await written.getByRole('button', { name: '签发' }).click();
    await written.getByTestId('report-signed').waitFor();
    await p.locator('[data-testid="deadline-written"][data-state="met"]').waitFor();
  }, 60_000);

  it('a township sends its nil report with one click; the county round shows it and exports it', async () => {
    const now = Date.now();
    const date = shanghaiDay(now);
    const round = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date,
      dueAt: new Date(now + 600_000).toISOString(),
    });
    expect(round.status).toBe(201);
    const p = await open('ds-officer', '/duty');
    await go(p, '日报告');
    const card = p.getByTestId('daily-card');
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('pending');
    // the round's due time comes with the report.due a console gets on connect
    await p.getByTestId('daily-countdown').waitFor({ timeout: 10_000 });
    expect(await p.getByTestId('daily-countdown').innerText()).toMatch(/^剩余 (09|10):\d\d$/);
    await p.getByTestId('zero-report').click();
    await p.getByTestId('daily-result').waitFor();
    await p.locator('[data-testid="daily-card"][data-state="zero"]').waitFor();
    expect(await p.getByTestId('daily-state').innerText()).toContain('零报告');
    // a "due soon" line for this round (if one came) leaves the banner once the report is sent
    expect(
      await p
        .locator('[data-testid="report-alert"][data-overdue="false"]')
        .filter({ hasText: '日报告' })
        .count(),
    ).toBe(0);
    expect(await axeViolations(p)).toEqual([]);
    await screenshot(p, 'reporting-daily-zero');

    const county = await open('rep-disp', '/board');
    await go(county, '日报告');
    const row = county.locator('[data-testid="daily-table"] tr[data-site-name="东山镇"]');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('zero');
    expect(await row.innerText()).toContain('值班台');
    const [file] = await Promise.all([
      county.waitForEvent('download'),
      county.getByTestId('daily-csv').click(),
    ]);
    const bytes = readFileSync((await file.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('"东山镇","零报告"');

    // the county opens tomorrow's round from the page: 东山镇 is 待报 in it
    await county.getByRole('button', { name: '后一天' }).click();
    await county.getByTestId('no-round').waitFor();
    await county.getByTestId('open-round').getByLabel('截止时间（北京时间）').fill('08:00');
    await county.getByRole('button', { name: /^开启报送轮次/ }).click();
    await county
      .locator('[data-testid="daily-table"] tr[data-site-name="东山镇"][data-state="pending"]')
      .waitFor();
    expect(await county.getByTestId('daily-table').innerText()).toContain('待报');
  }, 60_000);

  it("the monthly 通报's CSV is the server's bytes; a 瞒报 makes the township due for a 约谈", async () => {
    const p = await open('rep-cmd', '/board');
    await go(p, '报送通报');
    const table = p.getByTestId('rep-monthly-table');
    await table.locator('tr[data-site-name="东山镇"]').waitFor();
    const [file] = await Promise.all([p.waitForEvent('download'), p.getByTestId('monthly-csv').click()]);
    const bytes = readFileSync((await file.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const month = shanghaiMonth(Date.now());
    const server = await fetch(
      `${hub.baseUrl}/api/v1/reporting/stats/monthly?month=${month}&format=csv&includeDrill=false`,
      {
        headers: { authorization: `Bearer ${commander.token}` },
      },
    );
    expect(Buffer.from(await server.arrayBuffer()).equals(bytes)).toBe(true);
    expect(bytes.toString('utf8')).toContain('东山镇');

    const site = p.locator('[data-testid="site-findings"][data-site-name="东山镇"]');
    await site.waitFor();
    expect(await site.innerText()).toContain('迟报');
    const form = p.getByTestId('concealed-form');
    await form.getByLabel('瞒报情况说明').fill('河堤管涌伤亡情况未如实报告');
    await form.getByRole('button', { name: '登记瞒报' }).click();
    await p
      .locator('[data-testid="site-findings"][data-site-name="东山镇"][data-interview="true"]')
      .waitFor();
    await table.locator('tr[data-site-name="东山镇"][data-interview="true"]').waitFor();
    expect(await axeViolations(p)).toEqual([]);
    await screenshot(p, 'reporting-monthly');
    // 打印: the table and findings alone, black on white, with a printed-at heading
    await p.emulateMedia({ media: 'print' });
    expect(await p.locator('.topbar').isVisible()).toBe(false);
    expect(await p.getByTestId('concealed-form').isVisible()).toBe(false);
    expect(await p.getByTestId('print-head').isVisible()).toBe(true);
    expect(await table.isVisible()).toBe(true);
    await screenshot(p, 'reporting-monthly-print');
    await p.emulateMedia({ media: 'screen' });
  }, 60_000);

  for (const size of SIZES) {
    it(`the four pages hold at ${size.name} size: no sideways scroll, nothing overlapping, axe clean`, async () => {
      const p = await open('rep-cmd', '/board', size);
      const pages: [string, string][] = [
        [`/reporting?incident=${incidentId}`, 'incident'],
        ['/report-board', 'report-board'],
        ['/daily-reports', 'daily-table'],
        ['/report-stats', 'rep-monthly-table'],
      ];
      for (const [path, testId] of pages) {
        await p.goto(`${hub.baseUrl}${path}`);
        await p.getByTestId(testId).waitFor();
        await p.waitForTimeout(300);
        expect({ path, problems: await layoutProblems(p, '.rep-tile, .rep-board-row, button', '') }).toEqual({
          path,
          problems: [],
        });
        expect({ path, axe: await axeViolations(p) }).toEqual({ path, axe: [] });
        // no English reaches a zh-CN user: only the language switch, CSV and user names
        const words = ((await p.locator('body').innerText()).match(/[A-Za-z]{3,}/g) ?? []).filter(
          (w) => !['English', 'CSV', 'rep', 'cmd', 'disp', 'officer'].includes(w),
        );
        expect({ path, words }).toEqual({ path, words: [] });
        if (size.name === 'desktop') {
          // the bright theme for daytime projection holds too
          await p.getByTestId('theme-toggle').click();
          expect({ path, light: await axeViolations(p) }).toEqual({ path, light: [] });
          await p.getByTestId('theme-toggle').click();
        }
        await screenshot(p, `reporting${path.split('?')[0]!.replace('/', '-')}-${size.name}`);
      }
    }, 90_000);
  }
});
