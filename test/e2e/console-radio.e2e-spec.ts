import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import type { TalkgroupView } from '#contracts';
import { RedisEventBus } from '#platform';
import { sine, wavHeader } from '#radio';
import { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import {
  axeViolations,
  launchChromium,
  layoutProblems,
  loginThroughForm,
  screenshot,
  SIZES,
} from '../support/browser.js';
import { adminLogin, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { RadioGatewayDouble } from '../support/radio-gateway.js';
import { onset, tone } from '../support/radio-hub.js';
import {
  createTestDatabase,
  MOSQUITTO_URL,
  REDIS_URL,
  uniquePrefix,
  type TestDatabase,
} from '../support/services.js';
import { provision } from '../support/terminals.js';

const RADIO_BOXES =
  '.radio-tg, .radio-ptt, .radio-ptt-status, .radio-meter, .radio-history li, .radio-tools button, .radio-tools label, .radio-emergency, .radio-gateways li';

/** A microphone that says a steady 1 kHz tone: a 48 kHz PCM16 WAV Chromium loops as its fake capture. */
function toneWav(): string {
  const pcm = sine(1000, 10_000, 48_000, 0.5);
  const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const file = join(mkdtempSync(join(tmpdir(), 'yihu-radio-mic-')), 'tone-1k.wav');
  writeFileSync(
    file,
    Buffer.concat([
      wavHeader({ format: 'pcm16', sampleRate: 48_000, channels: 1, dataBytes: data.length }),
      data,
    ]),
  );
  return file;
}

/**
 * The page's ears: the dominant frequency and its level (dBFS) in what the page's audio
 * elements play, over `ms`, measured with an AnalyserNode of the page's own.
 */
function heardInPage(page: Page, ms: number): Promise<{ peakHz: number; peakDb: number }> {
  return page.evaluate(`(async () => {
    const ctx = new AudioContext();
    await ctx.resume();
    const an = ctx.createAnalyser();
    an.fftSize = 4096;
    an.smoothingTimeConstant = 0;
    for (const el of document.querySelectorAll('[data-testid="radio-audio"]'))
      if (el.srcObject) ctx.createMediaStreamSource(el.srcObject).connect(an);
    const bins = new Float32Array(an.frequencyBinCount);
    let peakDb = -Infinity, peakHz = 0;
    const end = performance.now() + ${ms};
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      an.getFloatFrequencyData(bins);
      for (let i = 2; i < bins.length; i++)
        if (bins[i] > peakDb) { peakDb = bins[i]; peakHz = (i * ctx.sampleRate) / an.fftSize; }
    }
    await ctx.close();
    return { peakHz, peakDb };
  })()`);
}

/** Latin words in the page's text, other than user and gateway names. */
async function englishIn(page: Page): Promise<string[]> {
  const text = (await page.locator('main').innerText()).split('rdisp').join('');
  return text.match(/[A-Za-z]{2,}/g) ?? [];
}

/**
 * 无线对讲 in the console, against a built hub and real Chromium: a dispatcher's PTT is
 * heard at a radio gateway (real RTP) only between key and unkey; a radio user's reply is
 * heard in the page; a higher rank on the floor answers the PTT 信道忙 with who holds it.
 */
describe('console radio: browser PTT', () => {
  let db: TestDatabase;
  let hub: HubProcess;
  let browser: Browser;
  let page: Page;
  let tg: TalkgroupView;
  let a: RadioGatewayDouble;
  let b: RadioGatewayDouble;
  const prefix = uniquePrefix();
  const bus = new RedisEventBus(REDIS_URL, pino({ level: 'silent' }), prefix);
  const numbers: Record<string, number> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    hub = await startHub(
      {
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        MQTT_URL: MOSQUITTO_URL,
        JWT_SECRET: 'console-radio-test-secret-0123456789-abcdef',
        AUDIT_KEY: 'console-radio-audit-key-0123456789-abcdefghij',
        RADIO_HANG_MS: '300',
      },
      'hub',
      150_000,
    );
    const admin = await adminLogin(hub.baseUrl);
    await waitFor(
      async () => (await new Api(hub.baseUrl).get('/api/v1/health')).body.components.sfu.status === 'up',
      30_000,
      'sfu up',
    );
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    await createUser(admin, 'rdisp', 'dispatcher', root);
    const gA = await provision(admin, root, '甲', 'radio');
    const gB = await provision(admin, root, '乙', 'radio');
    tg = (
      await admin.post('/api/v1/talkgroups', { name: '防汛一组', siteId: root, gatewayIds: [gA.id, gB.id] })
    ).body as TalkgroupView;
    a = await new RadioGatewayDouble(bus, gA.id, root).start();
    b = await new RadioGatewayDouble(bus, gB.id, root).start();
    await a.join();
    await b.join();
    browser = await launchChromium([`--use-file-for-fake-audio-capture=${toneWav()}`]);
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    page = await ctx.newPage();
  }, 240_000);

  afterAll(async () => {
    console.log(`console radio numbers: ${JSON.stringify(numbers)}`);
    await browser?.close();
    await a?.stop();
    await b?.stop();
    await hub?.stop();
    await bus.onApplicationShutdown();
    await db?.drop();
  });

  it('opens the talkgroup on the 无线对讲 page; layout, axe and text hold at three sizes', async () => {
    await loginThroughForm(page, hub.baseUrl, 'rdisp', 'password-123', '/board');
    await page.getByRole('link', { name: '无线对讲' }).click();
    await page.getByRole('button', { name: /防汛一组/ }).click();
    await page.locator('[data-testid="radio-ptt"]:not([disabled])').waitFor({ timeout: 20_000 });
    await page.getByText('电台网关').waitFor();
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.waitForTimeout(300);
      await screenshot(page, `radio-${size.name}`);
      expect({ size: size.name, problems: await layoutProblems(page, RADIO_BOXES, '.radio-tx-who') }).toEqual(
        {
          size: size.name,
          problems: [],
        },
      );
      expect(await axeViolations(page)).toEqual([]);
      expect(await englishIn(page)).toEqual([]);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("carries the dispatcher's microphone to the gateway only between key and unkey", async () => {
    const quiet = performance.now();
    await sleep(1000);
    // joined, microphone sending, floor free: the gateway hears nothing
    expect(onset(b, quiet).first).toBeNull();

    const ptt = page.getByTestId('radio-ptt');
    await ptt.hover();
    const pressed = performance.now();
    await page.mouse.down();
    await page.locator('[data-testid="radio-ptt"][data-state="granted"]').waitFor({ timeout: 10_000 });
    numbers.pressToGrantMs = Number(await ptt.getAttribute('data-grant-ms'));
    await waitFor(() => onset(b, pressed).onsetMs !== null, 10_000, '1 kHz at gateway B');
    const key = b.cmdsOf('key').at(-1)!;
    const heard = onset(b, pressed);
    numbers.pressToFirstPacketAtGatewayMs = Math.round(heard.first! - pressed);
    numbers.pressToToneDetectedMs = Math.round(heard.first! - pressed + heard.onsetMs!);
    expect(key.at).toBeGreaterThanOrEqual(pressed);
    expect(heard.first!).toBeGreaterThanOrEqual(key.at - 50);
    // the floor is shown live: the page names its own user as the talker, with a timer
    await page.getByTestId('radio-timer').waitFor();
    await waitFor(
      async () => (await page.getByTestId('radio-tg').first().getAttribute('data-floor')) === 'busy',
      5000,
      'floor shown busy',
    );
    await sleep(800);

    await page.mouse.up();
    await waitFor(
      () => b.cmdsOf('unkey').some((u) => u.transmissionId === key.transmissionId),
      5000,
      'unkey',
    );
    const unkeyed = performance.now();
    await sleep(1200);
    // after the unkey nothing of the microphone reaches the gateway
    expect(onset(b, unkeyed + 200).first).toBeNull();
    const list = (
      await new Api(hub.baseUrl, await tokenOf('rdisp')).get(`/api/v1/talkgroups/${tg.id}/transmissions`)
    ).body as { talker: { kind: string } }[];
    expect(list[0]!.talker.kind).toBe('user');
    await page.getByTestId('radio-transmissions').getByText('调度台').first().waitFor();
    // 回放: the recording (A-law WAV behind the bearer token) plays in the page
    await page.getByTestId('radio-transmissions').getByRole('button', { name: '回放' }).first().click();
    const replay = page.getByTestId('radio-replay');
    await replay.waitFor();
    await waitFor(
      async () => (await replay.evaluate((el) => (el as unknown as { duration: number }).duration)) > 0.5,
      5000,
      'the recording loaded with its length',
    );
  });

  it("plays a radio user's reply in the page (1.5 kHz heard by an AnalyserNode)", async () => {
    await sleep(500); // past the hang time
    await a.state(true);
    await page.getByTestId('radio-floor').filter({ hasText: '电台 甲' }).waitFor({ timeout: 5000 });
    const sending = a.sendFrames(tone(3000, 1500));
    await sleep(400);
    const heard = await heardInPage(page, 1500);
    const meter = await page
      .getByTestId('radio-meter')
      .evaluate((m) => (m as unknown as { value: number }).value);
    await sending;
    await a.state(false);
    numbers.pageMeterDuringReply = Math.round(meter * 100) / 100;
    expect(Math.abs(heard.peakHz - 1500)).toBeLessThan(40);
    expect(heard.peakDb).toBeGreaterThan(-60);
    expect(meter).toBeGreaterThan(0.3);
  });

  it('answers 信道忙 with who holds the floor when a radio emergency holds it; the alarm is acknowledged', async () => {
    await sleep(500);
    await b.emergency();
    const alarm = page.getByTestId('radio-emergency');
    await alarm.waitFor({ timeout: 5000 });
    await page.getByTestId('radio-floor').filter({ hasText: '电台 乙' }).waitFor({ timeout: 5000 });
    await page.getByTestId('radio-ptt').hover();
    await page.mouse.down();
    const busy = page.getByTestId('radio-busy');
    await busy.waitFor({ timeout: 5000 });
    expect(await busy.innerText()).toContain('电台 乙');
    expect(await busy.innerText()).toContain('紧急');
    await page.mouse.up();
    expect(await englishIn(page)).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await alarm.getByRole('button', { name: '确认处理' }).click();
    await alarm.waitFor({ state: 'detached', timeout: 5000 });
  });

  async function tokenOf(username: string): Promise<string> {
    const res = await new Api(hub.baseUrl).post('/api/v1/auth/login', { username, password: 'password-123' });
    return res.body.accessToken as string;
  }
});
