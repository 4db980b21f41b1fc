import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import {
  axeViolations,
  launchChromium,
  layoutProblems,
  loginThroughForm,
  overlapping,
  screenshot,
  sidewaysScroll,
  SIZES,
} from '../support/browser.js';
import { adminLogin, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

const PASSWORD = 'password-123';
const BOM = '\uFEFF';
/** Latin words a zh-CN user must not see (serials, phone numbers and dates are digits). */
const ENGLISH = /[A-Za-z]{3,}/;

/** A cluster of townships a few hundred metres apart: their names cannot all sit side by side. */
const CLUSTER: [string, string, number, number][] = [
  ['青山镇', '341122100', 31.42, 117.05],
  ['翟镇', '341122101', 31.418, 117.053],
  ['东岭镇', '341122104', 31.421, 117.056],
  ['西河镇', '341122105', 31.416, 117.049],
  ['南湖镇', '341122106', 31.3, 117.3],
  ['北塘镇', '341122107', 31.31, 117.29],
];

/** Parses CSV as RFC 4180 has it (quoted cells, doubled quotes, CRLF rows): to read back what was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

/** The map's names: none overlaps another, none covers another site's dot, all inside the drawing. */
async function mapProblems(page: Page, mapId: string): Promise<string[]> {
  return page.evaluate(`(() => {
    const map = document.querySelector('[data-testid="${mapId}"] svg');
    if (!map) return ['no map drawn'];
    const frame = map.getBoundingClientRect();
    const labels = [...map.querySelectorAll('[data-testid="map-label"]')].map((e) => ({ t: e.textContent, r: e.getBoundingClientRect() }));
    const dots = [...map.querySelectorAll('[data-testid="map-site"]')].map((e) => ({ t: e.dataset.siteName, r: e.getBoundingClientRect() }));
    const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const out = [];
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (l.r.left < frame.left - 0.5 || l.r.right > frame.right + 0.5 || l.r.top < frame.top - 0.5 || l.r.bottom > frame.bottom + 0.5) out.push('outside: ' + l.t);
      for (let j = i + 1; j < labels.length; j++) if (hit(l.r, labels[j].r)) out.push('labels overlap: ' + l.t + ' / ' + labels[j].t);
      for (const d of dots) if (d.t !== l.t && hit(l.r, d.r)) out.push('label covers a site: ' + l.t + ' / ' + d.t);
    }
    return out;
  })()`);
}

/** Export (CSV) and print, the county map, the bright theme and the #22 leftovers, in Debian's Chromium. */
describe('console: export and print, county map, bright theme', () => {
  let hub: HubProcess;
  let admin: Api;
  let dispatcher: Api;
  const site: Record<string, string> = {};
  let directiveId: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const newPage = async (
    size: { width: number; height: number } = SIZES[0],
    init?: string,
  ): Promise<Page> => {
    const ctx = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: size.width, height: size.height },
      acceptDownloads: true,
    });
    if (init) await ctx.addInitScript(init);
    contexts.push(ctx);
    return ctx.newPage();
  };
  const download = async (page: Page, testId: string): Promise<{ name: string; text: string }> => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    const bytes = readFileSync((await file.path())!);
    // the BOM is what makes Excel read UTF-8: check the bytes, not the decoded text
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    return { name: file.suggestedFilename(), text: bytes.toString('utf8') };
  };
  const printed = async (page: Page, name: string) => {
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, name);
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.getByTestId('print-head').isVisible()).toBe(true);
    // nothing cut off at the right edge of the paper
    expect(await sidewaysScroll(page)).toEqual([]);
    await page.emulateMedia({ media: 'screen' });
  };
  const bothThemes = async (page: Page, name: string) => {
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    await page.waitForTimeout(200);
    await screenshot(page, `${name}-bright`);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
  };

  beforeAll(async () => {
    hub = await startHub({}, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    for (const [name, regionCode, lat, lng] of CLUSTER) {
      const res = await admin.post('/api/v1/sites', {
        name,
        kind: 'township',
        parentId: rootId,
        regionCode,
        lat,
        lng,
        dutyPhone: `0551-66${regionCode.slice(-3)}00`,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ lat, lng, dutyPhone: `0551-66${regionCode.slice(-3)}00` });
      site[name] = res.body.id as string;
    }
    // placed later with PATCH, and one never placed: listed beside the map
    for (const [name, regionCode] of [
      ['柳河镇', '341122103'],
      ['白水乡', '341122102'],
    ] as const) {
      const res = await admin.post('/api/v1/sites', { name, kind: 'township', parentId: rootId, regionCode });
      expect(res.body).toMatchObject({ lat: null, lng: null, dutyPhone: null });
      site[name] = res.body.id as string;
    }
    const patched = await admin.request('PATCH', `/api/v1/sites/${site['柳河镇']}`, {
      lat: 31.2,
      lng: 117.35,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: '柳河镇', lat: 31.2, lng: 117.35 });
    dispatcher = (await createUser(admin, 'disp-export', 'dispatcher', rootId)).api;
    await createUser(admin, 'duty-liuhe', 'duty_officer', site['柳河镇']!);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('site coordinates and duty phones are validated, scoped and audited', async () => {
    const bad = await admin.request('PATCH', `/api/v1/sites/${site['白水乡']}`, { lat: 95, lng: 117 });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toContainEqual({ path: 'lat', message: 'must be -90..90' });
    const half = await admin.request('PATCH', `/api/v1/sites/${site['白水乡']}`, { lat: 31 });
    expect(half.status).toBe(400);
    const phone = await admin.request('PATCH', `/api/v1/sites/${site['白水乡']}`, {
      dutyPhone: '拨打值班室',
    });
    expect(phone.status).toBe(400);
    expect(phone.body.fields[0].path).toBe('dutyPhone');
    const notAllowed = await dispatcher.request('PATCH', `/api/v1/sites/${site['白水乡']}`, { name: 'x' });
    expect(notAllowed.status).toBe(403);
    const audit = (await admin.get(`/api/v1/audit?subjectId=${site['柳河镇']}`)).body as {
      action: string;
      data: { after: Record<string, unknown> };
    }[];
    expect(audit.find((e) => e.action === 'site.update')?.data.after).toEqual({ lat: 31.2, lng: 117.35 });
  });

  it('the board draws the recipients on the map (no overlapping names), shows duty phones and a reloaded no-leader warning, exports and prints the record', async () => {
    const issued = await dispatcher.post('/api/v1/directives', {
      title: '地图与导出',
      body: '请立即签收',
      level: 'red',
      targets: { siteIds: Object.values(site) },
      ackWithinSeconds: 2,
    });
    expect(issued.status).toBe(201);
    directiveId = issued.body.id as string;
    const ack = await dispatcher.post(`/api/v1/directives/${directiveId}/ack`, {
      siteId: site['青山镇'],
      method: 'phone',
      person: '王五',
      phone: '138 0000 1111',
      note: '=电话确认，已转达',
    });
    expect(ack.status).toBe(200);
    // the phone rule is the users' rule now: words are refused
    const badPhone = await dispatcher.post(`/api/v1/directives/${directiveId}/ack`, {
      siteId: site['翟镇'],
      method: 'phone',
      phone: '找王五',
    });
    expect(badPhone.status).toBe(400);
    // step 2 finds no leader on duty at 翟镇: the REST view says so from then on
    await waitFor(
      async () => {
        const d = (await dispatcher.get(`/api/v1/directives/${directiveId}`)).body as {
          recipients: { siteName: string; noLeader?: boolean }[];
        };
        return d.recipients.find((r) => r.siteName === '翟镇')?.noLeader === true;
      },
      30_000,
      'no leader recorded on the step',
    );

    for (const size of SIZES) {
      const page = await newPage(size);
      await loginThroughForm(page, hub.baseUrl, 'disp-export', PASSWORD, '/board');
      await page.getByTestId('directive-link').filter({ hasText: '地图与导出' }).click({ timeout: 10_000 });
      const map = page.getByTestId('board-map');
      await map
        .locator('[data-testid="map-site"][data-site-name="青山镇"][data-tone="ok"]')
        .waitFor()
        .catch(async (err: Error) => {
          await screenshot(page, `export-board-failed-${size.name}`);
          throw err;
        });
      await map.locator('[data-testid="map-site"][data-site-name="翟镇"][data-tone="flash"]').waitFor();
      expect(await map.getByTestId('map-site').count()).toBe(CLUSTER.length + 1);
      // 白水乡 has no coordinates: listed beside the map with its state
      const listed = map.locator('[data-testid="map-list-item"][data-site-name="白水乡"]');
      expect(await listed.getAttribute('data-tone')).toBe('flash');
      expect(await listed.textContent()).toContain('超时未签收');
      expect(await mapProblems(page, 'board-map')).toEqual([]);
      // every site is either named on the map or listed beside it
      const named = await map.getByTestId('map-label').count();
      const beside = await map.getByTestId('map-list-item').count();
      expect(named + beside).toBe(CLUSTER.length + 2);
      const rowQ = page.locator('[data-testid="recipient-row"][data-site-name="青山镇"]');
      expect(await rowQ.getByTestId('duty-phone').textContent()).toBe('☎ 0551-6610000');
      // a page loaded after the step: the warning comes from the server's record, not a live event
      const rowZ = page.locator('[data-testid="recipient-row"][data-site-name="翟镇"]');
      expect(await rowZ.getByTestId('no-leader').count()).toBe(1);
      await screenshot(page, `export-board-${size.name}`);
      expect(
        await layoutProblems(
          page,
          '.board-head header > *, .board-head .head-progress > *, .site-map figcaption > *, .map-canvas, .map-list li',
          '.map-list li, .board-grid th',
        ),
      ).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      expect(await page.locator('main').innerText()).not.toMatch(ENGLISH);
      if (size.name !== 'desktop') continue;

      const { name, text } = await download(page, 'record-out-csv');
      expect(name).toMatch(/^签收记录-.*\.csv$/);
      const [head, ...rows] = parseCsv(text.slice(BOM.length));
      expect(head!.slice(0, 6)).toEqual(['指令编号', '指令标题', '单位', '行政区划代码', '值班电话', '状态']);
      expect(rows.map((r) => r[2])).toEqual([
        '青山镇',
        '翟镇',
        '白水乡',
        '柳河镇',
        '东岭镇',
        '西河镇',
        '南湖镇',
        '北塘镇',
      ]);
      const q = rows[0]!;
      const col = (h: string) => head!.indexOf(h);
      expect([q[col('签收方式')], q[col('代签方式')], q[col('代签人')], q[col('代签人电话')]]).toEqual([
        '代签收',
        '电话',
        '王五',
        '138 0000 1111',
      ]);
      expect(q[col('代签备注')]).toBe("'=电话确认，已转达");
      expect(q[col('签收操作人')]).toBe('disp-export');
      expect(rows[1]![col('超时')]).toBe('是');

      await printed(page, 'export-board-print');
      await bothThemes(page, 'export-board');
    }
  }, 240_000);

  it('the terminals page maps sites by terminal state and exports and prints the list', async () => {
    const made = await admin.post('/api/v1/terminals', {
      name: '青山镇广播',
      siteId: site['青山镇'],
      kind: 'push',
    });
    expect(made.status).toBe(201);
    const page = await newPage();
    await loginThroughForm(page, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
    await page.getByRole('link', { name: '终端与电台' }).click();
    const map = page.getByTestId('terminals-map');
    await map.locator('[data-testid="map-site"][data-site-name="青山镇"][data-tone="alert"]').waitFor();
    expect(
      await map.locator('[data-testid="map-site"][data-site-name="南湖镇"]').getAttribute('data-tone'),
    ).toBe('idle');
    expect(await mapProblems(page, 'terminals-map')).toEqual([]);
    const { text } = await download(page, 'terminals-out-csv');
    const [head, row] = parseCsv(text.slice(BOM.length));
    expect(head).toEqual([
      '终端名称',
      '单位',
      '类型',
      '在线状态',
      '电量(%)',
      '供电',
      '链路',
      '最后在线',
      '需关注',
    ]);
    expect(row!.slice(0, 4)).toEqual(['青山镇广播', '青山镇', '一呼百应终端', '未上线']);
    await screenshot(page, 'export-terminals');
    expect(
      await layoutProblems(page, '.site-map figcaption > *, .map-canvas, .map-list li', '.map-list li'),
    ).toEqual([]);
    for (const size of SIZES.slice(1)) {
      await page.setViewportSize(size);
      await page.waitForTimeout(300);
      expect(await mapProblems(page, 'terminals-map')).toEqual([]);
      expect(
        await layoutProblems(page, '.site-map figcaption > *, .map-canvas, .map-list li', '.map-list li'),
      ).toEqual([]);
      await screenshot(page, `export-terminals-${size.name}`);
    }
    await page.setViewportSize(SIZES[0]);
    await printed(page, 'export-terminals-print');
    await bothThemes(page, 'export-terminals');
  }, 120_000);

  it('the audit log exports every entry matching its filters, with the 代签收 record, and prints them', async () => {
    const page = await newPage();
    await loginThroughForm(page, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
    await page.getByLabel('类别').selectOption({ label: '代签收' });
    await page.getByTestId('audit-row').first().waitFor();
    const { text } = await download(page, 'audit-out-csv');
    const [head, ...rows] = parseCsv(text.slice(BOM.length));
    expect(head).toEqual(['序号', '时间', '事件', '操作人', '动作代码', '哈希']);
    expect(rows).toHaveLength(1);
    expect(rows[0]![2]).toContain('电话代签 · 王五 · 138 0000 1111');
    expect(rows[0]![4]).toBe('directive.ack');
    expect(await page.getByTestId('audit-exported').textContent()).toContain('1');
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByTestId('audit-print-filters').textContent()).toContain('代签收');
    await page.emulateMedia({ media: 'screen' });
    await printed(page, 'export-audit-print');
    await bothThemes(page, 'export-audit');
  }, 120_000);

  it('the bright theme is remembered across a reload', async () => {
    const page = await newPage(SIZES[2]);
    await loginThroughForm(page, hub.baseUrl, 'disp-export', PASSWORD, '/board');
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await page.getByTestId('theme-toggle').click();
    await page.reload();
    await page.locator('[data-testid="conn-state"][data-state="online"]').waitFor();
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    expect(await page.getByTestId('theme-toggle').getAttribute('aria-pressed')).toBe('true');
    expect(await page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).toBe(
      'rgb(238, 242, 246)',
    );
    await screenshot(page, 'export-bright-phone');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('a consultation invitation arrives live with a tone, long before the fallback poll', async () => {
    const page = await newPage(SIZES[2]);
    await loginThroughForm(page, hub.baseUrl, 'duty-liuhe', PASSWORD, '/duty');
    // let the first poll pass: what shows next can only have come over the socket
    await page.waitForTimeout(1500);
    expect(await page.getByTestId('consult-invite').count()).toBe(0);
    const started = Date.now();
    const res = await dispatcher.post('/api/v1/consultations', {
      title: '防汛会商',
      siteIds: [site['柳河镇']],
    });
    expect(res.status).toBe(201);
    await page.getByTestId('consult-invite').filter({ hasText: '防汛会商' }).waitFor({ timeout: 10_000 });
    // the poll is 30 s: within 10 s it was the socket event
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(
      Number(await page.evaluate('document.documentElement.dataset.inviteTones')),
    ).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'export-invitation-phone');
    expect(await overlapping(page, '.consult-invite button, .consult-invite-text')).toEqual([]);
  });

  it('after a fresh login the duty page asks for OS notifications at 「点击进入值守」', async () => {
    // headless Chromium answers "denied" by itself; a browser that was never asked says "default"
    const page = await newPage(
      SIZES[0],
      `
      window.__asked = 0;
      class AskedNotification {
        static permission = 'default';
        static requestPermission() { window.__asked += 1; AskedNotification.permission = 'granted'; return Promise.resolve('granted'); }
        constructor() {}
        close() {}
      }
      window.Notification = AskedNotification;
    `,
    );
    await loginThroughForm(page, hub.baseUrl, 'duty-liuhe', PASSWORD, '/duty', { enterDuty: false });
    const gate = page.getByTestId('duty-gate');
    await gate.waitFor();
    expect(await page.evaluate('window.__asked')).toBe(0);
    await page.getByRole('button', { name: '点击进入值守' }).click();
    await gate.waitFor({ state: 'detached' });
    expect(await page.evaluate('window.__asked')).toBe(1);
  });
});
