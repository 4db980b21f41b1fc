import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { axeViolations, launchChromium, loginThroughForm, screenshot } from '../support/browser.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { provision, TestDevice } from '../support/terminals.js';

const PASSWORD = 'password-123';

/**
 * 预案 → 启动响应 end to end against the built hub (issue 23, "Done when"): a commander starts
 * a Ⅲ response on /plans that issues two directives, opens a consultation and alerts a
 * team; the team's township 签收s on its duty console and the board shows the team deployed;
 * the commander raises it to Ⅱ (a linked directive reaches the township's terminal) and ends
 * it. Then the same plan runs as a drill: 演练 on the board, the duty console and the terminal.
 */
describe('plans: a response from the console', () => {
  let hub: HubProcess;
  let admin: Api;
  let commander: Api;
  let towns: string[];
  let teamId: string;
  let browser: Browser;
  let terminal: TestDevice;
  const contexts: BrowserContext[] = [];

  const page = async (username: string, landing: string) => {
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    contexts.push(ctx);
    const p = await ctx.newPage();
    await loginThroughForm(p, hub.baseUrl, username, PASSWORD, landing);
    return p;
  };
  const board = (p: Page) => p.getByTestId('response-board');

  beforeAll(async () => {
    hub = await startHub({ SFU_ENABLED: 'false' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const county = await createSite(admin, '防汛县', 'command', root);
    towns = [
      await createSite(admin, '东镇', 'township', county),
      await createSite(admin, '西镇', 'township', county),
    ];
    commander = (await createUser(admin, 'pe-cmd', 'commander', county)).api;
    await createUser(admin, 'pe-east', 'duty_officer', towns[0]!);
    const team = await commander.post('/api/v1/teams', {
      name: '东镇防汛突击队',
      kind: 'village-shock',
      siteId: towns[0],
      leaderName: '李队长',
      leaderPhone: '139 0000 2222',
      headcount: 32,
      equipment: ['冲锋舟'],
      assembleMinutes: 20,
    });
    expect(team.status).toBe(201);
    teamId = team.body.id;
    const levelIII = [
      {
        kind: 'directive',
        title: '东镇转移危险区群众',
        body: '立即转移。',
        level: 'orange',
        targets: { siteIds: [towns[0]] },
      },
      {
        kind: 'directive',
        title: '西镇加密巡查',
        body: '每小时巡查。',
        level: 'yellow',
        targets: { siteIds: [towns[1]] },
      },
      { kind: 'consultation', siteIds: towns },
      { kind: 'alert-teams', teamIds: [teamId] },
    ];
    const plan = await commander.post('/api/v1/plans', {
      name: '防汛应急预案',
      hazard: 'flood',
      siteId: county,
      levels: [
        { level: 'III', actions: levelIII },
        {
          level: 'II',
          actions: [
            ...levelIII,
            {
              kind: 'directive',
              title: '全面停工停课',
              body: '立即执行。',
              level: 'red',
              targets: { siteIds: towns },
            },
          ],
        },
      ],
    });
    expect(plan.status).toBe(201);
    const creds = await provision(admin, towns[0]!, '东镇终端');
    terminal = (await TestDevice.connect(`mqtt://127.0.0.1:${hub.env.MQTT_PORT}`, creds)).confirmReceipts();
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await terminal?.end().catch(() => undefined);
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  const startFromPage = async (p: Page, drill: boolean) => {
    await p.goto(`${hub.baseUrl}/plans`);
    await p.locator('.plan-list li[data-plan-id] button').first().click();
    await p.getByTestId('plan-detail').waitFor();
    await p.getByLabel('响应级别').selectOption({ label: 'Ⅲ级' });
    if (drill) await p.getByLabel(/演练/).check();
    await p.getByRole('button', { name: '启动响应' }).click();
    await p.getByRole('button', { name: '确认启动' }).click();
    await board(p).waitFor();
  };
  const boardId = async (p: Page) => {
    const list = p.locator('.plan-list li[data-response-id] button[aria-current="true"]');
    await list.waitFor();
    return (await list.locator('..').getAttribute('data-response-id'))!;
  };

  it("starts Ⅲ, the team is deployed on the duty console's 签收, raises to Ⅱ and ends", async () => {
    const cmd = await page('pe-cmd', '/board');
    await cmd.getByRole('link', { name: '预案', exact: true }).click();
    await cmd.waitForURL('**/plans');
    await startFromPage(cmd, false);
    expect(await cmd.getByTestId('response-level').innerText()).toBe('Ⅲ级应急响应');
    expect(await board(cmd).locator('tr[data-kind="directive"]').count()).toBe(2);
    expect(await board(cmd).locator('tr[data-kind="consultation"]').innerText()).toContain('待开始');
    const team = board(cmd).locator(`.plan-team[data-team-id="${teamId}"]`);
    expect(await team.getAttribute('data-status')).toBe('alerted');
    expect(await axeViolations(cmd)).toEqual([]);
    const id = await boardId(cmd);
    const view = (await commander.get(`/api/v1/responses/${id}`)).body;
    const alert = view.actions.find((a: { kind: string }) => a.kind === 'alert-teams');
    const alertDirective = (await commander.get(`/api/v1/directives?limit=20`)).body.find(
      (d: { title: string }) => d.title.includes('东镇防汛突击队'),
    );
    expect(alert.state).toBe('started');

    // the team's township 签收s on its duty console: the board (polling) shows it deployed
    const duty = await page('pe-east', '/duty');
    const card = duty.locator(`[data-testid="inbox-item"][data-directive-id="${alertDirective.id}"]`);
    await card.getByRole('button', { name: '签收' }).click();
    await board(cmd)
      .locator(`.plan-team[data-team-id="${teamId}"][data-status="deployed"]`)
      .waitFor({ timeout: 15_000 });
    await screenshot(cmd, 'plans-board');

    await board(cmd).getByRole('button', { name: '升级 Ⅱ级' }).click();
    await board(cmd).getByRole('button', { name: '确认调整' }).click();
    await cmd.locator('[data-testid="response-board"][data-level="II"]').waitFor();
    expect(await cmd.getByTestId('response-level').innerText()).toBe('Ⅱ级应急响应');
    expect(await board(cmd).locator('tr[data-kind="level-change"]').count()).toBe(1);
    await waitFor(
      () => terminal.received.find((m) => m.title === '响应级别调整为Ⅱ级'),
      15_000,
      'terminal notice',
    );

    await board(cmd).getByRole('button', { name: '终止响应' }).click();
    await board(cmd).getByLabel('终止说明').fill('水位回落，险情解除。');
    await board(cmd).getByRole('button', { name: '确认终止' }).click();
    await cmd.locator('[data-testid="response-board"][data-state="ended"]').waitFor();
    expect(await team.getAttribute('data-status')).toBe('available');
    expect(await board(cmd).locator('tr[data-kind="end"]').count()).toBe(1);
    expect(await cmd.locator('main').innerText()).not.toMatch(/[A-Za-z]{4,}/);
  }, 90_000);

  it('runs the same plan as a drill: 演练 on the board, the duty console and the terminal', async () => {
    const before = terminal.received.length;
    const cmd = await page('pe-cmd', '/board');
    await startFromPage(cmd, true);
    await cmd.getByTestId('response-drill').waitFor();
    expect(await cmd.getByTestId('response-drill').innerText()).toBe('演练');
    const duty = await page('pe-east', '/duty');
    await duty
      .locator('[data-testid="inbox-item"]')
      .filter({ hasText: '东镇转移危险区群众', has: duty.locator('.badge.drill') })
      .first()
      .waitFor();
    const got = await waitFor(
      () => terminal.received.slice(before).find((m) => m.title.includes('东镇转移危险区群众')),
      15_000,
      'terminal drill message',
    );
    expect(got!.drill).toBe(true);
    await screenshot(cmd, 'plans-drill-board');
  }, 60_000);

  it('writes a plan in the editor and revises it into a new version', async () => {
    const cmd = await page('pe-cmd', '/board');
    await cmd.goto(`${hub.baseUrl}/plans`);
    await cmd.getByRole('button', { name: '新建预案' }).click();
    const form = cmd.getByRole('form', { name: '新建预案' });
    await form.getByLabel('预案名称').fill('森林火灾预案');
    await form.getByLabel('灾种').selectOption({ label: '森林防火' });
    await form.getByLabel('Ⅳ级 · 设此级别').check();
    await form.getByLabel('新增动作类型').selectOption({ label: '加强值守' });
    await form.getByRole('button', { name: '添加动作：加强值守' }).click();
    await form.locator('.plan-action[data-kind="duty"]').getByLabel('东镇').check();
    expect(await axeViolations(cmd)).toEqual([]);
    await form.getByRole('button', { name: '保存' }).click();
    await cmd.getByTestId('plan-notice').filter({ hasText: '预案已保存' }).waitFor();
    const detail = cmd.getByTestId('plan-detail');
    await detail.filter({ hasText: '森林火灾预案' }).waitFor();
    expect(await detail.innerText()).toContain('Ⅳ级：加强值守');

    await detail.getByRole('button', { name: '修订（新版本）' }).click();
    const revise = cmd.getByRole('form', { name: '修订（新版本）' });
    await revise.getByLabel('预案名称').fill('森林火灾预案（修订）');
    await revise.getByRole('button', { name: '保存' }).click();
    await detail.filter({ hasText: '版本 2' }).waitFor();
    const id = (await detail.getAttribute('data-plan-id'))!;
    const first = (await commander.get(`/api/v1/plans/${id}?version=1`)).body;
    expect(first.name).toBe('森林火灾预案');
    expect(first.levels[0].actions[0]).toMatchObject({ kind: 'duty', siteIds: [towns[0]] });
  }, 60_000);
});
