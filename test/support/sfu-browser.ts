import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's chromium with fake camera and microphone; a test never downloads a browser. */
export function launchMediaBrowser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'yihu-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      // three participants share one browser: none may be throttled as a background tab
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
}

export interface ReceiveStats {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  bytesReceived: number;
  framesDecoded: number;
}

/** A participant: the /sfu/client page driving the shared SfuClient through window.yihuSfu. */
export class Participant {
  peerId = '';
  constructor(readonly page: Page) {}

  static async join(
    ctx: BrowserContext,
    baseUrl: string,
    token: string,
    consultationId: string,
    publish = true,
  ): Promise<Participant> {
    const page = await ctx.newPage();
    await page.goto(`${baseUrl}/sfu/client`);
    await page.waitForFunction(() => Boolean((globalThis as any).yihuSfu));
    const p = new Participant(page);
    p.peerId = await page.evaluate(
      async ({ token, consultationId, publish }) => {
        const g = globalThis as any;
        g.events = [];
        const c = await g.yihuSfu.SfuClient.join({ baseUrl: g.location.origin, token, consultationId });
        g.client = c;
        for (const name of [
          'sfu:room-closed',
          'sfu:rollcall',
          'sfu:rollcall-answer',
          'sfu:producer-paused',
          'sfu:removed',
          'sfu:active-speaker',
        ]) {
          c.on(name, (payload: unknown) => g.events.push({ name, payload }));
        }
        if (publish) {
          const stream = await g.navigator.mediaDevices.getUserMedia({
            audio: true,
            video: { width: 640, height: 360 },
          });
          await c.publish(stream);
        }
        return c.peerId as string;
      },
      { token, consultationId, publish },
    );
    return p;
  }

  stats(): Promise<ReceiveStats[]> {
    return this.page.evaluate(() => (globalThis as any).client.receiveStats());
  }

  /** Calls a method of the page's SfuClient; resolves with {ok, value} or {ok: false, error}. */
  call(method: string, ...args: unknown[]): Promise<{ ok: boolean; value?: any; error?: string }> {
    return this.page.evaluate(
      async ({ method, args }) => {
        try {
          return { ok: true, value: await (globalThis as any).client[method](...args) };
        } catch (err) {
          return { ok: false, error: (err as Error).message };
        }
      },
      { method, args },
    );
  }

  events(name: string): Promise<any[]> {
    return this.page.evaluate(
      (n) => (globalThis as any).events.filter((e: any) => e.name === n).map((e: any) => e.payload),
      name,
    );
  }
}
