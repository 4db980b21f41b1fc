import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { axeViolations, launchChromium, loginThroughForm, screenshot } from '../support/browser.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { fetchMetrics, startHub, type HubProcess } from '../support/hub-process.js';

const PASSWORD = 'password-123';
/** A title with markup: the console must show it as text and never build an element from it. */
const HOSTILE = '<img src=x onerror="window.__xss=1">防汛紧急通知';

/** A GET whose path is sent exactly as written (fetch would normalise dot segments). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The web console in a real (Debian) Chromium against a built hub. */
describe('web console', () => {
  let hub: HubProcess;
  let admin: Api;
  let dispatcher: Awaited<ReturnType<typeof createUser>>;
  let townA: string;
  let townB: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const newPage = async (options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> => {
    const ctx = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: 1440, height: 900 },
      ...options,
    });
    contexts.push(ctx);
    return ctx.newPage();
  };
  const expectAccessible = async (page: Page) => {
    const violations = await axeViolations(page);
    expect(violations).toEqual([]);
  };

  beforeAll(async () => {
    hub = await startHub();
    admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    townA = await createSite(admin, '青山镇', 'township', rootId);
    townB = await createSite(admin, '白水乡', 'township', rootId);
    await createSite(admin, '东岭村', 'village', townA);
    dispatcher = await createUser(admin, 'disp-console', 'dispatcher', rootId);
    await createUser(admin, 'duty-a', 'duty_officer', townA);
    await createUser(admin, 'duty-b', 'duty_officer', townB);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('is served at / with a single-page fallback, and the API, metrics and missing assets keep their answers', async () => {
    for (const path of ['/', '/duty', '/board/anything']) {
      const res = await fetch(`${hub.baseUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toContain('<div id="root">');
    }
    const gz = await fetch(`${hub.baseUrl}/`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const api = await fetch(`${hub.baseUrl}/api/v1/no-such-route`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${hub.baseUrl}/api/v1/health`)).status).toBe(200);
    expect(await (await fetchMetrics(hub.baseUrl)).text()).toMatch(/# HELP/);
    expect((await fetch(`${hub.baseUrl}/assets/missing.js`)).status).toBe(404);
    // encoded slashes survive URL normalisation: the file must still resolve inside the console's folder
    const traversal = await rawGet(hub.port, '/..%2f..%2f..%2fpackage.json');
    expect(traversal.status).toBe(404);
    expect(traversal.body).not.toContain('"devDependencies"');
    expect([400, 404]).toContain((await fetch(`${hub.baseUrl}/%E0%A4%A`)).status);
  });

  it('duty-room loop: a directive arrives with the alarm, 签收 and 反馈 in one context show live on the dispatcher board in another', async () => {
    const duty = await newPage();
    await loginThroughForm(duty, hub.baseUrl, 'duty-a', PASSWORD, '/duty');
    const board = await newPage();
    await loginThroughForm(board, hub.baseUrl, 'disp-console', PASSWORD, '/board');

    const issued = await dispatcher.api.post('/api/v1/directives', {
      title: HOSTILE,
      body: '立即转移低洼地带群众。\n第二行',
      level: 'red',
      targets: { siteIds: [townA, townB] },
      ackWithinSeconds: 900,
    });
    expect(issued.status).toBe(201);
    const id = issued.body.id as string;

    const card = duty.locator(`[data-testid="inbox-item"][data-directive-id="${id}"]`);
    await card.waitFor();
    expect(await card.getByRole('heading').textContent()).toBe(HOSTILE);
    expect(await card.locator('img').count()).toBe(0);
    expect(await duty.evaluate('window.__xss')).toBeUndefined();
    expect(await card.getAttribute('class')).toMatch(/flash/);
    await waitFor(
      async () => (await duty.evaluate('document.documentElement.dataset.alarm')) === 'red',
      5000,
      'red alarm',
    );
    expect(await card.getByTestId('countdown').textContent()).toMatch(/^1[45]:\d\d$/);

    await board.getByTestId('directive-link').filter({ hasText: '防汛紧急通知' }).click({ timeout: 10_000 });
    const rowA = board.locator('[data-testid="recipient-row"][data-site-name="青山镇"]');
    await rowA.waitFor();
    await board
      .locator('[data-testid="recipient-row"][data-site-name="青山镇"][data-state="delivered"]')
      .waitFor();
    await screenshot(duty, 'duty-alarm');
    await expectAccessible(duty);

    await card.getByRole('button', { name: '签收' }).click();
    await board
      .locator('[data-testid="recipient-row"][data-site-name="青山镇"][data-state="acknowledged"]')
      .waitFor({ timeout: 5000 });
    await waitFor(
      async () => (await duty.evaluate('document.documentElement.dataset.alarm')) === 'off',
      5000,
      'alarm off',
    );
    expect(await board.getByTestId('ack-progress').getAttribute('value')).toBe('1');

    await card.getByLabel('反馈内容').fill('已转移 35 人，无伤亡');
    await card.getByRole('button', { name: '提交反馈' }).click();
    await board
      .locator('[data-testid="recipient-row"][data-site-name="青山镇"][data-state="completed"]')
      .waitFor({ timeout: 5000 });
    expect(await rowA.textContent()).toContain('已转移 35 人，无伤亡');
    await card.waitFor({ state: 'detached' });
    await screenshot(board, 'board-live');
    await expectAccessible(board);

    // history with search
    await duty.getByLabel('搜索').fill('防汛');
    await waitFor(async () => (await duty.getByTestId('history-row').count()) === 1, 5000, 'one history row');
    // the row reads 已办结 at once (the page moves it on after 反馈, before its next read)
    await duty.getByTestId('history-row').first().getByText('已办结').waitFor({ timeout: 2000 });
    await duty.getByLabel('搜索').fill('不存在的标题');
    await waitFor(async () => (await duty.getByTestId('history-row').count()) === 0, 5000, 'no history rows');
    await screenshot(duty, 'duty-history');

    // ack on behalf of the other township, by phone, with a note
    const rowB = board.locator('[data-testid="recipient-row"][data-site-name="白水乡"]');
    await rowB.getByRole('button', { name: '代签收 白水乡' }).click();
    await rowB.getByLabel('电话', { exact: true }).check();
    await rowB.getByLabel('代签人姓名').fill('王五');
    await rowB.getByLabel('备注').fill('值班员王五电话确认');
    await rowB.getByRole('button', { name: '确认代签收' }).click();
    await board
      .locator('[data-testid="recipient-row"][data-site-name="白水乡"][data-state="acknowledged"]')
      .waitFor({ timeout: 5000 });
    const audit = (await admin.get(`/api/v1/audit?subjectId=${id}&limit=100`)).body as {
      action: string;
      data: { note?: string; onBehalf?: { method?: string } };
    }[];
    // the channel is its own field now (代签收 on the record), no longer a prefix of the note
    expect(
      audit.some((e) => e.data.note === '值班员王五电话确认' && e.data.onBehalf?.method === 'phone'),
    ).toBe(true);
  });

  it('sends through the compose form: a red directive asks for confirmation first, then reaches the township', async () => {
    const duty = await newPage({ viewport: { width: 820, height: 1180 }, hasTouch: true, isMobile: true });
    await loginThroughForm(duty, hub.baseUrl, 'duty-b', PASSWORD, '/duty');
    const board = await newPage();
    await loginThroughForm(board, hub.baseUrl, 'disp-console', PASSWORD, '/board');
    // compose lives in a drawer now (console-board.e2e-spec.ts covers it)
    await board.getByRole('button', { name: '新建指令' }).click();
    await board.getByLabel('标题').fill('山洪预警');
    await board.getByLabel('正文').fill('请立即组织巡查');
    await board.getByRole('combobox', { name: '级别' }).selectOption('red');
    await board.getByLabel('白水乡').check();
    await screenshot(board, 'board-compose');
    await board.getByRole('button', { name: '下发', exact: true }).click();
    const dialog = board.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('确认下发红色指令');
    await expectAccessible(board);
    await dialog.getByRole('button', { name: '取消' }).click();
    expect(await board.getByRole('alertdialog').count()).toBe(0);
    await board.getByRole('button', { name: '下发', exact: true }).click();
    await board.getByRole('alertdialog').getByRole('button', { name: '确认' }).click();
    await board.getByText(/已下发: \d{4}-\d+/).waitFor();
    await board.locator('[data-testid="recipient-row"][data-site-name="白水乡"]').waitFor();

    const card = duty.locator('[data-testid="inbox-item"]').filter({ hasText: '山洪预警' });
    await card.waitFor();
    await screenshot(duty, 'duty-tablet');
    await card.getByRole('button', { name: '签收' }).tap();
    await board
      .locator('[data-testid="recipient-row"][data-site-name="白水乡"][data-state="acknowledged"]')
      .waitFor({ timeout: 5000 });
  });

  it('reconnect: a console that was offline catches up on what it missed, and shows its connection state', async () => {
    const duty = await newPage();
    await loginThroughForm(duty, hub.baseUrl, 'duty-a', PASSWORD, '/duty');
    await duty.context().setOffline(true);
    await duty.locator('[data-testid="conn-state"][data-state="offline"]').waitFor();
    const issued = await dispatcher.api.post('/api/v1/directives', {
      title: '断线期间的指令',
      body: '补发测试',
      level: 'yellow',
      targets: { siteIds: [townA] },
    });
    expect(issued.status).toBe(201);
    await screenshot(duty, 'duty-offline');
    expect(
      await duty.locator('[data-testid="inbox-item"]').filter({ hasText: '断线期间的指令' }).count(),
    ).toBe(0);
    await duty.context().setOffline(false);
    await duty.locator('[data-testid="conn-state"][data-state="online"]').waitFor({ timeout: 10_000 });
    await duty
      .locator('[data-testid="inbox-item"]')
      .filter({ hasText: '断线期间的指令' })
      .waitFor({ timeout: 5000 });
  });

  it("consultation: a dispatcher starts one, a duty room joins with one click, and each sees the other's video", async () => {
    const host = await newPage();
    await loginThroughForm(host, hub.baseUrl, 'disp-console', PASSWORD, '/board');
    await host.getByRole('link', { name: '视频会商' }).click();
    await host.getByLabel('标题').fill('防汛会商');
    await host.getByLabel('青山镇').check();
    await host.getByRole('button', { name: '发起并加入' }).click();
    await host.getByTestId('tile-self').waitFor({ timeout: 15_000 });

    const duty = await newPage();
    const logs: string[] = [];
    for (const p of [host, duty]) p.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    await loginThroughForm(duty, hub.baseUrl, 'duty-a', PASSWORD, '/duty');
    await duty.getByRole('link', { name: '视频会商' }).click();
    await duty.getByTestId('consult-join').filter({ hasText: '防汛会商' }).click();
    const playing = (page: Page) =>
      waitFor(
        async () =>
          (await page
            .locator('[data-testid="tile-remote"] video')
            .evaluate((v: any) => v.videoWidth > 0 && v.currentTime > 0)
            .catch(() => false)) === true,
        20_000,
        'remote video playing',
      ).catch(async (err: Error) => {
        await screenshot(page, 'consultation-failed');
        throw new Error(`${err.message}\n${logs.join('\n')}`);
      });
    await playing(duty);
    await playing(host);
    await host
      .getByText(/[1-9]\d* kbit\/s/)
      .first()
      .waitFor({ timeout: 10_000 });
    expect(await host.getByRole('button', { name: /^静音 / }).count()).toBe(1);
    expect(await duty.getByRole('button', { name: /^静音 / }).count()).toBe(0);
    await screenshot(host, 'consultation');
    await expectAccessible(host);
    await host.getByRole('button', { name: '点名' }).click();
    await duty.getByRole('button', { name: '应答点名' }).click();
    await duty.getByRole('button', { name: '应答点名' }).waitFor({ state: 'detached' });
    await host.getByRole('button', { name: '离开' }).click();
    await duty.getByRole('button', { name: '离开' }).click();
  });

  it('board actions: re-send and escalate a silent recipient; bad input and acknowledged sites get clear errors', async () => {
    const issued = await dispatcher.api.post('/api/v1/directives', {
      title: '重发测试',
      body: '请回复',
      level: 'blue',
      targets: { siteIds: [townB] },
    });
    const id = issued.body.id as string;
    const resend = await dispatcher.api.post(`/api/v1/directives/${id}/resend`, { siteIds: [townB] });
    expect(resend).toMatchObject({ status: 200, body: { sites: 1 } });
    expect((await dispatcher.api.post(`/api/v1/directives/${id}/resend`, { siteIds: [] })).status).toBe(400);
    expect((await dispatcher.api.post(`/api/v1/directives/${id}/resend`, { siteIds: ['nope'] })).status).toBe(
      400,
    );
    expect((await dispatcher.api.post(`/api/v1/directives/${id}/escalate`, {})).status).toBe(400);
    const officer = await new Api(hub.baseUrl).login('duty-b', PASSWORD);
    expect((await officer.post(`/api/v1/directives/${id}/resend`, { siteIds: [townB] })).status).toBe(403);
    const esc = await dispatcher.api.post(`/api/v1/directives/${id}/escalate`, { siteId: townB });
    expect(esc).toMatchObject({ status: 200, body: { escalationLevel: 1 } });
    const view = (await dispatcher.api.get(`/api/v1/directives/${id}`)).body as {
      recipients: { escalationLevel: number; overdue: boolean }[];
    };
    expect(view.recipients[0]).toMatchObject({ escalationLevel: 1, overdue: true });
    expect((await officer.post(`/api/v1/directives/${id}/ack`, {})).status).toBe(200);
    const late = await dispatcher.api.post(`/api/v1/directives/${id}/escalate`, { siteId: townB });
    expect(late.status).toBe(409);
    expect(JSON.stringify(late.body)).toMatch(/not waiting/);
    expect((await dispatcher.api.post(`/api/v1/directives/${id}/resend`, { siteIds: [townB] })).status).toBe(
      409,
    );
    const audit = (await admin.get(`/api/v1/audit?subjectId=${id}&limit=100`)).body as { action: string }[];
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['directive.resend', 'directive.escalate.requested', 'directive.escalate']),
    );
  });

  it('terminals: an admin provisions a terminal and rotates its secret; the county map shows it', async () => {
    const page = await newPage();
    await loginThroughForm(page, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
    await page.getByRole('link', { name: '终端与电台' }).click();
    await page.getByLabel('名称', { exact: true }).fill('青山镇广播一号');
    await page.getByLabel('单位').selectOption({ label: '青山镇' });
    await page.getByRole('button', { name: '新增终端' }).click();
    const secret = await page.getByTestId('terminal-secret').textContent();
    expect(secret?.length).toBeGreaterThan(16);
    await page.getByTestId('terminal-row').filter({ hasText: '青山镇广播一号' }).waitFor();
    await page.getByRole('button', { name: '更换密钥 青山镇广播一号' }).click();
    await waitFor(
      async () => (await page.getByTestId('terminal-secret').textContent()) !== secret,
      5000,
      'a new secret',
    );
    // 青山镇 has no coordinates: listed beside the county map, red for a terminal never seen
    const mapped = page.locator('[data-testid="terminals-map"] [data-site-name="青山镇"]');
    expect(await mapped.getAttribute('data-tone')).toBe('alert');
    expect(await mapped.textContent()).toContain('未上线');
    await screenshot(page, 'terminals');
    await expectAccessible(page);
  });

  it('audit: the admin lands on the audit log, checks the chain, and can switch to English', async () => {
    const page = await newPage();
    await loginThroughForm(page, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
    await page.getByRole('button', { name: '校验审计链' }).click();
    expect(await page.getByTestId('chain-result').textContent()).toMatch(/审计链完整/);
    await screenshot(page, 'audit');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Verify the audit chain' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');
  });

  it('login: a wrong password shows an error and the login page passes axe', async () => {
    const page = await newPage();
    await page.goto(`${hub.baseUrl}/`);
    await expectAccessible(page);
    await page.getByLabel('用户名').fill('duty-a');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/登录失败/);
    await screenshot(page, 'login');
  });
});
