import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import {
  axeViolations,
  launchChromium,
  loginThroughForm,
  oneCharLines,
  screenshot,
  sidewaysScroll,
  SIZES,
} from '../support/browser.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

const PASSWORD = 'password-123';

/**
 * 演练 in the console (issue 19) against the built hub: a dispatcher creates a drill on the
 * page, issues a directive in it from the drill's card, one township's console 签收s, and the
 * after-action report shows who answered and who stayed silent; a duty officer reads it on
 * a phone; the drill ends early from the page.
 */
describe('console: drills (演练)', () => {
  let hub: HubProcess;
  let admin: Api;
  let towns: string[];
  let browser: Browser;
  let eastConsole: TestConsole;
  let dispatcherApi: Api;
  let commanderApi: Api;
  let eastApi: Api;
  let county: string;
  const contexts: BrowserContext[] = [];

  const page = async (
    username: string,
    landing: string,
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
    return p;
  };
  const reportRow = (p: Page, siteId: string) =>
    p.locator(`[data-testid="drill-report"] tbody tr[data-site-id="${siteId}"]`);

  beforeAll(async () => {
    hub = await startHub({ SFU_ENABLED: 'false' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    county = await createSite(admin, '演练县', 'command', root);
    towns = [
      await createSite(admin, '东镇', 'township', county),
      await createSite(admin, '西镇', 'township', county),
    ];
    dispatcherApi = (await createUser(admin, 'cd-dispatcher', 'dispatcher', county)).api;
    commanderApi = (await createUser(admin, 'cd-commander', 'commander', county)).api;
    const east = await createUser(admin, 'cd-east', 'duty_officer', towns[0]!);
    eastApi = east.api;
    await createUser(admin, 'cd-west', 'duty_officer', towns[1]!);
    eastConsole = await openConsole(hub.baseUrl, east.token, { autoAck: true });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    eastConsole?.close();
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  let drillId = '';
  let date = '';

  it('creates a drill on the page, issues a directive in it, and the report shows each site', async () => {
    const p = await page('cd-dispatcher', '/board');
    await p.getByRole('link', { name: '演练', exact: true }).click();
    await p.waitForURL('**/drills');
    await p.getByRole('button', { name: '新建演练' }).click();
    const form = p.getByRole('form', { name: '新建演练' });
    // nothing chosen: the page says so before the server is asked
    await form.getByLabel('演练名称').fill('冬季森林防火演练');
    await form.getByRole('button', { name: '创建演练' }).click();
    await form.getByRole('alert').filter({ hasText: '请至少选择一个参演单位' }).waitFor();
    await form.getByLabel('演练方式').selectOption({ label: '双盲演练' });
    await form.getByLabel('参演单位').selectOption(towns);
    expect(await axeViolations(p)).toEqual([]);
    await form.getByRole('button', { name: '创建演练' }).click();

    const detail = p.getByTestId('drill-detail');
    await detail.waitFor();
    drillId = (await detail.getAttribute('data-drill-id'))!;
    expect(await detail.getAttribute('data-state')).toBe('running');
    expect(await detail.locator('h2').innerText()).toContain('冬季森林防火演练');
    expect(await detail.innerText()).toContain('双盲演练');
    expect(await p.locator('[data-testid="drill-report"] tbody tr').count()).toBe(2);

    const compose = p.getByRole('form', { name: '在本演练中下达指令' });
    // the site names beside their checkboxes read as words, not one character a line
    expect(await oneCharLines(p, '.drill-compose label')).toEqual([]);
    await compose.getByLabel('指令标题').fill('演练：立即清点扑火物资');
    await compose.getByLabel('指令内容').fill('请签收并反馈。');
    await compose.getByRole('button', { name: '下达演练指令' }).click();
    await compose.getByRole('status').filter({ hasText: '演练指令已下达' }).waitFor();
    const got = await waitFor(() => eastConsole.directives[0], 15_000, 'east receives it');
    expect(got.drill).toBe(true);

    // east's console 签收s automatically; west never does
    await waitFor(
      async () => {
        await p.getByRole('button', { name: '刷新' }).click();
        return (await reportRow(p, towns[0]!).locator('td').first().innerText()) === '1 / 1 / 1';
      },
      20_000,
      'east acknowledged in the report',
    );
    expect(await reportRow(p, towns[1]!).getAttribute('data-silent')).toBe('true');
    expect(await reportRow(p, towns[1]!).innerText()).toContain('未响应');
    expect(await p.getByTestId('drill-missed').innerText()).toMatch(/未签收\s*西镇/);

    // a daily-report round in the drill (beside the real round of the date) and a consultation
    // today in Beijing time (the hub's automatic round is off in tests)
    date = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const dueAt = new Date(Date.now() + 600_000).toISOString();
    expect(
      (await dispatcherApi.post('/api/v1/daily-reports/rounds', { date, dueAt, siteIds: towns })).status,
    ).toBe(201);
    expect((await dispatcherApi.post('/api/v1/daily-reports/rounds', { date, dueAt, drillId })).status).toBe(
      201,
    );
    const nil = await eastApi.request('PUT', `/api/v1/daily-reports/${towns[0]}/${date}`, {
      kind: 'zero',
      drillId,
    });
    expect(nil.status).toBe(200);
    const plan = await commanderApi.post('/api/v1/plans', {
      name: '森林防火会商预案',
      hazard: 'forest-fire',
      siteId: county,
      levels: [{ level: 'III', actions: [{ kind: 'consultation', siteIds: towns }] }],
    });
    expect(plan.status).toBe(201);
    const response = await commanderApi.post('/api/v1/responses', {
      planId: plan.body.id,
      level: 'III',
      drillId,
    });
    expect(response.status).toBe(201);
    await p.getByRole('button', { name: '刷新' }).click();
    const daily = (site: string) => reportRow(p, site).locator('td[data-col="daily"]');
    await waitFor(
      async () => (await daily(towns[0]!).innerText()) === '1 / 1 / 0 / 0',
      10_000,
      'the daily column',
    );
    expect(await daily(towns[1]!).innerText()).toBe('1 / 0 / 0 / 0');
    expect(await reportRow(p, towns[0]!).locator('td[data-col="consult"]').innerText()).toBe('1 / 0 · —');
    const consult = p.locator(
      `[data-testid="drill-consultations"] tr[data-consultation-id="${response.body.consultationId}"]`,
    );
    expect(await consult.locator('td[data-col="count"]').innerText()).toBe('2 / 0');
    // the sites in the drill's order (as the form listed them)
    const consultText = await consult.innerText();
    expect(consultText).toMatch(/【演练】[\s\S]*待开始/);
    expect(consultText).toContain('东镇 未入会');
    expect(consultText).toContain('西镇 未入会');
    expect(await axeViolations(p)).toEqual([]);
    expect(await sidewaysScroll(p)).toEqual([]);
    await screenshot(p, 'drills-report');
  }, 120_000);

  it('a duty officer reads their own site on a phone; the dispatcher ends the drill early', async () => {
    const phone = await page('cd-west', '/duty', SIZES[2]);
    await phone.goto(`${hub.baseUrl}/drills`);
    const row = phone.locator(`.drill-list li[data-drill-id="${drillId}"] button`);
    await row.click();
    await phone.getByTestId('drill-detail').waitFor();
    // only their own township, and no buttons to run the drill
    expect(await phone.locator('[data-testid="drill-report"] tbody tr').count()).toBe(1);
    expect(await phone.getByRole('button', { name: '结束演练' }).count()).toBe(0);
    expect(await sidewaysScroll(phone)).toEqual([]);
    expect(await axeViolations(phone)).toEqual([]);
    await screenshot(phone, 'drills-phone');

    // west's 日报告 page: the real round's card and the drill's, marked 演练, answered apart
    await phone.goto(`${hub.baseUrl}/daily-reports`);
    const drillCard = phone.locator(`[data-testid="drill-daily-card"][data-drill-id="${drillId}"]`);
    await drillCard.waitFor();
    expect(await drillCard.locator('h3').innerText()).toContain('演练');
    await drillCard.getByTestId('zero-report').click();
    await phone.locator(`[data-testid="drill-daily-card"][data-state="zero"]`).waitFor();
    expect(await phone.getByTestId('daily-card').getAttribute('data-state')).toBe('pending');
    expect(await axeViolations(phone)).toEqual([]);
    const westRows = (await dispatcherApi.get(`/api/v1/daily-reports?date=${date}&includeDrill=true`))
      .body as {
      siteId: string;
      state: string;
      drillId: string | null;
    }[];
    expect(
      westRows
        .filter((x) => x.siteId === towns[1])
        .map((x) => [x.drillId, x.state])
        .sort(),
    ).toEqual(
      [
        [drillId, 'zero'],
        [null, 'pending'],
      ].sort(),
    );

    const p = await page('cd-dispatcher', '/board');
    await p.goto(`${hub.baseUrl}/drills`);
    await p.locator(`.drill-list li[data-drill-id="${drillId}"] button`).click();
    p.once('dialog', (d) => void d.accept());
    await p.getByRole('button', { name: '结束演练' }).click();
    await p.locator(`[data-testid="drill-detail"][data-state="ended"]`).waitFor();
    await p.getByTestId('drill-notice').filter({ hasText: '演练已结束' }).waitFor();
    expect(await p.getByRole('form', { name: '在本演练中下达指令' }).count()).toBe(0);
    await p.locator(`.drill-list li[data-drill-id="${drillId}"][data-state="ended"]`).waitFor();
  }, 120_000);
});
