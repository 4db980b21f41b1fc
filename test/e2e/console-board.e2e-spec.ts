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
  sidewaysScroll,
  SIZES,
} from '../support/browser.js';
import { adminLogin, createUser, openConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

const PASSWORD = 'password-123';
/** Latin letters a zh-CN user must not see (the serial's digits and dashes are fine). */
const ENGLISH = /[A-Za-z]{3,}/;

async function createCodedSite(
  admin: Api,
  name: string,
  regionCode: string,
  parentId: string,
): Promise<string> {
  const res = await admin.post('/api/v1/sites', { name, kind: 'township', parentId, regionCode });
  if (res.status !== 201) throw new Error(`create site ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** The board's text boxes: header, list entries, queue entries, the grid's header cells. */
const BOARD_BOXES =
  '.board-head header > *, .board-head .head-progress > *, .board-list li, .overdue-queue li, .board-bar > *, .board-grid tr:first-child > *';

/**
 * Nothing spills out of the page sideways, no two of the board's text boxes overlap
 * (shared checks, test/support/browser.ts), and the board's own: nothing sticks out of a
 * grid cell, no squeezed cell, no wrapped badge. Returns what was found, for the message.
 */
async function layoutProblems(page: Page): Promise<string[]> {
  const own = (await page.evaluate(`(() => {
    const problems = [];
    for (const cell of document.querySelectorAll('.board-grid td, .board-grid th')) {
      if (cell.offsetParent === null) continue;
      const c = cell.getBoundingClientRect();
      for (const child of cell.querySelectorAll('button, span, small')) {
        const r = child.getBoundingClientRect();
        if (r.width && (r.right > c.right + 1 || r.left < c.left - 1)) problems.push('spills out of its cell: ' + (child.textContent || '').slice(0, 20));
      }
      if (cell.scrollWidth > cell.clientWidth + 1) problems.push('text runs out of its cell: ' + cell.textContent);
      // one character per line: a cell far taller than it is wide, holding text
      if ((cell.textContent || '').trim().length > 3 && c.width < 40) problems.push('squeezed cell: ' + cell.textContent);
    }
    for (const badge of document.querySelectorAll('.triage .badge')) {
      if (badge.offsetParent === null) continue;
      const r = badge.getBoundingClientRect();
      const line = parseFloat(getComputedStyle(badge).fontSize) * 1.8;
      if (r.height > line) problems.push('badge wraps: ' + badge.textContent);
    }
    return problems;
  })()`)) as string[];
  return [
    ...(await sidewaysScroll(page)),
    ...(await overlapping(page, BOARD_BOXES, 2)).map((p) => `overlap: ${p}`),
    ...own,
  ];
}

/** The dispatcher's board (调度台) for triage, in Debian's Chromium against a built hub. */
describe('console board (调度台)', () => {
  let hub: HubProcess;
  let admin: Api;
  let dispatcher: Awaited<ReturnType<typeof createUser>>;
  let colleague: Awaited<ReturnType<typeof createUser>>;
  let dutyZ: Awaited<ReturnType<typeof createUser>>;
  let townQ: string;
  let townZ: string;
  let townB: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const newPage = async (size: { width: number; height: number } = SIZES[0]): Promise<Page> => {
    const ctx = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: size.width, height: size.height },
    });
    contexts.push(ctx);
    return ctx.newPage();
  };

  beforeAll(async () => {
    // a shared test machine can be slow to boot a hub
    hub = await startHub({}, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    // region-code order (青山, 翟, 白水) is neither pinyin nor code-point order
    townQ = await createCodedSite(admin, '青山镇', '341122100', rootId);
    townZ = await createCodedSite(admin, '翟镇', '341122101', rootId);
    townB = await createCodedSite(admin, '白水乡', '341122102', rootId);
    dispatcher = await createUser(admin, 'disp-board', 'dispatcher', rootId);
    colleague = await createUser(admin, 'disp-colleague', 'dispatcher', rootId);
    dutyZ = await createUser(admin, 'duty-z', 'duty_officer', townZ);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('an escalation is seen and heard on the board within 1 s, stands in the 超时未签收 queue with its named step, and "no leader on duty" shows', async () => {
    const board = await newPage();
    await loginThroughForm(board, hub.baseUrl, 'disp-board', PASSWORD, '/board');
    // the login click unlocked the sound: no "sound off" warning
    expect(await board.getByTestId('board-sound-off').count()).toBe(0);

    // a short deadline: the first step (re-send) falls due 2 s after issue
    const issued = await dispatcher.api.post('/api/v1/directives', {
      title: '叫应测试',
      body: '请立即签收',
      level: 'red',
      targets: { siteIds: [townQ] },
      ackWithinSeconds: 2,
    });
    expect(issued.status).toBe(201);
    const id = issued.body.id as string;
    // the new directive appears without a reload or a poll
    await board
      .locator(`[data-testid="directive-link"][data-directive-id="${id}"]`)
      .waitFor({ timeout: 3000 });

    const delays: Record<string, number> = {};
    for (const step of ['redeliver', 'notify_leader', 'escalate_parent']) {
      const toast = board.locator(`[data-testid="escalation-toast"][data-step="${step}"]`);
      await toast.waitFor({ timeout: 20_000 });
      const at = Date.parse((await toast.getAttribute('data-at'))!);
      const shownAt = Number(await toast.getAttribute('data-shown-at'));
      delays[step] = shownAt - at;
    }
    // the hub and the browser share this machine's clock
    for (const [step, ms] of Object.entries(delays)) {
      expect({ step, ms, within1s: ms < 1000 }).toEqual({ step, ms, within1s: true });
    }
    // heard: one chime per step
    expect(Number(await board.evaluate('document.documentElement.dataset.chimes'))).toBeGreaterThanOrEqual(3);

    const step2 = board.locator('[data-testid="escalation-toast"][data-step="notify_leader"]');
    expect(await step2.textContent()).toContain('已通知带班领导');
    expect(await step2.textContent()).toContain('无带班领导');
    expect(
      await board.locator('[data-testid="escalation-toast"][data-step="redeliver"]').textContent(),
    ).toContain('青山镇 超时未签收 · 已重发');

    const item = board.locator('[data-testid="queue-item"][data-site-name="青山镇"]');
    await waitFor(
      async () => (await item.getByTestId('queue-step').textContent()) === '已上报上级',
      5000,
      'queue shows the last step',
    );
    expect(await item.getByTestId('queue-no-leader').count()).toBe(1);
    const link = board.locator(`[data-testid="directive-link"][data-directive-id="${id}"]`);
    expect(await link.getByTestId('list-acked').textContent()).toBe('0/1');
    expect(await link.getByTestId('list-overdue').textContent()).toBe('1 超时');

    await item.getByRole('button').click();
    const row = board.locator('[data-testid="recipient-row"][data-site-name="青山镇"]');
    expect(await row.getByTestId('escalation-step').textContent()).toContain('已上报上级');
    expect(await row.getAttribute('data-overdue')).toBe('true');
    expect(await board.getByTestId('board-overdue').textContent()).toContain('1 超时');
    await screenshot(board, 'board-escalation-1440');
    expect(await axeViolations(board)).toEqual([]);
    expect(await board.locator('main').innerText()).not.toMatch(ENGLISH);

    // a reload keeps the warning: it comes from the step's record, not only the live event
    await board.reload();
    await item.getByTestId('queue-no-leader').waitFor({ timeout: 10_000 });
  }, 60_000);

  it('compose in a drawer that resets, the count in the confirmation, region-code order, 续发 and 撤销, a colleague\u2019s directive live', async () => {
    const board = await newPage();
    await loginThroughForm(board, hub.baseUrl, 'disp-board', PASSWORD, '/board');
    const drawer = board.getByRole('dialog', { name: '下发指令' });
    expect(await drawer.isVisible()).toBe(false);
    await board.getByRole('button', { name: '新建指令' }).click();
    await drawer.getByLabel('标题').fill('山洪预警');
    await drawer.getByLabel('正文').fill('请立即组织巡查');
    await drawer.getByRole('combobox', { name: '级别' }).selectOption('red');
    await drawer.getByLabel('全部乡镇').check();
    expect(await drawer.getByTestId('compose-count').textContent()).toBe('下发单位数: 3 个');
    expect(await axeViolations(board)).toEqual([]);
    await drawer.getByRole('button', { name: '下发', exact: true }).click();
    const dialog = board.getByRole('alertdialog');
    expect(await dialog.getByTestId('confirm-count').textContent()).toBe('下发单位数: 3 个');
    await dialog.getByRole('button', { name: '确认' }).click();
    await board
      .getByTestId('sent-status')
      .filter({ hasText: /已下发: \d{4}-\d+ · 下发单位数 3/ })
      .waitFor();
    expect(await drawer.isVisible()).toBe(false);

    // rows in region-code order, not by collation
    await board.locator('[data-testid="recipient-row"]').nth(2).waitFor();
    const names = await board
      .locator('[data-testid="recipient-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-site-name')));
    expect(names).toEqual(['青山镇', '翟镇', '白水乡']);

    // the form went back to its defaults
    await board.getByRole('button', { name: '新建指令' }).click();
    expect(await drawer.getByRole('combobox', { name: '级别' }).inputValue()).toBe('yellow');
    expect(await drawer.getByLabel('全部乡镇').isChecked()).toBe(false);
    expect(await drawer.getByLabel('标题').inputValue()).toBe('');
    await drawer.getByRole('button', { name: '关闭' }).click();

    // a colleague's directive shows without a poll (the list is re-read on directive.issued);
    // the nudge goes to the issuer's site and those above it only, not to a township
    const township = await openConsole(hub.baseUrl, dutyZ.token);
    const nudges: unknown[] = [];
    township.socket.on('directive.issued', (p: unknown) => nudges.push(p));
    const other = await colleague.api.post('/api/v1/directives', {
      title: '同事下发的指令',
      body: '巡查',
      level: 'orange',
      targets: { siteIds: [townZ, townB] },
    });
    expect(other.status).toBe(201);
    const otherLink = board.locator(
      `[data-testid="directive-link"][data-directive-id="${other.body.id as string}"]`,
    );
    await otherLink.waitFor({ timeout: 3000 });
    expect(await otherLink.getByTestId('list-acked').textContent()).toBe('0/2');
    await board.waitForTimeout(500);
    expect(nudges).toEqual([]);
    township.close();

    for (const size of SIZES) {
      await board.setViewportSize({ width: size.width, height: size.height });
      await board.waitForTimeout(200);
      expect(await layoutProblems(board)).toEqual([]);
      await screenshot(board, `board-triage-${size.name}`);
      expect(await axeViolations(board)).toEqual([]);
    }
    await board.setViewportSize({ width: 1440, height: 900 });

    // 续发 then 撤销 the red one
    await board.getByRole('button', { name: '续发', exact: true }).first().click();
    await board.getByLabel('续发内容').fill('巡查范围扩大到沿河村组');
    await board.locator('.update-form').getByRole('button', { name: '续发' }).click();
    await board.getByText('已续发').waitFor();
    await board.getByRole('button', { name: '撤销', exact: true }).click();
    const cancel = board.getByRole('alertdialog');
    await cancel.getByLabel('撤销原因').fill('误发');
    await cancel.getByRole('button', { name: '确认' }).click();
    await board.locator('[data-testid="board"][data-status="cancelled"]').waitFor({ timeout: 5000 });
    expect(await board.getByRole('button', { name: '撤销', exact: true }).count()).toBe(0);
    await screenshot(board, 'board-cancelled');
    expect(await board.locator('main').innerText()).not.toMatch(ENGLISH);
  }, 90_000);
});
