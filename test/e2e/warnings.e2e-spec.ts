import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { validateCap } from '#cap';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { ROOT, startHub, tempDataDir, type HubProcess } from '../support/hub-process.js';
import { provision, TestDevice, topics } from '../support/terminals.js';

const run = promisify(execFile);
const XSD = join(ROOT, 'libs/cap/schema/cap12.xsd');
const FIXTURES = join(ROOT, 'test/fixtures/cap');

/** xmllint (Debian libxml2-utils), no network: the second, independent validator. */
async function xmllint(xml: string): Promise<{ ok: boolean; out: string }> {
  const file = join(tempDataDir(), 'alert.xml');
  writeFileSync(file, xml);
  try {
    const r = await run('xmllint', ['--noout', '--nonet', '--schema', XSD, file]);
    return { ok: true, out: r.stderr };
  } catch (err) {
    return { ok: false, out: String((err as { stderr?: string }).stderr ?? err) };
  }
}

const hours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

/**
 * 预警信息发布 against the built hub: the workflow by different people, publication reaching
 * a duty officer's socket.io console (签收) and a real MQTT terminal with `kind: "warning"`,
 * CAP out (validated twice), update and cancel as new messages, coverage, the commander's
 * emergency path, CAP import, and the refusals of bad input.
 */
describe('warnings end to end', () => {
  let hub: HubProcess;
  let admin: Api;
  let county: string;
  let towns: string[];
  let editor: { id: string; api: Api; token: string };
  let chief: { id: string; api: Api; token: string };
  let deputy: { id: string; api: Api; token: string };
  let east: { id: string; api: Api; token: string };
  let outsider: { id: string; api: Api; token: string };
  let console_: TestConsole;
  let device: TestDevice;
  const notices: { kind: string; directiveId: string; text: string }[] = [];

  const site = async (name: string, kind: string, parentId: string, regionCode: string) => {
    const res = await admin.post('/api/v1/sites', { name, kind, parentId, regionCode });
    if (res.status !== 201) throw new Error(`site ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const draft = (overrides: Record<string, unknown> = {}) => ({
    event: '暴雨',
    level: 'orange',
    headline: '县气象台发布暴雨橙色预警',
    description: '预计未来6小时内东镇、西镇降雨量将达50毫米以上。',
    instruction: '请各乡镇做好山洪地质灾害防范，转移危险区域群众。',
    areas: { regionCodes: ['330106'] },
    onset: hours(1),
    expires: hours(6),
    ...overrides,
  });

  beforeAll(async () => {
    hub = await startHub({ SFU_WORKERS: '1' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    county = await site('预警县', 'command', root, '330106');
    towns = [
      await site('东镇', 'township', county, '330106001'),
      await site('西镇', 'township', county, '330106002'),
    ];
    const other = await site('邻县', 'command', root, '330107');
    await site('邻镇', 'township', other, '330107001');
    editor = await createUser(admin, 'w-editor', 'dispatcher', county);
    chief = await createUser(admin, 'w-chief', 'commander', county);
    deputy = await createUser(admin, 'w-deputy', 'commander', county);
    east = await createUser(admin, 'w-east', 'duty_officer', towns[0]!);
    outsider = await createUser(admin, 'w-outsider', 'dispatcher', other);
    console_ = await openConsole(hub.baseUrl, east.token);
    const creds = await provision(admin, towns[0]!, '东镇预警终端');
    device = await TestDevice.connect(`mqtt://127.0.0.1:${hub.env.MQTT_PORT}`, creds);
    device.confirmReceipts();
    await device.client.subscribeAsync(topics(creds.id).notices, { qos: 1 });
    device.client.on('message', (topic, payload) => {
      if (topic === topics(creds.id).notices) notices.push(JSON.parse(payload.toString()));
    });
  }, 240_000);

  afterAll(async () => {
    if (process.env.WARN_DEBUG) writeFileSync('/tmp/warn-hub.log', hub.output());
    console_?.close();
    await device?.end().catch(() => undefined);
    await hub?.stop();
  });

  let published: { id: string; identifier: string; directiveId: string };

  it('drafts, reviews by another person, publishes to consoles and terminals, and 签收 counts', async () => {
    const desk = await openConsole(hub.baseUrl, editor.token);
    const changes: { id: string; state: string }[] = [];
    desk.socket.on('warning.changed', (p: { id: string; state: string }) => changes.push(p));
    const created = await editor.api.post('/api/v1/warnings', draft());
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('draft');
    expect(created.body.identifier).toMatch(/^330106000000\d\d_\d{14}_\d$/);
    expect(created.body.identifier).toHaveLength(31);
    const id = created.body.id as string;
    const path = `/api/v1/warnings/${id}`;

    const early = await editor.api.post(`${path}/publish`, {});
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/not approved/);
    expect((await editor.api.post(`${path}/submit`, {})).body.state).toBe('review');
    // a dispatcher never signs off; an approver never signs off their own draft (next test)
    expect((await editor.api.post(`${path}/approve`, {})).status).toBe(403);
    const approved = await chief.api.post(`${path}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      state: 'approved',
      approvedBy: chief.id,
      createdBy: editor.id,
      // the default: a console asks for a second person
      selfApprovalAllowed: false,
    });

    const publish = await editor.api.post(`${path}/publish`, {});
    expect(publish.status).toBe(200);
    expect(publish.body).toMatchObject({ state: 'published', publishedBy: editor.id, emergency: false });
    expect(publish.body.history.map((s: { step: string }) => s.step)).toEqual([
      'created',
      'submitted',
      'approved',
      'published',
    ]);
    const directiveId = publish.body.directiveId as string;
    published = { id, identifier: created.body.identifier, directiveId };
    expect((await editor.api.post(`${path}/publish`, {})).status).toBe(409);

    const pushed = await waitFor(
      () => console_.directives.find((d) => d.id === directiveId),
      10_000,
      'console',
    );
    expect(pushed).toMatchObject({
      kind: 'warning',
      warningId: id,
      level: 'orange',
      title: draft().headline,
    });
    expect((await console_.ack(directiveId)).ok).toBe(true);
    const msg = await waitFor(
      () => device.received.find((m) => m.directiveId === directiveId),
      20_000,
      'terminal',
    );
    expect(msg).toMatchObject({ kind: 'warning', warningId: id, title: draft().headline });

    const coverage = await waitFor(
      async () => {
        const c = (await editor.api.get(`${path}/coverage`)).body;
        return c.byChannel.terminal === 1 && c.acknowledged === 1 ? c : undefined;
      },
      20_000,
      'coverage',
    );
    // the county itself and its two townships lie in 330106: the county's desk console and
    // 东镇's console and terminal are reached, 西镇 has nothing connected
    expect(coverage).toMatchObject({
      targets: 3,
      delivered: 2,
      acknowledged: 1,
      byChannel: { console: 2, terminal: 1, radio: 0 },
    });
    expect(coverage.deliveredWithinSeconds.p50).toBeLessThan(10);
    expect(coverage.leadTimeSeconds).toBeGreaterThan(3000);
    expect(coverage.leadTimeShort).toBe(false);

    // the directive carries the link; the duty officer sees the warning (read only)
    expect((await east.api.get(`/api/v1/directives/${directiveId}`)).body.warningId).toBe(id);
    expect((await east.api.get(path)).status).toBe(200);
    expect((await outsider.api.get(path)).status).toBe(404);

    // the desk heard every step; the audit chain holds every step
    await waitFor(() => changes.filter((c) => c.id === id).length >= 4, 10_000, 'warning.changed');
    expect(changes.filter((c) => c.id === id).map((c) => c.state)).toEqual([
      'draft',
      'review',
      'approved',
      'published',
    ]);
    desk.close();
    const audit = (await admin.get(`/api/v1/audit?subjectId=${id}`)).body as { action: string }[];
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining(['warning.created', 'warning.submitted', 'warning.approved', 'warning.publish']),
    );
  }, 60_000);

  it('publishes CAP 1.2 that validates with #cap and with xmllint, and lists it in the feed', async () => {
    const res = await fetch(`${hub.baseUrl}/api/v1/warnings/${published.id}/cap`, {
      headers: { authorization: `Bearer ${editor.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const xml = await res.text();
    expect(await validateCap(xml)).toMatchObject({ valid: true, version: '1.2', errors: [] });
    const lint = await xmllint(xml);
    expect(lint).toMatchObject({ ok: true });
    expect(lint.out).toMatch(/validates/);
    expect(xml).toContain(`<identifier>${published.identifier}</identifier>`);
    expect(xml).toContain('<severity>Severe</severity>');
    expect(xml).toContain('<status>Actual</status>');
    expect(xml).toContain('<language>zh-CN</language>');
    expect(xml).toMatch(/<onset>[^<]+\+08:00<\/onset>/);
    expect(xml).toMatch(/<geocode>\s*<valueName>GB\/T 2260<\/valueName>\s*<value>330106<\/value>/);

    const feed = await fetch(`${hub.baseUrl}/api/v1/warnings/feed.atom`, {
      headers: { authorization: `Bearer ${east.token}` },
    });
    expect(feed.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    expect(await feed.text()).toContain(published.identifier);
    expect((await fetch(`${hub.baseUrl}/api/v1/warnings/feed.atom`)).status).toBe(401);
  });

  it('an update is a new message with references; the terminal gets it on notices; cancel ends it', async () => {
    expect((await editor.api.post(`/api/v1/warnings/${published.id}/update`, { level: 'red' })).status).toBe(
      403,
    );
    const upd = await chief.api.post(`/api/v1/warnings/${published.id}/update`, {
      level: 'red',
      headline: '暴雨橙色预警升级为红色预警',
    });
    expect(upd.status).toBe(201);
    expect(upd.body).toMatchObject({
      msgType: 'Update',
      state: 'published',
      level: 'red',
      previousId: published.id,
    });
    expect(upd.body.identifier).not.toBe(published.identifier);
    expect(upd.body.references).toEqual([
      expect.objectContaining({
        identifier: published.identifier,
        sender: expect.stringMatching(/^yihu@330106/),
      }),
    ]);
    const original = (await editor.api.get(`/api/v1/warnings/${published.id}`)).body;
    expect(original).toMatchObject({ state: 'superseded', supersededById: upd.body.id });
    await waitFor(
      () => notices.find((n) => n.kind === 'update' && n.directiveId === published.directiveId),
      20_000,
      'update notice',
    );
    expect(notices.find((n) => n.kind === 'update')!.text).toContain('暴雨橙色预警升级为红色预警');
    const xml = await (
      await fetch(`${hub.baseUrl}/api/v1/warnings/${upd.body.id}/cap`, {
        headers: { authorization: `Bearer ${chief.token}` },
      })
    ).text();
    expect(xml).toContain('<msgType>Update</msgType>');
    expect(xml).toMatch(
      new RegExp(`<references>yihu@330106\\.000,${published.identifier},[^<]+\\+08:00</references>`),
    );
    expect((await validateCap(xml)).valid).toBe(true);
    expect((await xmllint(xml)).ok).toBe(true);

    // the superseded original is not updated again
    expect((await chief.api.post(`/api/v1/warnings/${published.id}/update`, { level: 'blue' })).status).toBe(
      409,
    );
    const cancel = await chief.api.post(`/api/v1/warnings/${upd.body.id}/cancel`, { reason: '雨势减弱' });
    expect(cancel.status).toBe(201);
    expect(cancel.body).toMatchObject({ msgType: 'Cancel', state: 'cancelled' });
    expect(cancel.body.references).toHaveLength(2);
    expect((await chief.api.get(`/api/v1/warnings/${upd.body.id}`)).body).toMatchObject({
      state: 'cancelled',
      cancelReason: '雨势减弱',
    });
    await waitFor(() => notices.find((n) => n.kind === 'cancel'), 20_000, 'cancel notice');
    const again = await chief.api.post(`/api/v1/warnings/${upd.body.id}/update`, { level: 'blue' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/cancelled/);
    expect((await chief.api.get(`/api/v1/directives/${published.directiveId}`)).body.status).toBe(
      'cancelled',
    );
    const listed = (await chief.api.get('/api/v1/warnings?state=cancelled')).body.map(
      (w: { id: string }) => w.id,
    );
    expect(listed).toEqual(expect.arrayContaining([upd.body.id, cancel.body.id]));
  }, 60_000);

  it('a commander publishes before sign-off (recorded); others may not; sign-off follows', async () => {
    const created = await editor.api.post(
      '/api/v1/warnings',
      draft({ level: 'red', onset: hours(0.2), status: 'Exercise', areas: { regionCodes: ['330106002'] } }),
    );
    const path = `/api/v1/warnings/${created.body.id}`;
    expect((await editor.api.post(`${path}/publish`, { emergency: true })).status).toBe(403);
    const res = await chief.api.post(`${path}/publish`, { emergency: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'published', emergency: true, approvedAt: null });
    expect(res.body.history.map((s: { step: string }) => s.step)).toContain('emergency_published');
    expect((await chief.api.post(`${path}/publish`, { emergency: true })).status).toBe(409);
    const signed = await deputy.api.post(`${path}/approve`, {});
    expect(signed.body).toMatchObject({ state: 'published', approvedBy: deputy.id });
    const coverage = (await chief.api.get(`${path}/coverage`)).body;
    expect(coverage).toMatchObject({ targets: 1, leadTimeShort: true });
    const xml = await (
      await fetch(`${hub.baseUrl}${path}/cap`, { headers: { authorization: `Bearer ${chief.token}` } })
    ).text();
    expect(xml).toContain('<status>Exercise</status>');
    expect(xml).toContain('<severity>Extreme</severity>');
    expect((await chief.api.get(`/api/v1/directives/${res.body.directiveId}`)).body.drill).toBe(true);
  });

  it('expires at its expires time: the state reads expired and the job records it', async () => {
    const created = await editor.api.post(
      '/api/v1/warnings',
      draft({ onset: new Date().toISOString(), expires: new Date(Date.now() + 5000).toISOString() }),
    );
    const path = `/api/v1/warnings/${created.body.id}`;
    await editor.api.post(`${path}/submit`, {});
    await chief.api.post(`${path}/approve`, {});
    expect((await editor.api.post(`${path}/publish`, {})).body.state).toBe('published');
    const expired = await waitFor(
      async () => {
        const w = (await editor.api.get(path)).body;
        return w.history.some((s: { step: string }) => s.step === 'expired') ? w : undefined;
      },
      30_000,
      'the expiry job',
    );
    expect(expired.state).toBe('expired');
    const listed = (await editor.api.get('/api/v1/warnings?state=expired')).body.map(
      (w: { id: string }) => w.id,
    );
    expect(listed).toContain(created.body.id);
    expect((await chief.api.post(`${path}/update`, { level: 'red' })).status).toBe(409);
  }, 45_000);

  it('an approver may not sign off their own draft', async () => {
    const created = await chief.api.post('/api/v1/warnings', draft());
    const path = `/api/v1/warnings/${created.body.id}`;
    await chief.api.post(`${path}/submit`, {});
    const own = await chief.api.post(`${path}/approve`, {});
    expect(own.status).toBe(403);
    expect(own.body.message).toMatch(/editor/);
    const rejected = await deputy.api.post(`${path}/reject`, { reason: '范围不准确' });
    expect(rejected.body).toMatchObject({ state: 'draft', rejectReason: '范围不准确' });
  });

  const importXml = (body: string | Buffer, type = 'application/cap+xml') =>
    fetch(`${hub.baseUrl}/api/v1/warnings/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor.token}`, 'content-type': type },
      body,
    });

  it('imports a CAP 1.2 alert as a draft; refuses CAP 1.1 and a hostile document', async () => {
    const ok = await importXml(readFileSync(join(FIXTURES, 'canada.cap')));
    const created = (await ok.json()) as { id: string; state: string };
    expect(created).toMatchObject({ state: 'draft' });
    expect(ok.status).toBe(201);
    const view = (await editor.api.get(`/api/v1/warnings/${created.id}`)).body;
    expect(view.importedFrom.identifier).toBeTruthy();
    expect(view.areas.regionCodes).toEqual(['330106']);
    expect(view.history[0].step).toBe('imported');
    // ready for review
    expect((await editor.api.post(`/api/v1/warnings/${created.id}/submit`, {})).body.state).toBe('review');

    // the hub's own CAP comes back with its GB/T 2260 area and its English block
    const own = await editor.api.post(
      '/api/v1/warnings',
      draft({
        areas: { regionCodes: ['330106001'] },
        en: { headline: 'Orange rainstorm warning', description: 'Heavy rain expected.' },
      }),
    );
    const ownXml = await (
      await fetch(`${hub.baseUrl}/api/v1/warnings/${own.body.id}/cap`, {
        headers: { authorization: `Bearer ${editor.token}` },
      })
    ).text();
    expect(ownXml).toContain('<language>en-US</language>');
    expect((await xmllint(ownXml)).ok).toBe(true);
    const back = await importXml(ownXml);
    expect(back.status).toBe(201);
    const again = (await editor.api.get(`/api/v1/warnings/${((await back.json()) as { id: string }).id}`))
      .body;
    expect(again).toMatchObject({
      level: 'orange',
      headline: draft().headline,
      areas: { regionCodes: ['330106001'] },
      en: { headline: 'Orange rainstorm warning' },
      importedFrom: { identifier: own.body.identifier },
    });

    const old = await importXml(readFileSync(join(FIXTURES, 'weather.cap')));
    expect(old.status).toBe(400);
    expect(((await old.json()) as { message: string }).message).toMatch(/unsupported version/);
    const hostile = await importXml(readFileSync(join(FIXTURES, 'xee.cap')));
    expect(hostile.status).toBe(400);
    expect(((await hostile.json()) as { message: string }).message).toMatch(/DOCTYPE|entit/i);
    expect((await importXml('<alert/>', 'text/plain')).status).toBe(415);
    expect((await importXml(Buffer.alloc(300 * 1024, 0x20))).status).toBe(413);
  });

  it('refuses bad input with a reason', async () => {
    const bad = async (body: unknown, status: number, pattern: RegExp) => {
      const res = await editor.api.post('/api/v1/warnings', body);
      expect(res.status).toBe(status);
      expect(JSON.stringify(res.body)).toMatch(pattern);
    };
    await bad(draft({ onset: hours(3), expires: hours(2) }), 400, /expires/);
    await bad(draft({ level: 'purple' }), 400, /level/);
    await bad(draft({ areas: { regionCodes: ['33010'] } }), 400, /regionCodes/);
    await bad(
      draft({ areas: { regionCodes: ['330106'], polygons: ['30,120 31,120 31,121 30,121'] } }),
      400,
      /first and last/,
    );
    await bad(draft({ areas: { regionCodes: ['330107'] } }), 403, /outside your scope: 330107/);
    await bad({ ...draft(), extra: 1 }, 400, /extra/);
    expect((await outsider.api.post(`/api/v1/warnings/${published.id}/submit`, {})).status).toBe(404);
    expect((await editor.api.get('/api/v1/warnings/not-a-uuid')).status).toBe(400);
    expect((await editor.api.get('/api/v1/warnings?state=bogus')).status).toBe(400);
    expect((await east.api.post('/api/v1/warnings', draft())).status).toBe(403);

    // every endpoint is in the OpenAPI document
    const doc = (await admin.get('/api/docs/openapi.json')).body as { paths: Record<string, unknown> };
    for (const path of [
      '/api/v1/warnings',
      '/api/v1/warnings/feed.atom',
      '/api/v1/warnings/import',
      '/api/v1/warnings/{id}',
      '/api/v1/warnings/{id}/cap',
      '/api/v1/warnings/{id}/coverage',
      '/api/v1/warnings/{id}/submit',
      '/api/v1/warnings/{id}/approve',
      '/api/v1/warnings/{id}/reject',
      '/api/v1/warnings/{id}/publish',
      '/api/v1/warnings/{id}/update',
      '/api/v1/warnings/{id}/cancel',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
  });
});
