import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from './hub-process.js';

/** Debian's chromium (apt); a test never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

/** `extraArgs`: e.g. `--use-file-for-fake-audio-capture=<wav>`, a microphone that says a known tone. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      // the duty-room alarm may play without a click in the test
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--disable-gpu',
      '--disable-quic',
      // two consoles side by side: neither may be throttled as a background tab
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      ...extraArgs,
    ],
  });
}

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Runs axe-core in the page and returns its violations (id, impact, first targets). */
export async function axeViolations(
  page: Page,
): Promise<{ id: string; impact: string | null; targets: string[] }[]> {
  // evaluated through the DevTools protocol: a <script> tag would be inline script, which
  // the pages' Content-Security-Policy refuses (docs/security.md)
  await page.evaluate(readFileSync(axePath, 'utf8'));
  // a string, so this Node-typed file needs no DOM types
  return page.evaluate(`(async () => {
    const res = await window.axe.run(document, { resultTypes: ['violations'] });
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  })()`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * Logs in through the form, as a person would, and waits for the landing page. A duty
 * officer whose browser was never asked about OS notifications lands behind
 * 「点击进入值守」 (the page asks there); it is clicked, as the officer would, unless
 * `enterDuty` is false.
 */
export async function loginThroughForm(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
  landing: string,
  { enterDuty = true }: { enterDuty?: boolean } = {},
): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(`**${landing}`);
  await page.locator('[data-testid="conn-state"][data-state="online"]').waitFor();
  // the gate is part of the duty page's first render: there now, or not at all
  if (enterDuty && (await page.getByTestId('duty-gate').count()) > 0)
    await page.getByRole('button', { name: '点击进入值守' }).click();
}

/** The three screens of issue 22: a duty room's desktop, a tablet, a phone. */
export const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'tablet', width: 1024, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/**
 * Pairs of visible elements matching `selector` whose boxes intersect by more than `slack`
 * px both ways (an element and its own descendant aside), named by class and text.
 * Evaluated as a string, so this Node-typed file needs no DOM types.
 */
export function overlapping(page: Page, selector: string, slack = 1): Promise<string[]> {
  return page.evaluate(`(() => {
    const els = [...document.querySelectorAll(${JSON.stringify(selector)})].filter((e) => e.getClientRects().length > 0);
    const name = (e) => (typeof e.className === 'string' ? e.className : e.tagName) + ' "' + (e.textContent || '').trim().slice(0, 20) + '"';
    const out = [];
    for (let i = 0; i < els.length; i++)
      for (let j = i + 1; j < els.length; j++) {
        const a = els[i], b = els[j];
        if (a.contains(b) || b.contains(a)) continue;
        const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
        const w = Math.min(r.right, s.right) - Math.max(r.left, s.left);
        const h = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
        if (w > ${slack} && h > ${slack}) out.push(name(a) + ' / ' + name(b));
      }
    return out;
  })()`);
}

/** Whether the page scrolls sideways (on a phone it would zoom out and everything overlaps), and what sticks out. */
export async function sidewaysScroll(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth + 1) return [];
    // the innermost elements past the right edge name the culprit
    const out = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1 && ![...e.children].some((c) => c.getBoundingClientRect().right > root.clientWidth + 1))
      .slice(0, 3)
      .map((e) => e.tagName.toLowerCase() + '.' + (typeof e.className === 'string' ? e.className : '') + ' ' + Math.round(e.getBoundingClientRect().right));
    return ['page scrolls sideways: ' + root.scrollWidth + ' > ' + root.clientWidth + ' (' + out.join(', ') + ')'];
  })()`);
}

/**
 * Texts inside `selector` laid out one or two characters a line (红/色: a column squeezed
 * to nothing). A sentence wrapping over a few lines is fine.
 */
export function oneCharLines(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(`(() => {
    const out = [];
    for (const cell of document.querySelectorAll(${JSON.stringify(selector)})) {
      if (cell.getClientRects().length === 0) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent.replace(/\\s+/g, '');
        if (text.length < 2) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size >= 2 && tops.size * 2 >= text.length) out.push(text);
      }
    }
    return out;
  })()`);
}

/** Overlaps among `selector`, one-character lines in `cells` (none if empty), and a sideways scroll: all at once, for one expect. */
export async function layoutProblems(page: Page, selector: string, cells = 'td, th'): Promise<string[]> {
  return [
    ...(await sidewaysScroll(page)),
    ...(await overlapping(page, selector)).map((p) => `overlap: ${p}`),
    ...(cells ? await oneCharLines(page, cells) : []).map((p) => `one character a line: ${p}`),
  ];
}
