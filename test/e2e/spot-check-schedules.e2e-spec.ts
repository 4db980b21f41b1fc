import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Api } from '../support/api.js';
import { axeViolations, launchChromium, loginThroughForm, screenshot, SIZES } from '../support/browser.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

const PASSWORD = 'password-123';

interface ScheduleView {
  id: string;
  times: string[];
  randomPerDay: { count: number; between: [string, string] } | null;
  sample: { count: number };
  windowSeconds: number;
  channels: string[];
  drill: boolean;
  active: boolean;
}

/**
 * 定时查岗 in the console of the built hub (embedded mode): a dispatcher lists the
 * schedules, creates one (fixed times, or random times inside a daily window) and disables
 * one, in zh-CN, at the three sizes, axe clean; what the page did is checked on the API.
 */
describe('spot-check schedules in the console', () => {
  let hub: HubProcess;
  let admin: Api;
  let dispatcher: { id: string; api: Api; token: string };
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const page = async (size: { width: number; height: number }): Promise<Page> => {
    const ctx = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: size.width, height: size.height },
      hasTouch: size.width < 500,
      isMobile: size.width < 500,
    });
    contexts.push(ctx);
    const p = await ctx.newPage();
    await loginThroughForm(p, hub.baseUrl, 'sched-e2e-dispatcher', PASSWORD, '/board');
    await p.goto(`${hub.baseUrl}/spot-checks`);
    await p.getByRole('tab', { name: '定时查岗' }).click();
    await p.getByTestId('spotcheck-schedules').waitFor();
    return p;
  };
  const schedules = async () =>
    (await dispatcher.api.get<ScheduleView[]>('/api/v1/spot-checks/schedules')).body;
  const noHorizontalScroll = async (p: Page) =>
    expect(await p.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);

  beforeAll(async () => {
    hub = await startHub({ SFU_ENABLED: 'false' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const county = await createSite(admin, '定时县', 'command', root);
    for (const name of ['甲镇', '乙镇', '丙镇']) await createSite(admin, name, 'township', county);
    dispatcher = await createUser(admin, 'sched-e2e-dispatcher', 'dispatcher', county);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('the disable endpoint is in the OpenAPI document', async () => {
    const spec = await admin.get<{ paths: Record<string, unknown> }>('/api/docs/openapi.json');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/spot-checks/schedules', '/api/v1/spot-checks/schedules/{id}/disable']),
    );
  });

  for (const [i, size] of SIZES.entries()) {
    it(`creates a schedule, lists it and disables it, in Chinese, accessible (${size.name})`, async () => {
      const p = await page(size);
      const panel = p.getByTestId('spotcheck-schedules');
      const before = new Set((await schedules()).map((x) => x.id));
      // fixed times on the desktop and the phone, random times on the tablet
      const random = size.name === 'tablet';
      if (random) {
        await p.getByLabel('每天随机时间').check();
        await p.getByLabel('每天随机次数').fill('3');
        await p.getByLabel('随机时段开始').fill('09:00');
        await p.getByLabel('随机时段结束').fill('17:30');
      } else {
        // a wrong time is caught before it is sent, in Chinese
        await p.getByLabel(/^固定时间/).fill('25:00');
        await p.getByRole('button', { name: '新建定时查岗' }).click();
        expect(await panel.getByRole('alert').innerText()).toBe('请按 时:分 填写时间，如 09:30');
        await p.getByLabel(/^固定时间/).fill(`9:3${i}，15:00`);
      }
      await p.getByLabel('每次抽查乡镇数量').fill('2');
      await p.getByLabel('应答时限（秒）').fill('120');
      await p.getByLabel('视频点名').check();
      await p.getByLabel('演练').check();
      await p.getByRole('button', { name: '新建定时查岗' }).click();
      await panel.getByRole('status').waitFor();
      expect(await panel.getByRole('status').innerText()).toBe('已新建定时查岗');

      const created = (await schedules()).filter((x) => !before.has(x.id));
      expect(created).toHaveLength(1);
      const made = created[0]!;
      expect(made).toMatchObject({
        sample: { count: 2 },
        windowSeconds: 120,
        channels: ['console', 'terminal', 'video'],
        drill: true,
        active: true,
        ...(random
          ? { times: [], randomPerDay: { count: 3, between: ['09:00', '17:30'] } }
          : { times: [`09:3${i}`, '15:00'], randomPerDay: null }),
      });
      const row = p.locator(`tr[data-schedule-id="${made.id}"]`);
      await row.waitFor();
      expect(await row.innerText()).toContain(
        random ? '每天随机 3 次（09:00–17:30）' : `每天 09:3${i}、15:00`,
      );
      expect(await row.locator('td[data-label="演练"]').innerText()).toBe('是');
      // zh-CN first: no English word reaches the page
      expect(await panel.innerText()).not.toMatch(/[A-Za-z]{2,}/);
      await noHorizontalScroll(p);
      expect(await axeViolations(p)).toEqual([]);
      await screenshot(p, `spotcheck-schedules-${size.name}`);

      await row.getByRole('button', { name: '停用' }).click();
      await row.waitFor({ state: 'detached' });
      expect(await panel.getByRole('status').innerText()).toBe('已停用定时查岗');
      expect((await schedules()).map((x) => x.id)).not.toContain(made.id);
      // the server agrees it is gone for good: a second disable is refused
      const again = await dispatcher.api.post(`/api/v1/spot-checks/schedules/${made.id}/disable`);
      expect(again.status).toBe(409);
      expect(await axeViolations(p)).toEqual([]);
    }, 90_000);
  }
});
