import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import {
  axeViolations,
  launchChromium,
  loginThroughForm,
  oneCharLines,
  overlapping,
  screenshot,
  SIZES,
} from '../support/browser.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { provision, TestDevice } from '../support/terminals.js';

const PASSWORD = 'password-123';

/** Words a zh-CN user may meet on these pages: the language switch, the product name, log-in names. */
const ALLOWED_WORDS = new Set(['English', 'yihu', 'admin', 'disp', 'record', 'duty']);

/**
 * Latin words of four letters or more in the page's visible text: English that reached a
 * zh-CN user. Technical values (terminal ids, hashes) sit in `.mono` / translate="no".
 */
async function englishWords(page: Page): Promise<string[]> {
  const words = (await page.evaluate(`(() => {
    const root = document.querySelector('main') ?? document.body;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const out = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement.closest('.mono, [translate="no"], script, style')) continue;
      out.push(...(n.textContent.match(/[A-Za-z]{4,}/g) ?? []));
    }
    return out;
  })()`)) as string[];
  return words.filter((w) => !ALLOWED_WORDS.has(w));
}

/** Fields of the 代签收 dialog that stick out of it (a field wider than the dialog, cut off). */
async function outsideDialog(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const d = document.querySelector('dialog[open]').getBoundingClientRect();
    return [...document.querySelectorAll('dialog[open] input, dialog[open] textarea, dialog[open] button')]
      .filter((e) => { const r = e.getBoundingClientRect(); return r.left < d.left || r.right > d.right + 0.5; })
      .map((e) => e.outerHTML.slice(0, 60));
  })()`)) as string[];
}

/** The console's record keeping (issue #22 items 4, 6, 8) in Debian's Chromium against a built hub. */
describe('console: 代签收 on the record, localisation, terminals and audit', () => {
  let hub: HubProcess;
  let admin: Api;
  let dispatcher: Api;
  let townA: string;
  let townB: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const devices: TestDevice[] = [];

  const newPage = async (size: { width: number; height: number } = SIZES[0]): Promise<Page> => {
    const ctx = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: size.width, height: size.height },
    });
    contexts.push(ctx);
    return ctx.newPage();
  };
  const expectAccessible = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  const issue = async (title: string, siteIds: string[]) => {
    const res = await dispatcher.post('/api/v1/directives', {
      title,
      body: '请回复',
      level: 'orange',
      targets: { siteIds },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const openOnBoard = async (page: Page, title: string) => {
    await loginThroughForm(page, hub.baseUrl, 'disp-record', PASSWORD, '/board');
    await page.getByTestId('directive-link').filter({ hasText: title }).click({ timeout: 10_000 });
  };

  beforeAll(async () => {
    // no SFU: these pages do not use it, and a busy machine starts the hub faster without its workers
    hub = await startHub({ SFU_ENABLED: 'false' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    townA = await createSite(admin, '青山镇', 'township', rootId);
    townB = await createSite(admin, '白水乡', 'township', rootId);
    dispatcher = (await createUser(admin, 'disp-record', 'dispatcher', rootId)).api;
    await createUser(admin, 'duty-record', 'duty_officer', townA);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const d of devices) d.client.end(true);
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('代签收 leaves method, person, phone and note on the row, in the recipient view and in the audit log', async () => {
    const id = await issue('代签收测试', [townA, townB]);
    const board = await newPage();
    await openOnBoard(board, '代签收测试');
    const rowB = board.locator('[data-testid="recipient-row"][data-site-name="白水乡"]');
    await rowB.getByRole('button', { name: '代签收 白水乡' }).click();
    const dialog = board.getByRole('dialog', { name: /代签收/ });
    await dialog.waitFor();
    expect(await overlapping(board, '.on-behalf-form > label, .on-behalf-form > fieldset')).toEqual([]);
    expect(await outsideDialog(board)).toEqual([]);
    // typed, not the browser's picker: that one follows the browser's language (12/06/2026, 05:08 PM)
    expect(await dialog.getByLabel('应答时间').inputValue()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    await dialog.getByLabel('电台', { exact: true }).check();
    await dialog.getByLabel('代签人姓名').fill('王五');
    await dialog.getByLabel('代签人电话').fill('13800001111');
    await dialog.getByLabel('备注').fill('值班员电台确认');
    await screenshot(board, 'record-on-behalf-dialog-desktop');
    await expectAccessible(board);
    await dialog.getByRole('button', { name: '确认代签收' }).click();
    await board
      .locator('[data-testid="recipient-row"][data-site-name="白水乡"][data-state="acknowledged"]')
      .waitFor({ timeout: 5000 });
    expect(await rowB.getByTestId('on-behalf-record').textContent()).toContain(
      '电台代签 · 王五 · 13800001111 · 值班员电台确认',
    );
    await screenshot(board, 'record-on-behalf-row');

    const view = (await dispatcher.get(`/api/v1/directives/${id}`)).body as {
      recipients: { siteId: string; acknowledgedVia: string; acknowledgedOnBehalf: unknown }[];
    };
    const b = view.recipients.find((r) => r.siteId === townB)!;
    expect(b.acknowledgedVia).toBe('on_behalf');
    expect(b.acknowledgedOnBehalf).toMatchObject({
      method: 'radio',
      person: '王五',
      phone: '13800001111',
      note: '值班员电台确认',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(view.recipients.find((r) => r.siteId === townA)!.acknowledgedOnBehalf).toBeNull();
    const audit = (await admin.get(`/api/v1/audit?subjectId=${id}&limit=100`)).body as {
      action: string;
      data: { note?: string; onBehalf?: { method: string; person: string } };
    }[];
    expect(audit.find((e) => e.action === 'directive.ack')?.data).toMatchObject({
      note: '值班员电台确认',
      onBehalf: { method: 'radio', person: '王五' },
    });

    // the how and who of a 代签收 do not belong on a site's own 签收
    const officer = await new Api(hub.baseUrl).login('duty-record', PASSWORD);
    const own = await officer.post(`/api/v1/directives/${id}/ack`, { method: 'phone', person: '自己' });
    expect(own.status).toBe(400);
    expect(own.body).toMatchObject({ code: 'invalid', fields: [{ path: 'method' }] });

    // the audit log reads it as a sentence, and filters to 代签收
    const log = await newPage();
    await loginThroughForm(log, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
    await log.getByLabel('类别').selectOption({ label: '代签收' });
    const rows = log.getByTestId('audit-row');
    await waitFor(async () => (await rows.count()) === 1, 5000, 'one 代签收 entry');
    expect(await rows.first().getAttribute('data-action')).toBe('directive.ack');
    const sentence = await rows.first().textContent();
    expect(sentence).toContain('为 白水乡 代签收指令');
    expect(sentence).toContain('《代签收测试》');
    expect(sentence).toContain('电台代签 · 王五 · 13800001111 · 值班员电台确认');
    expect(sentence).toContain('disp-record');
    await screenshot(log, 'record-audit-on-behalf');
    await expectAccessible(log);
    expect(await englishWords(log)).toEqual([]);
    await log.getByLabel('起始时间').fill('2099-01-01 00:00');
    await waitFor(async () => (await rows.count()) === 0, 5000, 'nothing after 2099');
  });

  it('the 代签收 dialog fits without overlap on a tablet and a phone, and cancels cleanly', async () => {
    await issue('代签收尺寸', [townB]);
    for (const size of SIZES.slice(1)) {
      const board = await newPage(size);
      await openOnBoard(board, '代签收尺寸');
      await board.getByRole('button', { name: '代签收 白水乡' }).click();
      const dialog = board.getByRole('dialog', { name: /代签收/ });
      await dialog.waitFor();
      expect(await overlapping(board, '.on-behalf-form > label, .on-behalf-form > fieldset')).toEqual([]);
      expect(await outsideDialog(board)).toEqual([]);
      const box = (await dialog.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(size.width);
      const note = (await dialog.getByLabel('备注').boundingBox())!;
      expect(note.width).toBeGreaterThan(size.width < 600 ? 250 : 400);
      await screenshot(board, `record-on-behalf-dialog-${size.name}`);
      await expectAccessible(board);
      await dialog.getByRole('button', { name: '取消' }).click();
      await dialog.waitFor({ state: 'detached' });
    }
  });

  it('errors reach a zh-CN user in Chinese: the login refusal and the missing targets', async () => {
    const page = await newPage();
    await page.goto(`${hub.baseUrl}/`);
    await page.getByLabel('用户名').fill('duty-record');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    const alert = await page.getByRole('alert').textContent();
    expect(alert).toContain('用户名或密码错误');
    expect(alert).not.toMatch(/[A-Za-z]{4,}/);

    const board = await newPage();
    await loginThroughForm(board, hub.baseUrl, 'disp-record', PASSWORD, '/board');
    await board.getByRole('button', { name: '新建指令' }).click(); // compose lives in a drawer
    await board.getByLabel('标题').fill('无对象');
    await board.getByLabel('正文').fill('无对象');
    await board.getByRole('combobox', { name: '级别' }).selectOption('blue');
    await board.getByRole('button', { name: '下发', exact: true }).click();
    await board.getByText('请选择下发对象').first().waitFor({ timeout: 5000 });
    expect(await board.getByText(/choose all|siteIds/).count()).toBe(0);
  });

  it('terminals: offline and low battery flagged and first, links and last seen in Chinese, revoke, 测试呼叫 and copy-secret', async () => {
    const mqttUrl = `mqtt://127.0.0.1:${hub.env.MQTT_PORT}`;
    const low = await provision(admin, townA, '青山镇终端甲');
    const gone = await provision(admin, townB, '白水乡终端乙');
    await provision(admin, townA, '青山镇终端丙');
    const lowDevice = await TestDevice.connect(mqttUrl, low);
    devices.push(lowDevice);
    await lowDevice.client.publishAsync(
      `yihu/v1/terminals/${low.id}/status`,
      JSON.stringify({ power: 'battery', battery: 8, link: 'lte' }),
      { qos: 1, retain: true },
    );
    const goneDevice = await TestDevice.connect(mqttUrl, gone);
    await goneDevice.end();
    await waitFor(
      async () => {
        const list = (await admin.get('/api/v1/terminals')).body as {
          id: string;
          presence: string;
          telemetry: unknown;
        }[];
        const byId = new Map(list.map((t) => [t.id, t]));
        return byId.get(gone.id)?.presence === 'offline' && byId.get(low.id)?.telemetry !== null;
      },
      15_000,
      'one offline terminal and one reporting telemetry',
    );

    for (const size of SIZES) {
      const page = await newPage(size);
      await loginThroughForm(page, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
      await page.getByRole('link', { name: '终端与电台' }).click();
      const rows = page.getByTestId('terminal-row');
      await rows.filter({ hasText: '青山镇终端丙' }).waitFor();
      const names = await rows.locator('.term-name').allTextContents();
      expect(names.slice(0, 2)).toEqual(['白水乡终端乙', '青山镇终端甲']);
      expect(await rows.nth(0).getByTestId('terminal-flag').allTextContents()).toEqual(['离线']);
      expect(await rows.nth(1).getByTestId('terminal-flag').allTextContents()).toEqual(['电量低']);
      expect(await rows.nth(1).textContent()).toContain('4G');
      expect(await rows.nth(1).getByTestId('terminal-last-seen').textContent()).toBe('当前在线');
      await screenshot(page, `record-terminals-${size.name}`);
      expect(await oneCharLines(page, '.record-terminals th, .record-terminals td')).toEqual([]);
      expect(await englishWords(page)).toEqual([]);
      await expectAccessible(page);
    }

    const page = await newPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.baseUrl });
    await loginThroughForm(page, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
    await page.getByRole('link', { name: '终端与电台' }).click();
    await page.getByRole('button', { name: '更换密钥 青山镇终端丙' }).click();
    const secret = (await page.getByTestId('terminal-secret').textContent())!;
    await page.getByRole('button', { name: '复制密钥' }).click();
    expect(await page.getByTestId('copy-result').textContent()).toBe('已复制');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);

    await page.getByRole('button', { name: '测试呼叫 青山镇终端甲' }).click();
    expect(await page.getByTestId('terminal-notice').textContent()).toMatch(/测试呼叫已发出，覆盖终端数：\d/);

    await page.getByRole('button', { name: '吊销 青山镇终端丙' }).click();
    await page.getByRole('button', { name: '确认吊销 青山镇终端丙' }).click();
    const revoked = page.getByTestId('terminal-row').last();
    await waitFor(
      async () => (await revoked.textContent())?.includes('已吊销') === true,
      5000,
      'revoked, listed last',
    );
    expect(await revoked.locator('.term-name').textContent()).toBe('青山镇终端丙');
    const view = (await admin.get('/api/v1/terminals')).body as { name: string; revoked: boolean }[];
    expect(view.find((t) => t.name === '青山镇终端丙')?.revoked).toBe(true);
    await screenshot(page, 'record-terminals-actions');
  });

  it('audit: entries read as sentences with names, and filter by kind and person, at every size', async () => {
    await issue('审计句子', [townA]);
    for (const size of SIZES) {
      const page = await newPage(size);
      await loginThroughForm(page, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
      const rows = page.getByTestId('audit-row');
      await rows.first().waitFor();
      expect(await page.getByText('directive.issue').count()).toBe(0);
      await page.getByLabel('类别').selectOption({ label: '指令' });
      await page.getByLabel('操作人').selectOption({ label: 'disp-record' });
      await waitFor(async () => (await rows.count()) > 0, 5000, 'directive entries by the dispatcher');
      for (const text of await rows.allTextContents()) expect(text).toContain('disp-record');
      expect(await rows.filter({ hasText: '下发指令' }).count()).toBeGreaterThan(0);
      await screenshot(page, `record-audit-${size.name}`);
      expect(await oneCharLines(page, '.record-audit th, .record-audit td')).toEqual([]);
      expect(await englishWords(page)).toEqual([]);
      await expectAccessible(page);
    }
  });

  it('audit: the resources areas and log-ins read as sentences; no entry is "another operation"', async () => {
    const made = await Promise.all([
      admin.post('/api/v1/teams', {
        name: '审计防汛队',
        kind: 'flood',
        siteId: townA,
        leaderName: '王强',
        leaderPhone: '13800001111',
        headcount: 12,
        assembleMinutes: 30,
      }),
      admin.post('/api/v1/depots', {
        siteId: townA,
        name: '审计储备库',
        place: '仓库路1号',
        keeper: '王库管',
        phone: '0571-12345678',
      }),
      admin.post('/api/v1/experts', {
        siteId: townA,
        name: '审计专家',
        category: 'natural',
        specialty: '地质灾害',
        organisation: '监测院',
        phones: ['13800000001'],
      }),
    ]);
    expect(made.map((r) => r.status)).toEqual([201, 201, 201]);
    const page = await newPage();
    await loginThroughForm(page, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
    const rows = page.getByTestId('audit-row');
    await rows.first().waitFor();
    for (const sentence of [
      '新建应急队伍 审计防汛队',
      '新建物资库点 审计储备库',
      '新增专家 审计专家',
      'admin 登录',
    ])
      expect(await rows.filter({ hasText: sentence }).count()).toBeGreaterThan(0);
    expect(await rows.filter({ hasText: '执行了其他操作' }).count()).toBe(0);
  });
});
