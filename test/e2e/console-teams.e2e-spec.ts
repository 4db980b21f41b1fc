import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import {
  axeViolations,
  launchChromium,
  loginThroughForm,
  screenshot,
  sidewaysScroll,
  SIZES,
} from '../support/browser.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

const PASSWORD = 'password-123';

/**
 * 应急队伍 in the console (issue 23) against the built hub: a commander creates a 村级突击队
 * on the page (29 people is refused in Chinese, 32 is taken), sees it listed in Chinese,
 * sends it an alert (出动通知) after the confirmation, and the village's console 签收s it:
 * the team shows 已出动.
 */
describe('console: teams (应急队伍)', () => {
  let hub: HubProcess;
  let admin: Api;
  let village: string;
  let browser: Browser;
  let villageConsole: TestConsole;
  const contexts: BrowserContext[] = [];
  let p: Page;

  beforeAll(async () => {
    hub = await startHub({ SFU_ENABLED: 'false' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const county = await createSite(admin, '队伍县', 'command', root);
    const town = await createSite(admin, '河口镇', 'township', county);
    village = await createSite(admin, '柳树村', 'village', town);
    await createUser(admin, 'ct-commander', 'commander', county);
    const officer = await createUser(admin, 'ct-village', 'duty_officer', village);
    villageConsole = await openConsole(hub.baseUrl, officer.token, { autoAck: true });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    villageConsole?.close();
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('creates a village shock team, lists it in Chinese, alerts it, and shows it deployed after the 签收', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: SIZES[0] });
    contexts.push(ctx);
    p = await ctx.newPage();
    await loginThroughForm(p, hub.baseUrl, 'ct-commander', PASSWORD, '/board');
    await p.getByRole('link', { name: '应急队伍', exact: true }).click();
    await p.waitForURL('**/teams');
    await p.getByRole('button', { name: '新建队伍' }).click();
    const form = p.getByRole('form', { name: '新建队伍' });
    await form.getByLabel('队伍名称').fill('柳树村应急突击队');
    await form.getByLabel('类型').selectOption({ label: '村级突击队' });
    await form.getByLabel('所属单位').selectOption(village);
    await form.getByLabel('队长姓名').fill('赵刚');
    await form.getByLabel('队长电话').fill('139 1234 5678');
    await form.getByLabel('人数').fill('29');
    await form.getByLabel('集结时间（分钟）').fill('20');
    await form.getByLabel('装备（用顿号或逗号分隔）').fill('冲锋舟、救生衣');
    await form.getByRole('button', { name: '新建队伍' }).click();
    await form.getByRole('alert').filter({ hasText: '村级突击队人数不少于30人' }).waitFor();
    await form.getByLabel('人数').fill('32');
    expect(await axeViolations(p)).toEqual([]);
    await form.getByRole('button', { name: '新建队伍' }).click();
    await p.getByTestId('team-notice').filter({ hasText: '队伍已创建' }).waitFor();

    const row = p.locator('.team-table tbody tr', { hasText: '柳树村应急突击队' });
    await row.waitFor();
    const text = await row.innerText();
    for (const zh of ['待命', '村级突击队', '柳树村', '赵刚', '32 人', '20 分钟', '冲锋舟、救生衣'])
      expect(text).toContain(zh);
    expect(text).not.toMatch(/available|village-shock/);
    expect(await row.getAttribute('data-status')).toBe('available');

    p.once('dialog', (d) => {
      expect(d.message()).toContain('柳树村应急突击队');
      void d.accept();
    });
    await row.getByRole('button', { name: '出动通知' }).click();
    await p.getByTestId('team-notice').filter({ hasText: '出动通知已发送' }).waitFor();
    const got = await waitFor(() => villageConsole.directives[0], 15_000, 'the village console receives it');
    expect(got.title).toContain('柳树村应急突击队');
    // the village console 签收s on receipt: the page shows the team deployed
    await waitFor(
      async () => {
        await p.getByRole('button', { name: '刷新' }).click();
        return (await row.getAttribute('data-status')) === 'deployed';
      },
      20_000,
      'team deployed after the 签收',
    );
    expect(await row.locator('.team-status').innerText()).toBe('已出动');
    await p.locator('select[name="filterStatus"]').selectOption({ label: '已出动' });
    await waitFor(
      async () => (await p.locator('.team-table tbody tr[data-team-id]').count()) === 1,
      10_000,
      'filter',
    );
    expect(await sidewaysScroll(p)).toEqual([]);
    await screenshot(p, 'teams');
  }, 120_000);

  it('exports the list as CSV and imports it back edited; a bad line is refused in Chinese', async () => {
    await p.locator('select[name="filterStatus"]').selectOption({ label: '全部' });
    const [download] = await Promise.all([
      p.waitForEvent('download'),
      p.getByRole('button', { name: '导出 CSV' }).click(),
    ]);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString('utf8');
    expect(csv).toContain('柳树村应急突击队,村级突击队,');
    const edited = csv.replace(',32,冲锋舟、救生衣,', ',35,冲锋舟、救生衣,');
    const input = p.locator('input[name="importCsv"]');
    await input.setInputFiles({ name: 'teams.csv', mimeType: 'text/csv', buffer: Buffer.from(edited) });
    await p.getByTestId('team-notice').filter({ hasText: '导入完成：新增 0 支，更新 1 支' }).waitFor();
    await p.locator('.team-table tbody tr', { hasText: '35 人' }).waitFor();

    const bad = edited.replace(',35,冲锋舟、救生衣,', ',20,冲锋舟、救生衣,');
    await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await p
      .getByRole('alert')
      .filter({ hasText: '第 2 行有误，未导入任何数据：第2行：村级突击队人数不少于30人' })
      .waitFor();
    expect(await p.locator('.team-table tbody tr', { hasText: '35 人' }).count()).toBe(1);
  }, 60_000);
});
