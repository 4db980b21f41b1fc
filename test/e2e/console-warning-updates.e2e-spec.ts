import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Api } from '../support/api.js';
import { axeViolations, launchChromium, loginThroughForm, screenshot } from '../support/browser.js';
import { adminLogin, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

const PASSWORD = 'password-123';
/** "12-07 16:00:00": how the console writes an instant, in Beijing time */
const shown = (iso: string) => {
  const t = new Date(Date.parse(iso) + 8 * 3600_000).toISOString();
  return `${t.slice(5, 10)} ${t.slice(11, 19)}`;
};

/**
 * A warning's update (变更) on the consoles (issue 19): the duty card and the dispatcher's
 * board show a validity the update moved, live, and a township the update added counts down
 * to its own 签收 deadline, not the one of the sites first published to.
 */
describe('console: a warning update moves the validity and adds a township', () => {
  let db: TestDatabase;
  let hub: HubProcess;
  let editor: { api: Api };
  let chief: { api: Api };
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const publish = async (headline: string) => {
    const created = await editor.api.post('/api/v1/warnings', {
      event: '森林火险',
      level: 'orange',
      headline,
      description: '气温高，湿度低。',
      instruction: '严禁野外用火。',
      areas: { regionCodes: ['330107001'] },
      onset: new Date(Date.now() + 3600_000).toISOString(),
      expires: new Date(Date.now() + 7200_000).toISOString(),
    });
    expect(created.status).toBe(201);
    const path = `/api/v1/warnings/${created.body.id as string}`;
    await editor.api.post(`${path}/submit`, {});
    expect((await chief.api.post(`${path}/approve`, {})).status).toBe(200);
    const published = await editor.api.post(`${path}/publish`, {});
    expect(published.status).toBe(200);
    return { path, directiveId: published.body.directiveId as string };
  };

  const page = async (username: string, landing: string): Promise<Page> => {
    const ctx = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    contexts.push(ctx);
    const p = await ctx.newPage();
    await loginThroughForm(p, hub.baseUrl, username, PASSWORD, landing);
    return p;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startHub(
      {
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: uniquePrefix(),
        JWT_SECRET: 'warning-updates-console-e2e-secret-0123456789',
        AUDIT_KEY: 'warning-updates-console-e2e-audit-key-012345',
        SFU_ENABLED: 'false',
      },
      'hub',
      180_000,
    );
    const admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const site = async (name: string, kind: string, parentId: string, regionCode: string) => {
      const res = await admin.post('/api/v1/sites', { name, kind, parentId, regionCode });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const county = await site('松林县应急指挥中心', 'command', rootId, '330107');
    const east = await site('松东镇', 'township', county, '330107001');
    const west = await site('松西乡', 'township', county, '330107002');
    editor = await createUser(admin, 'wuc-editor', 'dispatcher', county);
    chief = await createUser(admin, 'wuc-chief', 'commander', county);
    await createUser(admin, 'wuc-east', 'duty_officer', east);
    await createUser(admin, 'wuc-west', 'duty_officer', west);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
    await db?.drop();
  });

  it('the duty card and the board show the new validity live; the added township its own deadline', async () => {
    const { path, directiveId } = await publish('松林县森林火险橙色预警');
    const before = (await editor.api.get(`/api/v1/directives/${directiveId}`)).body as {
      ackBy: string;
      expiresAt: string;
    };

    const duty = await page('wuc-east', '/duty');
    const card = duty.locator(`[data-testid="inbox-item"][data-directive-id="${directiveId}"]`);
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getByTestId('valid-until').innerText()).toBe(shown(before.expiresAt));
    const board = await page('wuc-editor', '/board');
    await board.locator(`[data-testid="directive-link"][data-directive-id="${directiveId}"]`).click();
    const head = board.getByTestId('board-valid-until');
    await head.waitFor();
    expect(await head.innerText()).toContain(shown(before.expiresAt));

    // the township added now has its deadline from now: seconds after the others'
    await new Promise((r) => setTimeout(r, 2000));
    const later = new Date(Date.parse(before.expiresAt) + 3600_000).toISOString();
    const updated = await chief.api.post(`${path}/update`, {
      expires: later,
      areas: { regionCodes: ['330107001', '330107002'] },
    });
    expect(updated.status).toBe(201);

    // no reload: `directive.expiry` moves both screens
    await card.getByTestId('valid-until').filter({ hasText: '有效期已变更' }).waitFor({ timeout: 10_000 });
    expect(await card.getByTestId('valid-until').innerText()).toContain(shown(later));
    await board
      .getByTestId('board-valid-until')
      .filter({ hasText: shown(later) })
      .waitFor({ timeout: 10_000 });
    expect(await axeViolations(duty)).toEqual([]);
    await screenshot(duty, 'warning-update-duty-card');

    const own = (await editor.api.get(`/api/v1/directives/${directiveId}`)).body.recipients.find(
      (r: { siteName: string }) => r.siteName === '松西乡',
    ).ackDeadline as string;
    expect(Date.parse(own) - Date.parse(before.ackBy)).toBeGreaterThanOrEqual(1900);
    const west = await page('wuc-west', '/duty');
    const westCard = west.locator(`[data-testid="inbox-item"][data-directive-id="${directiveId}"]`);
    await westCard.waitFor({ timeout: 15_000 });
    const meta = await westCard.locator('dl.meta').innerText();
    expect(meta).toContain(shown(own));
    expect(meta).not.toContain(shown(before.ackBy));
    expect(meta).toContain(shown(later));
  }, 120_000);

  it("the board's list marks a site past due by its own deadline: the original township, not the one added later", async () => {
    const { path, directiveId } = await publish('松林县森林火险橙色预警（二）');
    const updated = await chief.api.post(`${path}/update`, {
      areas: { regionCodes: ['330107001', '330107002'] },
    });
    expect(updated.status).toBe(201);
    // the directive's own deadline (the first township's) has passed; the added township's,
    // counted from the update, is minutes ahead
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      await sql.query(`UPDATE directives SET ack_by = now() - interval '5 seconds' WHERE id = $1`, [
        directiveId,
      ]);
    } finally {
      await sql.end();
    }
    const view = (await editor.api.get(`/api/v1/directives/${directiveId}`)).body as {
      recipients: { siteName: string; ackDeadline: string }[];
    };
    const added = view.recipients.find((r) => r.siteName === '松西乡')!;
    expect(Date.parse(added.ackDeadline)).toBeGreaterThan(Date.now() + 60_000);

    const board = await page('wuc-editor', '/board');
    const link = board.locator(`[data-testid="directive-link"][data-directive-id="${directiveId}"]`);
    // one of the two waiting townships is past due (by the directive's ackBy, both would be)
    await board
      .locator(`[data-testid="directive-link"][data-directive-id="${directiveId}"][data-overdue="1"]`)
      .waitFor({ timeout: 15_000 });
    expect(await link.getByTestId('list-overdue').innerText()).toBe('1 超时');
    await link.click();
    await board.getByTestId('board-overdue').waitFor();
    expect(await board.getByTestId('board-overdue').innerText()).toContain('1 超时');
  }, 120_000);
});
