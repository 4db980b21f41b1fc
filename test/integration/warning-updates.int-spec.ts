import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Actor } from '#domain';
import { startApp, type StartedApp } from '#platform';
import { EscalationService } from '../../apps/dispatch/src/directives/escalation/escalation.service.js';
import { DirectivesService } from '../../apps/dispatch/src/directives/issue/directives.service.js';
import { dispatchApp } from '../../apps/dispatch/src/dispatch.module.js';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { Api } from '../support/api.js';
import { createUser, openConsole, type TestConsole } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { inProcessHubEnv, provision, TestDevice, topics, waitFor } from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(90_000);

interface Recipient {
  siteId: string;
  state: string;
  ackDeadline: string;
}

/**
 * A warning's update (变更) in cluster mode (PostgreSQL, BullMQ on Redis; a hub with its
 * broker and a dispatch-only instance taking the updates): a widened area adds the new
 * sites as recipients of the same directive on every channel, and a moved `expires` moves
 * the directive's validity (docs/warnings.md "Updates").
 */
describe('warning updates (cluster mode, two instances)', () => {
  let db: TestDatabase;
  let hub: StartedApp;
  let second: StartedApp;
  let mqttUrl: string;
  let admin: Api;
  let county: string;
  let towns: string[];
  let editor: { id: string; api: Api; token: string };
  let chief: { id: string; api: Api; token: string };
  let chiefOnSecond: Api;
  let officerA: { id: string; api: Api; token: string };
  let officerB: { id: string; api: Api; token: string };
  let hubUrl: string;
  const consoles: TestConsole[] = [];
  const devices: TestDevice[] = [];
  const dirs: string[] = [];
  const prefix = uniquePrefix();

  const env = async (instance: string): Promise<Record<string, string>> => {
    const dir = mkdtempSync(join(tmpdir(), 'yihu-warning-updates-'));
    dirs.push(dir);
    return {
      ...inProcessHubEnv(join(dir, 'data'), await freePort()),
      INSTANCE_ID: instance,
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: 'warning-updates-test-secret-0123456789-abcdef',
      AUDIT_KEY: 'warning-updates-audit-key-of-every-instance-01',
      MQTT_PORT: String(await freePort()),
    };
  };
  const site = async (name: string, kind: string, parentId: string, regionCode: string) => {
    const res = await admin.post('/api/v1/sites', { name, kind, parentId, regionCode });
    if (res.status !== 201) throw new Error(`site ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const publishNew = async (body: Record<string, unknown>) => {
    const created = await editor.api.post('/api/v1/warnings', {
      event: '山洪',
      level: 'yellow',
      headline: '山洪灾害黄色预警',
      description: '上游降雨，溪流水位上涨。',
      instruction: '沿河群众注意避险。',
      onset: new Date(Date.now() + 3600_000).toISOString(),
      expires: new Date(Date.now() + 7200_000).toISOString(),
      ...body,
    });
    expect(created.status).toBe(201);
    const path = `/api/v1/warnings/${created.body.id}`;
    await editor.api.post(`${path}/submit`, {});
    expect((await chief.api.post(`${path}/approve`, {})).status).toBe(200);
    const published = await editor.api.post(`${path}/publish`, {});
    expect(published.status).toBe(200);
    return published.body as { id: string; directiveId: string };
  };
  const directive = async (id: string) =>
    (await editor.api.get(`/api/v1/directives/${id}`)).body as {
      title: string;
      ackBy: string;
      expiresAt: string;
      recipients: Recipient[];
    };
  const deadlineOf = (d: { recipients: Recipient[] }, siteId: string) =>
    d.recipients.find((r) => r.siteId === siteId)!.ackDeadline;

  beforeAll(async () => {
    db = await createTestDatabase();
    const hubEnv = await env('a');
    // a split deployment declares the channels the hub's bridge serves (docs/channels.md)
    const secondEnv: Record<string, string> = {
      ...(await env('b')),
      DELIVERY_CHANNELS: 'console,terminal,radio',
    };
    hub = await startApp('hub', hubApp, hubEnv);
    second = await startApp('dispatch', dispatchApp, secondEnv);
    mqttUrl = `mqtt://127.0.0.1:${hubEnv.MQTT_PORT}`;
    admin = await new Api(`http://127.0.0.1:${hubEnv.PORT}`).login('admin', 'admin-password-1');
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    county = await site('变更县', 'command', root, '330106');
    towns = [
      await site('甲镇', 'township', county, '330106001'),
      await site('乙镇', 'township', county, '330106002'),
    ];
    editor = await createUser(admin, 'wu-editor', 'dispatcher', county);
    chief = await createUser(admin, 'wu-chief', 'commander', county);
    chiefOnSecond = new Api(`http://127.0.0.1:${secondEnv.PORT}`, chief.token);
    officerA = await createUser(admin, 'wu-officer-a', 'duty_officer', towns[0]!);
    officerB = await createUser(admin, 'wu-officer-b', 'duty_officer', towns[1]!);
    hubUrl = `http://127.0.0.1:${hubEnv.PORT}`;
  });

  afterAll(async () => {
    for (const c of consoles) c.close();
    for (const d of devices) await d.end().catch(() => undefined);
    await second?.stop();
    await hub?.stop();
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a widened area adds the new township: its console and terminal get the warning as it now stands, its 签收 counts', async () => {
    const consoleB = await openConsole(
      `http://127.0.0.1:${hub.app.getHttpServer().address().port}`,
      officerB.token,
    );
    consoles.push(consoleB);
    const terminalB = await TestDevice.connect(
      mqttUrl,
      await provision(admin, towns[1]!, '乙镇终端', 'push'),
    );
    devices.push(terminalB.confirmReceipts());
    const w = await publishNew({ areas: { regionCodes: ['330106001'] } });
    expect((await directive(w.directiveId)).recipients.map((r) => r.siteId)).toEqual([towns[0]]);

    const updated = await chiefOnSecond.post(`/api/v1/warnings/${w.id}/update`, {
      headline: '山洪灾害橙色预警',
      level: 'orange',
      areas: { regionCodes: ['330106001', '330106002'] },
    });
    expect(updated.status).toBe(201);
    expect(updated.body).toMatchObject({ msgType: 'Update', directiveId: w.directiveId });

    const after = await directive(w.directiveId);
    expect(after.recipients.map((r) => r.siteId).sort()).toEqual([...towns].sort());
    // the console of the new township gets the directive itself, with the update's text
    const pushed = await waitFor(() => consoleB.directives.find((d) => d.id === w.directiveId), 'console B');
    expect(pushed).toMatchObject({
      title: '山洪灾害橙色预警',
      level: 'orange',
      kind: 'warning',
      warningId: w.id,
    });
    expect(new Date(pushed.ackBy).getTime()).toBeGreaterThan(Date.now());
    const onTerminal = await waitFor(
      () => terminalB.received.find((m) => m.directiveId === w.directiveId),
      'terminal B',
    );
    expect(onTerminal).toMatchObject({ title: '山洪灾害橙色预警', kind: 'warning' });
    // the update notice is for the recipients it was made to; B was not one of them yet
    expect(consoleB.updates.filter((u) => u.directiveId === w.directiveId)).toEqual([]);

    expect(await consoleB.ack(w.directiveId)).toMatchObject({ ok: true });
    const coverage = await waitFor(async () => {
      const c = (await editor.api.get(`/api/v1/warnings/${updated.body.id}/coverage`)).body;
      return c.acknowledged === 1 && c.byChannel.terminal === 1 ? c : undefined;
    }, 'coverage of the update');
    expect(coverage).toMatchObject({ targets: 2, acknowledged: 1, byChannel: { console: 1, terminal: 1 } });
  });

  it('an extended expires moves the directive: the recipient outlives the old time and expires at the new one', async () => {
    const start = Date.now();
    const w = await publishNew({
      areas: { regionCodes: ['330106002'] },
      onset: new Date(start).toISOString(),
      expires: new Date(start + 6000).toISOString(),
    });
    const later = new Date(start + 14_000).toISOString();
    const updated = await chiefOnSecond.post(`/api/v1/warnings/${w.id}/update`, { expires: later });
    expect(updated.status).toBe(201);
    expect((await directive(w.directiveId)).expiresAt).toBe(later);
    // the terminal's queued message follows (column and payload)
    const [row] = (await hub.app
      .get(DataSource)
      .query(
        `SELECT expires_at, payload FROM terminal_messages WHERE directive_id = $1 AND topic = 'directives'`,
        [w.directiveId],
      )) as { expires_at: Date; payload: string }[];
    expect(row!.expires_at.toISOString()).toBe(later);
    expect(JSON.parse(row!.payload).expiresAt).toBe(later);

    // past the old time, its timer job and a 5 s sweep: still waiting for 签收
    await new Promise((r) => setTimeout(r, Math.max(0, start + 12_000 - Date.now())));
    expect((await directive(w.directiveId)).recipients[0]!.state).not.toBe('expired');
    const expired = await waitFor(
      async () => {
        const d = await directive(w.directiveId);
        return d.recipients[0]!.state === 'expired' ? Date.now() : undefined;
      },
      'the expiry at the new time',
      15_000,
    );
    expect(expired).toBeGreaterThanOrEqual(Date.parse(later));
  });

  it('an update of a cancelled warning is 409; extending a cancelled directive is 409', async () => {
    const w = await publishNew({ areas: { regionCodes: ['330106001'] } });
    const cancelled = await chief.api.post(`/api/v1/warnings/${w.id}/cancel`, { reason: '解除' });
    expect(cancelled.status).toBe(201);
    const res = await chiefOnSecond.post(`/api/v1/warnings/${w.id}/update`, {
      areas: { regionCodes: ['330106001', '330106002'] },
    });
    expect(res.status).toBe(409);
    const [{ path }] = (await hub.app
      .get(DataSource)
      .query('SELECT path FROM sites WHERE id = $1', [county])) as {
      path: string;
    }[];
    const actor: Actor = { userId: chief.id, role: 'commander', siteId: county, sitePath: path };
    await expect(
      hub.app.get(DirectivesService).extend(actor, w.directiveId, [towns[1]!]),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await directive(w.directiveId)).recipients.map((r) => r.siteId)).toEqual([towns[0]]);
  });

  it('an added site has its own 签收 deadline in the REST views, the list and a reconnecting console', async () => {
    const w = await publishNew({ areas: { regionCodes: ['330106001'] } });
    // the deadlines differ by at least this much: the added site's counts from the update
    await new Promise((r) => setTimeout(r, 1500));
    const res = await chiefOnSecond.post(`/api/v1/warnings/${w.id}/update`, {
      areas: { regionCodes: ['330106001', '330106002'] },
    });
    expect(res.status).toBe(201);
    const d = await directive(w.directiveId);
    expect(deadlineOf(d, towns[0]!)).toBe(d.ackBy);
    const own = deadlineOf(d, towns[1]!);
    expect(Date.parse(own) - Date.parse(d.ackBy)).toBeGreaterThanOrEqual(1400);
    // 乙's duty officer sees its row only, with its deadline; the list says when it is due
    const seen = (await officerB.api.get(`/api/v1/directives/${w.directiveId}`)).body as {
      recipients: Recipient[];
    };
    expect(seen.recipients).toEqual([expect.objectContaining({ siteId: towns[1], ackDeadline: own })]);
    const listed = (await officerB.api.get<{ id: string }[]>('/api/v1/directives?limit=200')).body.find(
      (x) => x.id === w.directiveId,
    );
    expect(listed).toMatchObject({ ackBy: d.ackBy, lastAckBy: own });
    const issuerList = (await editor.api.get<{ id: string }[]>('/api/v1/directives?limit=200')).body;
    expect(issuerList.find((x) => x.id === w.directiveId)).toMatchObject({ lastAckBy: own });
    // a console of 乙 that connects now is sent the directive with its own deadline
    const late = await openConsole(hubUrl, officerB.token);
    consoles.push(late);
    const caught = await waitFor(() => late.directives.find((x) => x.id === w.directiveId), 'catch-up');
    expect(caught.ackBy).toBe(own);
  });

  it('a moved expires reaches the duty console and the board (directive.expiry) and the terminal (notices)', async () => {
    const consoleA = await openConsole(hubUrl, officerA.token);
    consoles.push(consoleA);
    const expiries: {
      on: string;
      p: { directiveId: string; expiresAt: string; previousExpiresAt: string };
    }[] = [];
    consoleA.socket.on('directive.expiry', (p) => expiries.push({ on: 'duty', p }));
    const board = await openConsole(hubUrl, editor.token);
    consoles.push(board);
    board.socket.on('directive.expiry', (p) => expiries.push({ on: 'board', p }));
    const terminalA = await TestDevice.connect(
      mqttUrl,
      await provision(admin, towns[0]!, '甲镇终端', 'push'),
    );
    devices.push(terminalA.confirmReceipts());
    const notices: Record<string, unknown>[] = [];
    terminalA.client.on('message', (topic, payload) => {
      if (topic === topics(terminalA.creds.id).notices) notices.push(JSON.parse(payload.toString()));
    });
    await terminalA.client.subscribeAsync(topics(terminalA.creds.id).notices, { qos: 1 });

    const w = await publishNew({ areas: { regionCodes: ['330106001'] } });
    const before = (await directive(w.directiveId)).expiresAt;
    expect(await board.call('directive.board.subscribe', { directiveId: w.directiveId })).toMatchObject({
      ok: true,
    });
    await waitFor(() => terminalA.received.find((m) => m.directiveId === w.directiveId), 'terminal A');

    const later = new Date(Date.parse(before) + 3600_000).toISOString();
    const res = await chiefOnSecond.post(`/api/v1/warnings/${w.id}/update`, { expires: later });
    expect(res.status).toBe(201);
    const told = { directiveId: w.directiveId, expiresAt: later, previousExpiresAt: before };
    await waitFor(
      () => (expiries.filter((e) => e.p.directiveId === w.directiveId).length === 2 ? true : undefined),
      'both',
    );
    expect(expiries.filter((e) => e.p.directiveId === w.directiveId)).toEqual([
      expect.objectContaining({ p: expect.objectContaining(told) }),
      expect.objectContaining({ p: expect.objectContaining(told) }),
    ]);
    expect(new Set(expiries.map((e) => e.on))).toEqual(new Set(['duty', 'board']));
    const notice = await waitFor(() => notices.find((n) => n.directiveId === w.directiveId), 'notice');
    expect(notice).toMatchObject({ kind: 'update', expiresAt: later });
    expect(
      (await waitFor(() => consoleA.updates.find((u) => u.directiveId === w.directiveId), 'update'))
        .expiresAt,
    ).toBe(later);

    // an update that leaves the validity alone says nothing of it
    const next = await chiefOnSecond.post(`/api/v1/warnings/${res.body.id}/update`, {
      headline: '山洪灾害黄色预警（续）',
    });
    expect(next.status).toBe(201);
    const second = await waitFor(
      () =>
        notices.filter((n) => n.directiveId === w.directiveId).length === 2 ? notices.at(-1) : undefined,
      'second notice',
    );
    expect(second).not.toHaveProperty('expiresAt');
  });

  it('escalation re-delivers the directive as it now stands, each site with its own deadline', async () => {
    const consoleA = await openConsole(hubUrl, officerA.token);
    const consoleB = await openConsole(hubUrl, officerB.token);
    consoles.push(consoleA, consoleB);
    const terminalA = devices.at(-1)!;
    const w = await publishNew({ areas: { regionCodes: ['330106001'] } });
    await waitFor(() => terminalA.received.find((m) => m.directiveId === w.directiveId), 'terminal A');
    const later = new Date(Date.now() + 3 * 3600_000).toISOString();
    const res = await chiefOnSecond.post(`/api/v1/warnings/${w.id}/update`, {
      headline: '山洪灾害红色预警',
      level: 'red',
      description: '河水漫堤，立即转移。',
      expires: later,
      areas: { regionCodes: ['330106001', '330106002'] },
    });
    expect(res.status).toBe(201);
    const d = await directive(w.directiveId);
    expect(d.title).toBe('山洪灾害红色预警');

    // both deadlines missed: the schedule's step 1 falls due now (as the timer would)
    await hub.app
      .get(DataSource)
      .query(
        `UPDATE directive_recipients SET next_escalation_at = now() - interval '2 seconds' WHERE directive_id = $1`,
        [w.directiveId],
      );
    await hub.app.get(EscalationService).escalate(w.directiveId);
    const again = (c: typeof consoleA) => () =>
      c.directives.find((x) => x.id === w.directiveId && x.redelivery === 1);
    const now = { title: '山洪灾害红色预警', level: 'red', expiresAt: later, kind: 'warning' };
    const onA = await waitFor(again(consoleA), 're-delivery A');
    expect(onA).toMatchObject({ ...now, ackBy: d.ackBy });
    expect(onA.body).toContain('河水漫堤');
    const onB = await waitFor(again(consoleB), 're-delivery B');
    expect(onB).toMatchObject({ ...now, ackBy: deadlineOf(d, towns[1]!) });
    expect(onB.ackBy).not.toBe(d.ackBy);
    const resent = await waitFor(
      () => terminalA.received.filter((m) => m.directiveId === w.directiveId)[1],
      'terminal re-delivery',
    );
    expect(resent).toMatchObject({ title: '山洪灾害红色预警', level: 'red', expiresAt: later });

    // the board's 重发 too: the warning as it now stands, one message per deadline
    const before = consoleB.directives.length;
    const resend = await editor.api.post(`/api/v1/directives/${w.directiveId}/resend`, {
      siteIds: [...towns],
    });
    expect(resend.body).toMatchObject({ sites: 2 });
    const manual = await waitFor(
      () => consoleB.directives.slice(before).find((x) => x.id === w.directiveId),
      '重发',
    );
    expect(manual).toMatchObject({ ...now, ackBy: deadlineOf(d, towns[1]!) });
  });
});
