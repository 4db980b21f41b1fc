import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { launchChromium, loginThroughForm, screenshot } from '../support/browser.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { provision, TestDevice } from '../support/terminals.js';

const PASSWORD = 'password-123';

/**
 * 查岗 against the built hub, as its users meet it: the township's full-screen alarm and
 * its 在岗 button in Chromium, the county's live board, a terminal answering with its 签收
 * key over MQTT, a socket.io console, and the monthly 通报 as CSV.
 */
describe('spot checks end to end', () => {
  let hub: HubProcess;
  let admin: Api;
  let county: string;
  let towns: string[];
  let dispatcher: { id: string; api: Api; token: string };
  let officers: { id: string; api: Api; token: string }[];
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const consoles: TestConsole[] = [];
  const devices: TestDevice[] = [];
  const sfuSockets: Socket[] = [];

  const page = async (username: string, landing: string): Promise<Page> => {
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    const p = await ctx.newPage();
    await loginThroughForm(p, hub.baseUrl, username, PASSWORD, landing);
    return p;
  };
  const target = async (id: string, siteId: string) =>
    (await dispatcher.api.get(`/api/v1/spot-checks/${id}`)).body.targets.find(
      (t: { siteId: string }) => t.siteId === siteId,
    );

  beforeAll(async () => {
    hub = await startHub({ SFU_WORKERS: '1' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    county = await createSite(admin, '查岗县', 'command', root);
    towns = [];
    for (const name of ['东镇', '西镇', '南镇'])
      towns.push(await createSite(admin, name, 'township', county));
    dispatcher = await createUser(admin, 'sc-e2e-dispatcher', 'dispatcher', county);
    officers = [
      await createUser(admin, 'sc-e2e-east', 'duty_officer', towns[0]!),
      await createUser(admin, 'sc-e2e-west', 'duty_officer', towns[1]!),
    ];
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    for (const x of sfuSockets) x.disconnect();
    for (const d of devices) await d.end().catch(() => undefined);
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('the township console rings full screen, 在岗 answers it, and the county board shows it live', async () => {
    const duty = await page('sc-e2e-east', '/duty');
    const board = await page('sc-e2e-dispatcher', '/board');
    await board.getByRole('link', { name: '查岗', exact: true }).click();
    await board.waitForURL('**/spot-checks');
    await board.getByLabel('指定乡镇').selectOption([towns[0]!, towns[2]!]);
    await board.getByLabel('应答时限（秒）').fill('120');
    await board.getByRole('button', { name: '发起查岗' }).click();
    const live = board.locator('[data-testid="spotcheck-board"]');
    await live.waitFor();
    const checkId = (await live.getAttribute('data-check-id'))!;
    expect(await live.locator('tbody tr').count()).toBe(2);

    const alarm = duty.getByRole('alertdialog');
    await alarm.waitFor();
    expect(await alarm.innerText()).toContain('查岗');
    expect(await duty.evaluate('document.documentElement.dataset.spotcheck')).toBe('ringing');
    await screenshot(duty, 'spotcheck-alarm');
    await alarm.getByRole('button', { name: '在岗' }).click();
    const result = duty.locator('[data-testid="spotcheck-result"]');
    await result.waitFor();
    expect(await result.getAttribute('data-state')).toBe('answered');
    expect(await result.innerText()).toContain('已确认在岗');
    expect(await duty.evaluate('document.documentElement.dataset.spotcheck')).toBe('off');

    await board.locator(`tbody tr[data-state="answered"]`).waitFor();
    expect(await board.locator('tbody tr[data-state="answered"] td').first().innerText()).toBe('东镇');
    await screenshot(board, 'spotcheck-board');
    expect(await target(checkId, towns[0]!)).toMatchObject({ state: 'answered', channel: 'console' });
    expect((await target(checkId, towns[2]!)).state).toBe('pending');
  }, 120_000);

  it('a socket.io console answers once; a repeated answer says what is recorded', async () => {
    const c = await openConsole(hub.baseUrl, officers[1]!.token);
    consoles.push(c);
    const alarms: { checkId: string; drill: boolean }[] = [];
    c.socket.on('spotcheck', (p: { checkId: string; drill: boolean }) => alarms.push(p));
    const res = await dispatcher.api.post('/api/v1/spot-checks', {
      siteIds: [towns[1]],
      windowSeconds: 60,
      channels: ['console'],
      drill: true,
    });
    expect(res.status).toBe(201);
    await waitFor(() => alarms.length === 1, 10_000, 'the alarm');
    expect(alarms[0]).toMatchObject({ checkId: res.body.id, drill: true });
    const first = await c.call('spotcheck.answer', { checkId: res.body.id });
    expect(first).toMatchObject({ ok: true, state: 'answered', duplicate: false });
    const again = await c.call('spotcheck.answer', { checkId: res.body.id });
    expect(again).toMatchObject({ ok: true, duplicate: true, answeredAt: first.answeredAt });
  });

  it('a terminal shows 查岗, its expiry the deadline, and its 签收 key answers', async () => {
    const creds = await provision(admin, towns[2]!, '南镇值班终端');
    const device = await TestDevice.connect(`mqtt://127.0.0.1:${hub.env.MQTT_PORT}`, creds);
    devices.push(device.confirmReceipts());
    const res = await dispatcher.api.post('/api/v1/spot-checks', {
      siteIds: [towns[2]],
      windowSeconds: 90,
      channels: ['terminal'],
    });
    const id = res.body.id as string;
    const msg = await waitFor(() => device.received.find((m) => m.directiveId === id), 20_000, 'the message');
    expect(msg).toMatchObject({ title: '查岗', level: 'none', expiresAt: res.body.deadline });
    await device.ack(msg!.messageId, 'acknowledged');
    await waitFor(async () => (await target(id, towns[2]!))?.state === 'answered', 20_000, 'the answer');
    expect(await target(id, towns[2]!)).toMatchObject({ channel: 'terminal', answeredBy: null });
  });

  it('the monthly 通报 downloads as CSV with a BOM and prints from its page', async () => {
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const res = await fetch(`${hub.baseUrl}/api/v1/duty/stats/monthly?month=${month}&format=csv`, {
      headers: { authorization: `Bearer ${dispatcher.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="spot-checks-${month}.csv"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      '乡镇,区划代码,查岗次数,按时应答,迟到应答,未应答,应答时间中位数(秒),应答时间P90(秒),站点ID',
    );
    // the drill is left out: 西镇 has no check without it
    expect(lines.find((l) => l.startsWith('西镇,'))).toMatch(/^西镇,,0,0,0,0,,,/);
    expect(lines.find((l) => l.startsWith('东镇,'))).toMatch(/^东镇,,1,1,0,0,/);

    const report = await page('sc-e2e-dispatcher', '/board');
    await report.getByRole('link', { name: '查岗通报' }).click();
    await report.locator('[data-testid="monthly-table"] tbody tr').first().waitFor();
    expect(await report.locator('[data-testid="monthly-table"] tbody tr').count()).toBe(3);
    await report.getByLabel('包含演练').check();
    await waitFor(
      async () => (await report.locator('h2').innerText()).includes('包含演练'),
      10_000,
      'the drill switch',
    );
    await screenshot(report, 'spotcheck-monthly');
  });

  it('a video spot check is answered by the site answering the consultation roll call', async () => {
    const sfu = async (token: string) => {
      const socket = io(`${hub.baseUrl}/sfu`, {
        auth: { token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      sfuSockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return socket;
    };
    const call = (socket: Socket, event: string, body: unknown = {}): Promise<any> =>
      socket.timeout(15_000).emitWithAck(event, body);
    const check = await dispatcher.api.post('/api/v1/spot-checks', {
      siteIds: [towns[1]],
      windowSeconds: 120,
      channels: ['video'],
    });
    expect(check.status).toBe(201);
    const id = check.body.id as string;
    const consultation = await dispatcher.api.post('/api/v1/consultations', {
      title: '视频查岗',
      siteIds: [towns[1]],
    });
    expect(consultation.status).toBe(201);
    const consultationId = consultation.body.id as string;
    const host = await sfu(dispatcher.token);
    const guest = await sfu(officers[1]!.token);
    expect((await call(host, 'sfu:join', { consultationId })).ok).toBe(true);
    expect((await call(guest, 'sfu:join', { consultationId })).ok).toBe(true);
    const rollCall = await call(host, 'sfu:rollcall:start');
    expect(rollCall.ok).toBe(true);
    expect((await target(id, towns[1]!)).state).toBe('pending');
    expect((await call(guest, 'sfu:rollcall:answer', { rollCallId: rollCall.rollCallId })).ok).toBe(true);
    await waitFor(
      async () => (await target(id, towns[1]!))?.state === 'answered',
      20_000,
      'the video answer',
    );
    expect(await target(id, towns[1]!)).toMatchObject({ channel: 'video', answeredBy: officers[1]!.id });
  });
});
