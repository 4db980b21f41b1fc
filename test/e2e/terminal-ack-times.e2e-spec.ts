import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext } from 'playwright-core';
import type { DirectiveRecipientView, TerminalDirectiveMessage } from '#contracts';
import { Api } from '../support/api.js';
import { sleep } from '../support/async.js';
import { launchChromium, loginThroughForm, screenshot } from '../support/browser.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { provision, TestDevice, topics, waitFor } from '../support/terminals.js';

const PASSWORD = 'password-123';
/** the dispatcher's grid shows the hub's receipt under the press time from this gap on */
const OUTAGE_MS = 62_000;

/**
 * Issue 21, item 8 on the built hub: a terminal's 签收 pressed during an outage keeps its
 * moment on the dispatcher's grid, with the hub's receipt beside it; a terminal whose
 * clock runs a day fast is clamped and marked.
 */
describe('签收 times on the dispatcher grid', () => {
  let hub: HubProcess;
  let admin: Api;
  let browser: Browser;
  let context: BrowserContext | undefined;
  const devices: TestDevice[] = [];

  beforeAll(async () => {
    hub = await startHub({ SFU_ENABLED: 'false' });
    admin = await adminLogin(hub.baseUrl);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const d of devices) await d.end().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('shows when 签收 was pressed, the hub’s receipt when it came much later, and a clamped clock', async () => {
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const outageTown = await createSite(admin, '断网镇', 'township', rootId);
    const fastTown = await createSite(admin, '快钟镇', 'township', rootId);
    const dispatcher = await createUser(admin, 'disp-ack-times', 'dispatcher', rootId);
    const mqttUrl = `mqtt://127.0.0.1:${hub.env.MQTT_PORT}`;
    for (const town of [outageTown, fastTown]) {
      const creds = await provision(admin, town, `terminal ${town.slice(0, 4)}`);
      devices.push(await waitFor(() => TestDevice.connect(mqttUrl, creds), 'terminal connected', 10_000));
    }
    const issued = await dispatcher.api.post<{ id: string }>('/api/v1/directives', {
      title: '山洪预警',
      body: '请立即签收',
      level: 'red',
      targets: { siteIds: [outageTown, fastTown] },
      ackWithinSeconds: 900,
    });
    expect(issued.status).toBe(201);
    const id = issued.body.id;
    const message = async (d: TestDevice): Promise<TerminalDirectiveMessage> =>
      (await waitFor(
        () => d.received.find((m) => m.directiveId === id),
        'the directive on the terminal',
        10_000,
      ))!;
    const [outage, fast] = devices as [TestDevice, TestDevice];
    const outageMessage = await message(outage);
    const fastMessage = await message(fast);
    // 签收 pressed now on the first terminal, whose link is down: it reaches the hub a minute later
    const pressedAt = new Date().toISOString();
    await sleep(OUTAGE_MS);
    const ack = (d: TestDevice, messageId: string, at: string) =>
      d.client.publishAsync(
        topics(d.creds.id).acks,
        JSON.stringify({ messageId, state: 'acknowledged', at }),
        { qos: 1 },
      );
    await ack(outage, outageMessage.messageId, pressedAt);
    await ack(fast, fastMessage.messageId, new Date(Date.now() + 86_400_000).toISOString());
    const recipients = (await waitFor(
      async () => {
        const list = (
          await dispatcher.api.get<{ recipients: DirectiveRecipientView[] }>(`/api/v1/directives/${id}`)
        ).body.recipients;
        return list.every((r) => r.state === 'acknowledged') ? list : undefined;
      },
      'both 签收 recorded',
      15_000,
    ))!;
    const bySite = (site: string) => recipients.find((r) => r.siteId === site)!;
    expect(bySite(outageTown).acknowledgedPressedAt).toBe(pressedAt);
    expect(Date.parse(bySite(outageTown).acknowledgedAt!) - Date.parse(pressedAt)).toBeGreaterThanOrEqual(
      OUTAGE_MS - 1000,
    );
    expect(bySite(fastTown).acknowledgedClockSkew).toBe('ahead');

    context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    const board = await context.newPage();
    await loginThroughForm(board, hub.baseUrl, 'disp-ack-times', PASSWORD, '/board');
    await board.getByTestId('directive-link').filter({ hasText: '山洪预警' }).click({ timeout: 10_000 });
    const row = (name: string) =>
      board.locator(`[data-testid="recipient-row"][data-site-name="${name}"][data-state="acknowledged"]`);
    await row('断网镇').waitFor();
    // the console's "12-06 14:03:05" (month-day, 24-hour), in the browser's own time zone
    const format = (iso: string) =>
      board.evaluate((t) => {
        const d = new Date(t);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
      }, iso);
    const outageCell = row('断网镇').getByTestId('ack-time');
    expect(await outageCell.locator('span').first().textContent()).toBe(await format(pressedAt));
    expect(await outageCell.getByTestId('ack-received-at').textContent()).toContain(
      await format(bySite(outageTown).acknowledgedAt!),
    );
    expect(await outageCell.getByTestId('ack-clock-skew').count()).toBe(0);
    const fastCell = row('快钟镇').getByTestId('ack-time');
    expect(await fastCell.getByTestId('ack-clock-skew').getAttribute('title')).toContain('终端时钟超前');
    expect(await fastCell.getByTestId('ack-received-at').count()).toBe(0);
    await screenshot(board, 'board-ack-times');
  });
});
