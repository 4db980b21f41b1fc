import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import {
  axeViolations,
  launchChromium,
  loginThroughForm,
  overlapping,
  screenshot,
  SIZES,
} from '../support/browser.js';
import { adminLogin, createSite, createUser, openConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

/** The browser's, inside evaluate callbacks (this file is typed for Node, without the DOM). */
declare const getComputedStyle: (e: unknown) => Record<string, string>;

const PASSWORD = 'password-123';

/**
 * Records OS notifications and wake-lock requests: headless Chromium shows neither, and a
 * test must see that the page asked. A string, so this Node-typed file needs no DOM types.
 */
const RECORDERS = `
  window.__notes = [];
  window.__wakeLocks = 0;
  class RecordedNotification {
    static permission = 'granted';
    static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, options) { window.__notes.push(title + ' | ' + (options && options.body)); }
    close() {}
  }
  window.Notification = RecordedNotification;
  Object.defineProperty(navigator, 'wakeLock', {
    configurable: true,
    value: { request() { window.__wakeLocks += 1; return Promise.resolve({ released: false, release: () => Promise.resolve() }); } },
  });
`;

/** The duty room (值班台) as a township's officer uses it, at the three sizes of issue 22. */
describe('duty console', () => {
  let hub: HubProcess;
  let admin: Api;
  let rootId: string;
  let dispatcher: Api;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let n = 0;

  /** A township of its own and its duty officer, so tests never see each other's directives. */
  const township = async (name: string) => {
    n += 1;
    const siteId = await createSite(admin, name, 'township', rootId);
    const username = `duty-${n}`;
    const officer = await createUser(admin, username, 'duty_officer', siteId);
    return { siteId, username, officer };
  };
  const issue = async (siteId: string, body: Record<string, unknown>) => {
    const res = await dispatcher.post('/api/v1/directives', {
      body: '请立即组织人员转移。',
      level: 'red',
      targets: { siteIds: [siteId] },
      ...body,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const dutyPage = async (
    username: string,
    size: { width: number; height: number } = SIZES[0],
  ): Promise<Page> => {
    const ctx = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: size.width, height: size.height },
      hasTouch: size.width < 500,
      isMobile: size.width < 500,
    });
    contexts.push(ctx);
    await ctx.addInitScript(RECORDERS);
    const page = await ctx.newPage();
    await loginThroughForm(page, hub.baseUrl, username, PASSWORD, '/duty');
    return page;
  };
  const card = (page: Page, id: string) =>
    page.locator(`[data-testid="inbox-item"][data-directive-id="${id}"]`);
  const expectAccessible = async (page: Page) => expect(await axeViolations(page)).toEqual([]);
  /** No English reaches a zh-CN user: the raw network error least of all. */
  const expectNoEnglish = async (page: Page) => {
    expect(await page.locator('main').innerText()).not.toMatch(/Failed to fetch|[A-Za-z]{3,}/);
  };
  /** Visible boxes of the page's main blocks must not overlap one another. */
  const expectNoOverlap = async (page: Page) => {
    expect(
      await overlapping(page, '.duty-banner, .inbox > h2, [data-testid="inbox-item"], .history'),
    ).toEqual([]);
  };

  beforeAll(async () => {
    // generous: on a loaded CI machine the hub's embedded Postgres alone can take a minute
    hub = await startHub({}, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const res = await admin.post('/api/v1/users', {
      username: 'disp-duty',
      password: PASSWORD,
      role: 'dispatcher',
      siteId: rootId,
      displayName: '王调度',
      phone: '0571-88886666',
    });
    expect(res.status).toBe(201);
    expect(res.body.phone).toBe('0571-88886666');
    dispatcher = await new Api(hub.baseUrl).login('disp-duty', PASSWORD);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  for (const size of SIZES) {
    it(`a reloaded duty page starts behind 「点击进入值守」 and shows a red banner until sound is on (${size.name})`, async () => {
      const { siteId, username } = await township(`重载镇${size.name}`);
      const id = await issue(siteId, { title: '重载后的红色预警', ackWithinSeconds: 900 });
      const page = await dutyPage(username, size);
      await card(page, id).waitFor();
      // nothing wider than the screen: on a phone the page would zoom out and overlap
      const wide = await page.evaluate(`[...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('.history-scroll') && e.getBoundingClientRect().right > ${size.width} + 1)
        .map((e) => e.tagName + '.' + e.className).slice(0, 5)`);
      expect(wide).toEqual([]);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(size.width);
      await page.reload();
      const gate = page.getByTestId('duty-gate');
      await gate.waitFor();
      // the gate covers the whole screen, so nothing can be used while the alarm is silent
      const box = await gate.boundingBox();
      expect(box).toMatchObject({ x: 0, y: 0, width: size.width, height: size.height });
      expect(await page.getByTestId('duty-banner').textContent()).toContain('报警声音未开启');
      await screenshot(page, `duty-gate-${size.name}`);
      await page.getByRole('button', { name: '点击进入值守' }).click();
      await gate.waitFor({ state: 'detached' });
      await page.getByTestId('duty-banner').waitFor({ state: 'detached' });
      await card(page, id).waitFor();
      expect(await page.evaluate('window.__wakeLocks')).toBeGreaterThanOrEqual(1);
      await waitFor(
        async () => (await page.evaluate('document.documentElement.dataset.alarm')) === 'red',
        5000,
        'red alarm after entering',
      );
      await waitFor(async () => (await page.title()).includes('【新指令】'), 5000, 'blinking title');
      if (size.width < 500) {
        const bar = page.getByTestId('duty-ackbar');
        expect(await bar.evaluate((e) => getComputedStyle(e).position)).toBe('fixed');
        const barBox = (await bar.boundingBox())!;
        expect(barBox.y + barBox.height).toBeLessThanOrEqual(size.height + 1);
      } else {
        expect(await page.getByTestId('duty-ackbar').isVisible()).toBe(false);
      }
      await screenshot(page, `duty-entered-${size.name}`);
      await expectNoOverlap(page);
      await expectNoEnglish(page);
      await expectAccessible(page);
    });
  }

  it('sorts by urgency: overdue red first (countdown in red), then unsigned by level, then 反馈-only; the badge counts only unsigned', async () => {
    const { siteId, username, officer } = await township('排序镇');
    const feedbackOnly = await issue(siteId, { title: '只待反馈', level: 'red', ackWithinSeconds: 900 });
    expect((await officer.api.post(`/api/v1/directives/${feedbackOnly}/ack`, {})).status).toBe(200);
    const overdue = await issue(siteId, { title: '已超时红色', level: 'red', ackWithinSeconds: 1 });
    const yellow = await issue(siteId, { title: '黄色提示', level: 'yellow', ackWithinSeconds: 900 });
    const orange = await issue(siteId, { title: '较新的橙色', level: 'orange', ackWithinSeconds: 900 });
    const page = await dutyPage(username);
    await card(page, feedbackOnly).waitFor();
    await card(page, yellow).waitFor();
    await page.locator(`[data-testid="inbox-item"][data-directive-id="${overdue}"].overdue`).waitFor();
    const order = await page
      .getByTestId('inbox-item')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-directive-id')));
    expect(order).toEqual([overdue, orange, yellow, feedbackOnly]);
    expect(await page.getByTestId('ack-count').textContent()).toBe('3');
    const countdown = card(page, overdue).getByTestId('countdown');
    expect(await countdown.evaluate((e) => getComputedStyle(e).color)).toBe('rgb(255, 107, 112)');
    expect(
      await card(page, orange)
        .getByTestId('countdown')
        .evaluate((e) => getComputedStyle(e).color),
    ).not.toBe('rgb(255, 107, 112)');
    await screenshot(page, 'duty-urgency');
    await expectAccessible(page);
  });

  it('a 签收 pressed offline is shown as 「待发送」, kept across the tab, and recorded once the link returns', async () => {
    const { siteId, username } = await township('断网镇');
    const id = await issue(siteId, { title: '断网时签收', ackWithinSeconds: 900 });
    const page = await dutyPage(username);
    await card(page, id).waitFor();
    await page.context().setOffline(true);
    await page.locator('[data-testid="conn-state"][data-state="offline"]').waitFor();
    const banner = page.getByTestId('duty-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('连接已断开');
    // the tone for a dropped link played
    expect(
      Number(await page.evaluate('document.documentElement.dataset.linkTones ?? 0')),
    ).toBeGreaterThanOrEqual(1);

    await card(page, id).getByRole('button', { name: '签收' }).click();
    await card(page, id).getByTestId('queued').waitFor();
    expect(await card(page, id).getAttribute('data-queued')).toBe('true');
    expect(await page.evaluate(`sessionStorage.getItem('yihu.duty.pendingAcks')`)).toContain(id);
    expect(await page.locator('body').innerText()).not.toMatch(/Failed to fetch|错误/);
    await screenshot(page, 'duty-offline-queued');
    await expectNoEnglish(page);

    await page.context().setOffline(false);
    await page.locator('[data-testid="conn-state"][data-state="online"]').waitFor({ timeout: 15_000 });
    await page
      .locator(`[data-testid="inbox-item"][data-directive-id="${id}"][data-state="acknowledged"]`)
      .waitFor({ timeout: 10_000 });
    const view = (await dispatcher.get(`/api/v1/directives/${id}`)).body as {
      recipients: { siteId: string; state: string }[];
    };
    expect(view.recipients.find((r) => r.siteId === siteId)?.state).toBe('acknowledged');
    expect(await page.evaluate(`sessionStorage.getItem('yihu.duty.pendingAcks')`)).toBeNull();
    expect(await page.getByTestId('queued').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toMatch(/Failed to fetch|错误/);
  });

  it('a 签收 queued offline survives a reload of the tab and is sent when the page comes back online', async () => {
    const { siteId, username } = await township('重载断网镇');
    const id = await issue(siteId, { title: '断网后重载', ackWithinSeconds: 900 });
    const page = await dutyPage(username);
    await card(page, id).waitFor();
    await page.context().setOffline(true);
    await page.locator('[data-testid="conn-state"][data-state="offline"]').waitFor();
    await card(page, id).getByRole('button', { name: '签收' }).click();
    await card(page, id).getByTestId('queued').waitFor();
    // the reload fails without a network; the tab's storage keeps the queue meanwhile
    await page.reload().catch(() => undefined);
    await page.context().setOffline(false);
    await page.goto(`${hub.baseUrl}/duty`);
    await page.getByRole('button', { name: '点击进入值守' }).click();
    await page
      .locator(`[data-testid="inbox-item"][data-directive-id="${id}"][data-state="acknowledged"]`)
      .waitFor({ timeout: 15_000 });
    const view = (await dispatcher.get(`/api/v1/directives/${id}`)).body as {
      recipients: { siteId: string; state: string }[];
    };
    expect(view.recipients.find((r) => r.siteId === siteId)?.state).toBe('acknowledged');
    expect(await page.evaluate(`sessionStorage.getItem('yihu.duty.pendingAcks')`)).toBeNull();
  });

  it('shows the issuer and a call-back number, notifies, tells the township it was escalated, and 签收s with Enter', async () => {
    const { siteId, username, officer } = await township('升级镇');
    const page = await dutyPage(username);
    const id = await issue(siteId, { title: '请回电确认', level: 'orange', ackWithinSeconds: 900 });
    const c = card(page, id);
    await c.getByTestId('issuer').waitFor();
    expect(await c.getByTestId('issuer').textContent()).toBe('王调度');
    expect(await c.getByRole('link', { name: '0571-88886666' }).getAttribute('href')).toBe(
      'tel:0571-88886666',
    );
    await waitFor(
      async () => ((await page.evaluate('window.__notes')) as string[]).some((s) => s.includes('请回电确认')),
      5000,
      'an OS notification for the new directive',
    );

    const siteConsole = await openConsole(hub.baseUrl, officer.token);
    const seen: { siteId: string; step: string }[] = [];
    siteConsole.socket.on('directive.escalated', (p: { siteId: string; step: string }) => seen.push(p));
    const esc = await dispatcher.post(`/api/v1/directives/${id}/escalate`, { siteId });
    expect(esc.status).toBe(200);
    await c.getByTestId('escalated').waitFor({ timeout: 10_000 });
    expect(await c.getByTestId('escalated').textContent()).toBe('超时未签收：已重发');
    await waitFor(async () => seen.length > 0, 10_000, 'directive.escalated to the site room');
    expect(seen[0]).toMatchObject({ siteId, step: 'redeliver' });
    siteConsole.close();
    await waitFor(
      async () => ((await page.evaluate('window.__notes')) as string[]).some((s) => s.includes('已升级')),
      5000,
      'an OS notification for the escalation',
    );
    await screenshot(page, 'duty-escalated');
    await expectAccessible(page);

    await c.focus();
    await page.keyboard.press('Enter');
    await page
      .locator(`[data-testid="inbox-item"][data-directive-id="${id}"][data-state="acknowledged"]`)
      .waitFor({ timeout: 5000 });
  });

  it('history is live, has a 演练 column, reads 已办结 after 反馈, and never wraps a cell one character per line', async () => {
    const { siteId, username } = await township('历史镇');
    const page = await dutyPage(username, SIZES[2]);
    const drill = await issue(siteId, {
      title: '演练：防汛转移',
      level: 'blue',
      drill: true,
      ackWithinSeconds: 900,
    });
    await page.getByTestId('history-row').filter({ hasText: '演练：防汛转移' }).waitFor({ timeout: 5000 });
    const c = card(page, drill);
    await c.getByRole('button', { name: '签收' }).click();
    await c.getByLabel('反馈内容').fill('已转移 12 人');
    await c.getByRole('button', { name: '提交反馈' }).click();
    const row = page.getByTestId('history-row').filter({ hasText: '演练：防汛转移' });
    await waitFor(
      async () => (await row.getByTestId('history-state').textContent()) === '已办结',
      5000,
      '已办结',
    );
    expect(await page.getByRole('columnheader', { name: '演练' }).count()).toBe(1);
    expect(await row.getAttribute('data-drill')).toBe('true');
    const cells = await page.locator('.history th, .history td:not(.title-cell)').evaluateAll((els) =>
      els.map((e) => ({
        text: e.textContent ?? '',
        h: e.getBoundingClientRect().height,
        lh: parseFloat(getComputedStyle(e).lineHeight) || 20,
      })),
    );
    for (const cell of cells.filter((x) => x.text.length > 1))
      expect({ text: cell.text, wrapped: cell.h > cell.lh * 2 + 16 }).toEqual({
        text: cell.text,
        wrapped: false,
      });
    await screenshot(page, 'duty-history-phone');
    await expectNoEnglish(page);
    await expectAccessible(page);
  });
});
