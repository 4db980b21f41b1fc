import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../support/async.js';
import { launchChromium, loginThroughForm } from '../support/browser.js';
import { adminLogin, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

/** The directives of a Content-Security-Policy header, by name. */
function parseCsp(header: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), values);
  }
  return out;
}

function expectSecurityHeaders(what: string, headers: Headers): void {
  const csp = parseCsp(headers.get('content-security-policy'));
  const scripts = csp.get('script-src') ?? csp.get('default-src');
  expect({ what, scripts }).toEqual({ what, scripts: ["'self'"] });
  expect({ what, frame: csp.get('frame-ancestors') }).toEqual({ what, frame: ["'none'"] });
  expect({ what, object: csp.get('object-src') }).toEqual({ what, object: ["'none'"] });
  expect({ what, base: csp.get('base-uri') }).toEqual({ what, base: ["'none'"] });
  expect({ what, def: csp.get('default-src') }).toEqual({ what, def: ["'self'"] });
  expect({
    what,
    xfo: headers.get('x-frame-options'),
    referrer: headers.get('referrer-policy'),
    nosniff: headers.get('x-content-type-options'),
    poweredBy: headers.get('x-powered-by'),
  }).toEqual({ what, xfo: 'DENY', referrer: 'no-referrer', nosniff: 'nosniff', poweredBy: null });
}

/**
 * Security headers on every answer of the hub (pages, API, errors, Engine.IO), and the
 * Content-Security-Policy checked where it matters: in a real Chromium, the pages work under
 * it, and a script injected as markup does not run.
 */
describe('security headers and Content-Security-Policy', () => {
  let hub: HubProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** A page that records every CSP violation the browser reports. */
  const newPage = async (): Promise<Page> => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.addInitScript(() => {
      const g = globalThis as any;
      g.__violations = [];
      g.document.addEventListener('securitypolicyviolation', (e: any) =>
        g.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    return page;
  };
  const violations = (page: Page) => page.evaluate(() => (globalThis as any).__violations as string[]);

  /**
   * Markup with an inline handler put into the live page, as a page bug would: the image
   * fails to load, and the handler must not run.
   */
  async function injectedHandlerRuns(page: Page): Promise<boolean> {
    await page.evaluate(() => {
      const g = globalThis as any;
      g.document.body.insertAdjacentHTML(
        'beforeend',
        '<img id="probe" src="/no-such-image.png" onerror="window.__pwned = true">',
      );
      g.document.getElementById('probe').addEventListener('error', () => (g.__errored = true));
    });
    await page.waitForFunction(() => (globalThis as any).__errored === true);
    return page.evaluate(() => (globalThis as any).__pwned === true);
  }

  beforeAll(async () => {
    hub = await startHub();
    const admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    await createUser(admin, 'disp-csp', 'dispatcher', rootId);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('every answer carries CSP, X-Frame-Options, Referrer-Policy and nosniff, and no X-Powered-By', async () => {
    const get = (path: string, init?: RequestInit) => fetch(`${hub.baseUrl}${path}`, init);
    const answers: [string, Response, number][] = [
      ['console /', await get('/'), 200],
      ['console asset 404', await get('/assets/no-such.js'), 404],
      ['/sfu/client', await get('/sfu/client'), 200],
      ['/sfu/client script', await get('/sfu/client/sfu-client.js'), 200],
      ['API 200', await get('/api/v1/health'), 200],
      ['API 401', await get('/api/v1/auth/me'), 401],
      ['API 404', await get('/api/v1/no-such-route'), 404],
      [
        'API 400 (schema)',
        await get('/api/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'x' }),
        }),
        400,
      ],
      [
        'API 400 (malformed JSON)',
        await get('/api/v1/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"username":',
        }),
        400,
      ],
      // Engine.IO answers long-polling itself, outside Express
      ['Engine.IO handshake', await get('/socket.io/?EIO=4&transport=polling'), 200],
      ['/api/docs', await get('/api/docs'), 200],
    ];
    for (const [what, res, status] of answers) {
      expect({ what, status: res.status }).toEqual({ what, status });
      expectSecurityHeaders(what, res.headers);
    }
    // the pages' own policy allows no inline style either; only Swagger UI needs it
    const page = parseCsp((await get('/sfu/client')).headers.get('content-security-policy'));
    expect(page.get('style-src')).toEqual(["'self'"]);
  });

  it('the console works under the policy (socket online), and injected markup cannot run script', async () => {
    const page = await newPage();
    await loginThroughForm(page, hub.baseUrl, 'disp-csp', 'password-123', '/board');
    expect(await injectedHandlerRuns(page)).toBe(false);
    const seen = await violations(page);
    // the only violation is the injected handler itself
    expect(seen).toEqual(['script-src-attr inline']);
  });

  it('/sfu/client loads its script and stylesheet under the policy, and injected markup cannot run script', async () => {
    const page = await newPage();
    await page.goto(`${hub.baseUrl}/sfu/client`);
    await page.waitForFunction(() => Boolean((globalThis as any).yihuSfu));
    const selfWidth = await page.evaluate(() => {
      const g = globalThis as any;
      return g.getComputedStyle(g.document.getElementById('self')).width as string;
    });
    expect(selfWidth).toBe('160px');
    expect(await violations(page)).toEqual([]);
    expect(await injectedHandlerRuns(page)).toBe(false);
  });

  it('the OpenAPI page at /api/docs renders under its own policy', async () => {
    const page = await newPage();
    await page.goto(`${hub.baseUrl}/api/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();
    await waitFor(async () => (await page.locator('.opblock').count()) > 0, 15_000, 'operations listed');
    expect(await violations(page)).toEqual([]);
  });
});
