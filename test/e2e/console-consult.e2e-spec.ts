import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import {
  axeViolations,
  launchChromium,
  layoutProblems,
  loginThroughForm,
  screenshot,
  SIZES,
} from '../support/browser.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

const PASSWORD = 'password-123';
/** Usernames are data, not UI text: the English check leaves them out. */
const USERNAMES = ['cdisp', 'cdutya', 'cdutyb'];

/** The consultation UI's controls, tiles and badges: none may overlap another. */
const CONSULT_BOXES =
  '.consult-invite button, .consult-invite-text, .consult-room .toolbar > *, .consult-views button, .tile, .tile-name, .consult-badge, .quality, .tile .actions button, .consult-panel section, .consult-answer button';
const consultLayout = (page: Page) =>
  layoutProblems(page, CONSULT_BOXES, '.consult-invite-text, .consult-badge');

/** Latin words in the consultation's text, other than usernames and the bitrate unit. */
async function englishIn(page: Page): Promise<string[]> {
  // the top bar's language switch is named in its own language on purpose
  let text = await page.locator('main').innerText();
  for (const u of USERNAMES) text = text.split(u).join('');
  text = text.replace(/kbit\/s/g, '');
  return text.match(/[A-Za-z]{2,}/g) ?? [];
}

/** 视频会商 in the console: invitation to the duty rooms, the room's controls, 结束会商. */
describe('console consultation', () => {
  let hub: HubProcess;
  let admin: Api;
  let host: Awaited<ReturnType<typeof createUser>>;
  let townA: string;
  let townB: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const newPage = async (width = 1440, height = 900): Promise<Page> => {
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width, height } });
    contexts.push(ctx);
    return ctx.newPage();
  };
  const checkAt = async (page: Page, name: string) => {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.waitForTimeout(300);
      await screenshot(page, `consult-${name}-${size.name}`);
      expect({ size: size.name, problems: await consultLayout(page) }).toEqual({
        size: size.name,
        problems: [],
      });
      expect(await axeViolations(page)).toEqual([]);
      expect(await englishIn(page)).toEqual([]);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };
  const playing = (page: Page) =>
    waitFor(
      async () =>
        (await page
          .locator('[data-testid="tile-remote"] video')
          .first()
          .evaluate((v: any) => v.videoWidth > 0 && v.currentTime > 0)
          .catch(() => false)) === true,
      20_000,
      'remote video playing',
    );

  beforeAll(async () => {
    // 2 cores shared with other builds: give the hub room to start
    hub = await startHub({}, 'hub', 150_000);
    admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    townA = await createSite(admin, '青山镇', 'township', rootId);
    townB = await createSite(admin, '白水乡', 'township', rootId);
    await createSite(admin, '东岭村', 'village', townA);
    host = await createUser(admin, 'cdisp', 'dispatcher', rootId);
    await createUser(admin, 'cdutya', 'duty_officer', townA);
    await createUser(admin, 'cdutyb', 'duty_officer', townB);
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('the invite form is a site tree labelled 邀请单位, with a directive link and a start time', async () => {
    const page = await newPage();
    await loginThroughForm(page, hub.baseUrl, 'cdisp', PASSWORD, '/board');
    await page.getByRole('link', { name: '视频会商' }).click();
    const invitees = page.getByRole('group', { name: '邀请单位' });
    await invitees.getByLabel('东岭村').waitFor();
    expect(await page.getByText('下发对象').count()).toBe(0);
    // the village sits under its township, not beside it
    const village = invitees.locator('li', { hasText: '青山镇' }).locator('li', { hasText: '东岭村' });
    expect(await village.count()).toBe(1);
    await page.getByLabel('关联指令').waitFor();
    await page.getByLabel('标题').fill('明日会商');
    await page.getByLabel('白水乡').check();
    await page.getByLabel(/预约开始时间/).fill('2030-01-02T09:30');
    await page.getByRole('button', { name: '预约会商' }).click();
    const created = await waitFor(async () => {
      const list = (await host.api.get('/api/v1/consultations')).body as any[];
      return list.find((c) => c.title === '明日会商');
    });
    expect(created.scheduledAt).toBe(new Date('2030-01-02T09:30').toISOString());
    expect(created.siteIds).toEqual([townB]);
    // scheduling does not join
    expect(await page.getByTestId('tile-self').count()).toBe(0);
    await page.getByTestId('consult-join').filter({ hasText: '明日会商' }).waitFor();
  });

  it('an invited duty console gets the invitation and joins in one click; mute, roll call, recording and 结束会商 work', async () => {
    const hostPage = await newPage();
    await loginThroughForm(hostPage, hub.baseUrl, 'cdisp', PASSWORD, '/board');
    await hostPage.getByRole('link', { name: '视频会商' }).click();
    await hostPage.getByLabel('标题').fill('汛情会商');
    await hostPage.getByLabel('青山镇').check();
    await hostPage.getByLabel('白水乡').check();
    await hostPage.getByRole('button', { name: '发起并加入' }).click();
    await hostPage.getByTestId('tile-self').waitFor({ timeout: 15_000 });

    // the duty room is on its own page, not the consultation page: the alert comes to it
    const duty = await newPage(390, 844);
    await loginThroughForm(duty, hub.baseUrl, 'cdutya', PASSWORD, '/duty');
    const invite = duty.getByTestId('consult-invite').filter({ hasText: '汛情会商' });
    await invite.waitFor({ timeout: 10_000 });
    await screenshot(duty, 'consult-invitation-phone');
    expect(await consultLayout(duty)).toEqual([]);
    expect(await axeViolations(duty)).toEqual([]);
    await duty.setViewportSize({ width: 1440, height: 900 });
    await invite.getByRole('button', { name: '立即加入会商' }).click();
    await duty
      .getByTestId('tile-self')
      .waitFor({ timeout: 30_000 })
      .catch(async (err: Error) => {
        await screenshot(duty, 'consult-join-failed');
        const shown = await duty.locator('.error').allInnerTexts();
        throw new Error(`${err.message}\nshown: ${shown.join(' | ')}\nurl: ${duty.url()}`);
      });
    await playing(duty);
    await playing(hostPage);

    // duty-b has not come: listed as absent on the host's screen; 青山镇 is present
    const absent = hostPage.getByTestId('absent-sites');
    await absent.getByText('白水乡').waitFor();
    expect(await absent.getByText('青山镇').count()).toBe(0);

    // self mute on the duty console shows on the host's tile for it
    const dutyTile = hostPage.locator('[data-testid="tile-remote"]', { hasText: '青山镇' });
    expect(await dutyTile.getByTestId('mute-indicator').count()).toBe(0);
    await duty.getByRole('button', { name: '闭麦' }).click();
    await dutyTile.getByTestId('mute-indicator').waitFor({ timeout: 5000 });
    await duty.getByTestId('tile-self').getByTestId('mute-indicator').waitFor();
    await duty.getByRole('button', { name: '开麦' }).click();
    await dutyTile.getByTestId('mute-indicator').waitFor({ state: 'detached', timeout: 5000 });
    // a moderator's mute reads as such on the muted console
    await hostPage.getByRole('button', { name: /^静音 / }).click();
    await duty.getByText('已被主持人静音').waitFor({ timeout: 5000 });
    await hostPage.getByRole('button', { name: /^取消静音 / }).click();
    await duty.getByText('已被主持人静音').waitFor({ state: 'detached', timeout: 5000 });

    // roll call: the host is not asked to answer; results and the silent site are shown
    await hostPage.getByRole('button', { name: '点名', exact: true }).click();
    const results = hostPage.getByTestId('rollcall-results');
    await results.waitFor();
    expect(await hostPage.getByRole('button', { name: '应答点名' }).count()).toBe(0);
    await duty.getByRole('button', { name: '应答点名' }).click();
    await results.locator('li[data-answered="yes"]', { hasText: '青山镇' }).waitFor({ timeout: 5000 });
    await hostPage.getByRole('button', { name: '结束应答' }).click();
    await hostPage.locator('[data-testid="rollcall-results"][data-closed="yes"]').waitFor({ timeout: 5000 });
    expect(await results.locator('li[data-answered="no"]').allInnerTexts()).toEqual([
      expect.stringContaining('白水乡'),
    ]);
    await duty.getByTestId('rollcall-results').getByText('1/2').waitFor();

    // recording: started and stopped by the host, its state on every console
    expect(await duty.getByRole('button', { name: '开始录制' }).count()).toBe(0);
    await hostPage.getByRole('button', { name: '开始录制' }).click();
    for (const p of [hostPage, duty])
      await p.locator('[data-testid="recording-state"][data-state="recording"]').waitFor({ timeout: 10_000 });
    await checkAt(hostPage, 'host');
    await checkAt(duty, 'duty');
    await hostPage.getByRole('button', { name: '主讲视图' }).click();
    await hostPage.locator('.tiles[data-view="speaker"] .tile.big').waitFor();
    await checkAt(hostPage, 'host-speaker');
    await hostPage.getByRole('button', { name: '停止录制' }).click();
    for (const p of [hostPage, duty])
      await p.locator('[data-testid="recording-state"][data-state="stopped"]').waitFor({ timeout: 10_000 });

    // 结束会商: only the host has it, and it closes the room for everyone
    expect(await duty.getByRole('button', { name: '结束会商' }).count()).toBe(0);
    await hostPage.getByRole('button', { name: '结束会商' }).click();
    await duty.getByTestId('consult-notice').getByText('会商已结束').waitFor({ timeout: 10_000 });
    expect(await duty.getByTestId('tile-self').count()).toBe(0);
    const list = (await host.api.get('/api/v1/consultations')).body as any[];
    expect(list.find((c) => c.title === '汛情会商').state).toBe('ended');
    // the ended consultation no longer invites
    await duty.getByRole('link', { name: '值班台' }).click();
    await duty.waitForTimeout(6000);
    expect(await duty.getByTestId('consult-invite').filter({ hasText: '汛情会商' }).count()).toBe(0);
  }, 300_000);

  it('a drill consultation is marked 演练 on the invitation, in the lobby and in the room; a real one is not', async () => {
    const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
    const drill = await host.api.post('/api/v1/drills', {
      name: '会商演练',
      kind: 'tabletop',
      siteIds: [townB],
      startsAt: minutes(-1),
      endsAt: minutes(60),
    });
    expect(drill.status).toBe(201);
    const duty = await newPage(390, 844);
    await loginThroughForm(duty, hub.baseUrl, 'cdutyb', PASSWORD, '/duty');
    for (const body of [
      { title: '演练会商', siteIds: [townB], drillId: drill.body.id },
      { title: '实战会商', siteIds: [townB] },
    ])
      expect((await host.api.post('/api/v1/consultations', body)).status).toBe(201);

    const drillInvite = duty.getByTestId('consult-invite').filter({ hasText: '演练会商' });
    const realInvite = duty.getByTestId('consult-invite').filter({ hasText: '实战会商' });
    await drillInvite.waitFor({ timeout: 10_000 });
    await realInvite.waitFor({ timeout: 10_000 });
    expect(await drillInvite.getByTestId('consult-invite-drill').innerText()).toBe('演练');
    expect(await realInvite.getByTestId('consult-invite-drill').count()).toBe(0);
    expect(await consultLayout(duty)).toEqual([]);
    expect(await axeViolations(duty)).toEqual([]);

    const lobby = await newPage();
    await loginThroughForm(lobby, hub.baseUrl, 'cdisp', PASSWORD, '/board');
    await lobby.getByRole('link', { name: '视频会商' }).click();
    const drillRow = lobby.getByTestId('consult-join').filter({ hasText: '演练会商' });
    await drillRow.waitFor();
    expect(await drillRow.getByTestId('consult-drill').innerText()).toBe('演练');
    const realRow = lobby.getByTestId('consult-join').filter({ hasText: '实战会商' });
    expect(await realRow.getByTestId('consult-drill').count()).toBe(0);
    expect(await englishIn(lobby)).toEqual([]);

    await duty.setViewportSize({ width: 1440, height: 900 });
    await drillInvite.getByRole('button', { name: '立即加入会商' }).click();
    await duty.getByTestId('tile-self').waitFor({ timeout: 30_000 });
    expect(await duty.locator('#consult-title').getByTestId('consult-drill').innerText()).toBe('演练');
    await screenshot(duty, 'consult-drill-room');
    await duty.getByRole('button', { name: '离开' }).click();
  }, 180_000);
  it('the form opens a consultation in a drill: the 演练 picker offers the drills not ended and only their sites', async () => {
    const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
    const newDrill = async (name: string) => {
      const res = await host.api.post('/api/v1/drills', {
        name,
        kind: 'functional',
        siteIds: [townA],
        startsAt: minutes(-1),
        endsAt: minutes(60),
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const drillId = await newDrill('表单演练');
    const endedId = await newDrill('已结束演练');
    expect((await host.api.post(`/api/v1/drills/${endedId}/end`, {})).status).toBe(200);

    const page = await newPage();
    await loginThroughForm(page, hub.baseUrl, 'cdisp', PASSWORD, '/board');
    await page.getByRole('link', { name: '视频会商' }).click();
    // the label's name also holds the chosen option's text (不关联…), hence the prefix
    const picker = page.getByRole('combobox', { name: /^演练/ });
    await picker.locator('option', { hasText: '表单演练' }).waitFor({ state: 'attached' });
    expect(await picker.locator('option', { hasText: '已结束演练' }).count()).toBe(0);
    await page.getByLabel('标题').fill('表单演练会商');
    // 白水乡 is chosen first, then dropped: it is not in the drill, and the hub would refuse it
    await page.getByLabel('白水乡').check();
    await picker.selectOption({ label: '表单演练' });
    const invitees = page.getByRole('group', { name: '邀请单位' });
    expect(await invitees.getByLabel('白水乡').count()).toBe(0);
    await invitees.getByLabel('青山镇').check();
    expect(await englishIn(page)).toEqual([]);
    await page.getByRole('button', { name: '发起并加入' }).click();
    await page.getByTestId('tile-self').waitFor({ timeout: 30_000 });
    expect(await page.locator('#consult-title').getByTestId('consult-drill').innerText()).toBe('演练');

    const created = ((await host.api.get('/api/v1/consultations')).body as any[]).find(
      (c) => c.title === '表单演练会商',
    );
    expect(created).toMatchObject({ drillId, drill: true, siteIds: [townA] });
    const report = await host.api.get(`/api/v1/drills/${drillId}/report`);
    expect(report.body.consultations).toEqual([
      expect.objectContaining({ id: created.id, title: '表单演练会商', invited: 1 }),
    ]);
    await page.getByRole('button', { name: '离开' }).click();
    // left, the lobby lists it with its mark
    const row = page.getByTestId('consult-join').filter({ hasText: '表单演练会商' });
    await row.waitFor();
    expect(await row.getByTestId('consult-drill').innerText()).toBe('演练');
  }, 180_000);
});
