import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createSite } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { launchMediaBrowser, Participant } from '../support/sfu-browser.js';

const PASSWORD = 'Tide-gauge-2026';
/** What a township commander may type as a duty officer's display name (issue #21). */
const HOSTILE_NAME = `<img src=x onerror="window.__pwned=sessionStorage.getItem('yihu.token')||1">`;

/**
 * The /sfu/client page as a person uses it (the form, the Join button, the tiles it draws),
 * in Chromium with a fake camera.
 */
describe('/sfu/client page', () => {
  let hub: HubProcess;
  let browser: BrowserContext;
  let township: string;
  let townCommander: Api;

  async function user(
    by: Api,
    username: string,
    role: 'commander' | 'dispatcher' | 'duty_officer',
    siteId: string,
    displayName?: string,
  ): Promise<{ token: string; api: Api }> {
    const res = await by.post('/api/v1/users', { username, password: PASSWORD, role, siteId, displayName });
    expect(res.status).toBe(201);
    const login = await new Api(hub.baseUrl).post('/api/v1/auth/login', { username, password: PASSWORD });
    expect(login.status).toBe(200);
    const token = login.body.accessToken as string;
    return { token, api: by.as(token) };
  }

  /** Opens the page, fills the form and presses Join, as a person would (a moderator here). */
  async function joinThroughPage(username: string, consultationId: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${hub.baseUrl}/sfu/client?id=${consultationId}`);
    await page.locator('#user').fill(username);
    await page.locator('#pass').fill(PASSWORD);
    await page.locator('#join').click();
    // the status line is soon overwritten (the active speaker): the moderator bar, shown at
    // the end of a moderator's join, is the lasting sign
    await page.locator('#rollcall').waitFor({ timeout: 30_000 });
    return page;
  }

  /** Waits until the page shows a tile for the peer whose video is playing, and returns its caption. */
  async function tileWithVideo(page: Page, peerId: string): Promise<string> {
    const tile = page.locator(`[id="peer-${peerId}"]`);
    await tile.waitFor({ timeout: 30_000 });
    await waitFor(
      () => tile.locator('video').evaluate((v: any) => v.videoWidth > 0 && v.readyState >= 2),
      30_000,
      `video of ${peerId} playing`,
    );
    return tile.locator('figcaption').innerText();
  }

  beforeAll(async () => {
    hub = await startHub();
    const admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    township = await createSite(admin, '城关镇', 'township', rootId);
    townCommander = (await user(admin, 'town-cmd', 'commander', township)).api;
    await user(admin, 'county-disp', 'dispatcher', rootId);
    browser = await launchMediaBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  const consultation = async (title: string): Promise<string> => {
    const res = await townCommander.post('/api/v1/consultations', { title, siteIds: [township] });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it("shows a display name written as markup as text: the county dispatcher's page runs no script from it", async () => {
    // a township commander creates the duty officer whose name is the attack
    const attacker = await user(townCommander, 'duty-evil', 'duty_officer', township, HOSTILE_NAME);
    const id = await consultation('防汛会商');
    const dispatcher = await joinThroughPage('county-disp', id);
    // the dispatcher moderates (county scope covers the township host): the tile gets buttons
    const evil = await Participant.join(browser, hub.baseUrl, attacker.token, id);

    const caption = await tileWithVideo(dispatcher, evil.peerId);
    expect(caption).toBe(`城关镇 · ${HOSTILE_NAME}`);
    expect(await dispatcher.locator('#grid img').count()).toBe(0);
    expect(await dispatcher.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
    // nothing for a script to steal: the page keeps its token in memory only
    expect(await dispatcher.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
    expect(await dispatcher.evaluate(() => (globalThis as any).localStorage.length)).toBe(0);
  });

  it('shows a tile with video for a participant who was already publishing when the page joined', async () => {
    const id = await consultation('早到的人');
    const officer = await user(townCommander, 'duty-early', 'duty_officer', township, '值班员甲');
    const early = await Participant.join(browser, hub.baseUrl, officer.token, id);
    const late = await joinThroughPage('county-disp', id);
    expect(await tileWithVideo(late, early.peerId)).toBe('城关镇 · 值班员甲');
    expect(await late.locator('#grid figure').count()).toBe(1);
  });
});
