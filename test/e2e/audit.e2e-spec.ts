import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext } from 'playwright-core';
import type { AuditEntryView } from '#contracts';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { launchChromium, loginThroughForm, screenshot } from '../support/browser.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

/** The audit log from outside: paging back through the whole chain, the anchor, what is recorded. */
describe('audit log (embedded hub)', () => {
  let hub: HubProcess;
  let admin: Api;
  let rootId: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // start-up is slow on a loaded machine (PGlite's first migrations): a generous limit
    hub = await startHub({ AUDIT_ANCHOR_SECONDS: '1', SFU_ENABLED: 'false' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    // 250 entries and more: each site is one `site.create` entry
    for (let i = 1; i <= 250; i += 1) await createSite(admin, `审计镇 ${i}`, 'township', rootId);
    browser = await launchChromium();
  }, 400_000);
  afterAll(async () => {
    for (const ctx of contexts) await ctx.close().catch(() => undefined);
    await browser?.close();
    await hub?.stop();
  });

  it('walks back through every entry to seq 1 with beforeSeq', async () => {
    const newest = (await admin.get<AuditEntryView[]>('/api/v1/audit?limit=1')).body[0]!.seq;
    expect(newest).toBeGreaterThanOrEqual(250);
    const seen: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 20; pages += 1) {
      const res = await admin.get<AuditEntryView[]>(
        `/api/v1/audit?limit=100${before ? `&beforeSeq=${before}` : ''}`,
      );
      expect(res.status).toBe(200);
      if (res.body.length === 0) break;
      seen.push(...res.body.map((e) => e.seq));
      before = res.body.at(-1)!.seq;
    }
    expect(seen).toEqual(Array.from({ length: newest }, (_, i) => newest - i));
    expect((await admin.get('/api/v1/audit?beforeSeq=0')).status).toBe(400);
  });

  it('the console loads older pages until seq 1', async () => {
    const newest = (await admin.get<AuditEntryView[]>('/api/v1/audit?limit=1')).body[0]!.seq;
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 900 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await loginThroughForm(page, hub.baseUrl, 'admin', 'admin-password-1', '/audit');
    const rows = page.locator('section.audit tbody tr');
    await waitFor(async () => (await rows.count()) === 100, 10_000, 'the first page');
    for (let clicks = 0; clicks < 10 && (await page.getByTestId('audit-load-more').count()); clicks += 1) {
      const before = await rows.count();
      await page.getByTestId('audit-load-more').click();
      await waitFor(async () => (await rows.count()) > before, 10_000, 'an older page');
    }
    // the page's own login is audited too (without waiting), so its first page may start a
    // row or two above `newest`: every row from its head down to seq 1, once, in order
    const seqs = (await rows.locator('td:first-child').allTextContents()).map(Number);
    const head = seqs[0]!;
    expect(head).toBeGreaterThanOrEqual(newest);
    expect(seqs).toEqual(Array.from({ length: head }, (_, i) => head - i));
    await screenshot(page, 'audit-paged');
  });

  it('anchors the head in DATA_DIR (0600) and verify reports it', async () => {
    const file = join(hub.env.DATA_DIR!, 'audit-anchor.json');
    const newest = (await admin.get<AuditEntryView[]>('/api/v1/audit?limit=1')).body[0]!.seq;
    await waitFor(
      () => existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { seq: number }).seq >= newest,
      15_000,
      'the anchored head',
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(hub.env.DATA_DIR!, 'audit-key')).mode & 0o777).toBe(0o600);
    const check = await admin.get('/api/v1/audit/verify');
    expect(check.body).toMatchObject({ ok: true, anchor: { seq: expect.any(Number) } });
    expect(check.body.anchor.seq).toBeGreaterThanOrEqual(newest);
    expect(hub.output()).not.toContain(readFileSync(join(hub.env.DATA_DIR!, 'audit-key'), 'utf8').trim());
  });

  it("keeps a directive's body in its audit entry", async () => {
    const town = await createSite(admin, '指令目标镇', 'township', rootId);
    const dispatcher = await createUser(admin, 'audit-disp', 'dispatcher', rootId);
    const body = '请各村立即转移低洼地带群众。'.repeat(20);
    const issued = await dispatcher.api.post('/api/v1/directives', {
      title: '转移通知',
      body,
      level: 'orange',
      targets: { siteIds: [town] },
    });
    expect(issued.status).toBe(201);
    const entries = (await admin.get<AuditEntryView[]>(`/api/v1/audit?subjectId=${issued.body.id}`)).body;
    const issue = entries.find((e) => e.action === 'directive.issue');
    expect(issue?.data).toMatchObject({ title: '转移通知', body });
  });
});
