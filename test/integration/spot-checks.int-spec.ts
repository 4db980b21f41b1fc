import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OpenItemSources } from '../../apps/dispatch/src/duty/handover/open-items.js';
import { SpotCheckSchedules } from '../../apps/dispatch/src/duty/spot-checks/spot-check-schedules.service.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SPOT_CHECK_JOBS } from '#contracts';
import { JobQueue, startApp, type StartedApp } from '#platform';
import { ReceiptReconciler } from '#terminals';
import { dispatchApp } from '../../apps/dispatch/src/dispatch.module.js';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { Api } from '../support/api.js';
import { sleep } from '../support/async.js';
import { createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { inProcessHubEnv, provision, TestDevice, waitFor } from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(120_000);

/**
 * 查岗 end to end inside the process, in cluster mode: PostgreSQL, BullMQ on Redis, two
 * instances (a hub with its embedded broker, and a dispatch-only instance) on one
 * database. Consoles are socket.io clients, the terminal is a real MQTT device.
 */
describe('spot checks (cluster mode, two instances)', () => {
  let db: TestDatabase;
  let sql: pg.Client;
  let hub: StartedApp;
  let second: StartedApp;
  let baseUrl: string;
  let mqttUrl: string;
  let admin: Api;
  let county: string;
  let otherCounty: string;
  let towns: string[];
  let foreignTown: string;
  let dispatcher: { id: string; api: Api; token: string };
  let officers: { id: string; api: Api; token: string }[];
  const consoles: TestConsole[] = [];
  const devices: TestDevice[] = [];
  const dirs: string[] = [];

  const env = async (instance: string): Promise<Record<string, string>> => {
    const dir = mkdtempSync(join(tmpdir(), 'yihu-spotcheck-'));
    dirs.push(dir);
    const port = await freePort();
    return {
      ...inProcessHubEnv(join(dir, 'data'), port),
      INSTANCE_ID: instance,
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: 'spot-check-test-secret-0123456789-abcdefghij',
      AUDIT_KEY: 'spot-check-audit-key-of-every-instance-012345',
      MQTT_PORT: String(await freePort()),
    };
  };
  const prefix = uniquePrefix();

  beforeAll(async () => {
    db = await createTestDatabase();
    const hubEnv = await env('a');
    hub = await startApp('hub', hubApp, hubEnv);
    second = await startApp('dispatch', dispatchApp, await env('b'));
    baseUrl = `http://127.0.0.1:${hubEnv.PORT}`;
    mqttUrl = `mqtt://127.0.0.1:${hubEnv.MQTT_PORT}`;
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    admin = await new Api(baseUrl).login('admin', 'admin-password-1');
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    county = await createSite(admin, '测试县', 'command', root);
    otherCounty = await createSite(admin, '邻县', 'command', root);
    towns = [];
    for (const n of ['一镇', '二镇', '三镇', '四镇', '五镇'])
      towns.push(await createSite(admin, n, 'township', county));
    foreignTown = await createSite(admin, '邻县镇', 'township', otherCounty);
    dispatcher = await createUser(admin, 'sc-dispatcher', 'dispatcher', county);
    officers = [
      await createUser(admin, 'sc-officer-1', 'duty_officer', towns[0]!),
      await createUser(admin, 'sc-officer-2', 'duty_officer', towns[1]!),
    ];
  }, 120_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    for (const d of devices) await d.end().catch(() => undefined);
    await second?.stop();
    await hub?.stop();
    await sql?.end();
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const start = (body: object, api = dispatcher.api) => api.post('/api/v1/spot-checks', body);
  const check = async (id: string) => (await dispatcher.api.get(`/api/v1/spot-checks/${id}`)).body;
  const target = async (id: string, siteId: string) =>
    (await check(id)).targets.find((t: { siteId: string }) => t.siteId === siteId);
  const console = async (token: string) => {
    const c = await openConsole(baseUrl, token);
    consoles.push(c);
    return c;
  };

  it('refuses bad input with a reason', async () => {
    const short = await start({ siteIds: [towns[0]], windowSeconds: 5, channels: ['console'] });
    expect(short.status).toBe(400);
    expect(JSON.stringify(short.body)).toMatch(/at least 10 s/);
    const long = await start({ siteIds: [towns[0]], windowSeconds: 3601, channels: ['console'] });
    expect(long.status).toBe(400);
    const big = await start({ sample: { count: 6 }, windowSeconds: 60, channels: ['console'] });
    expect(big.status).toBe(400);
    expect(JSON.stringify(big.body)).toMatch(/sample of 6 is larger than the 5 sites in scope/);
    const outside = await start({ siteIds: [foreignTown], windowSeconds: 60, channels: ['console'] });
    expect(outside.status).toBe(403);
    const both = await start({
      siteIds: [towns[0]],
      sample: { count: 1 },
      windowSeconds: 60,
      channels: ['console'],
    });
    expect(both.status).toBe(400);
    const byOfficer = await start(
      { siteIds: [towns[0]], windowSeconds: 60, channels: ['console'] },
      officers[0]!.api,
    );
    expect(byOfficer.status).toBe(403);
    const schedule = await officers[0]!.api.post('/api/v1/spot-checks/schedules', {
      times: ['09:30'],
      sample: { count: 1 },
      windowSeconds: 60,
      channels: ['console'],
    });
    expect(schedule.status).toBe(403);
  });

  it('rations the checks a person starts: the eleventh in a minute is refused (429)', async () => {
    const busy = await createUser(admin, 'sc-busy', 'dispatcher', county);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (await start({ siteIds: [towns[3]], windowSeconds: 3600, channels: ['console'] }, busy.api)).status,
      );
    expect(statuses).toEqual([...Array(10).fill(201), 429]);
    const refused = await start(
      { siteIds: [towns[3]], windowSeconds: 3600, channels: ['console'] },
      busy.api,
    );
    expect(refused.body.message).toMatch(/at most 10 a minute per user/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a console check: the alarm, 在岗 answered once, another site refused, the board live', async () => {
    const officer = await console(officers[0]!.token);
    const stranger = await console(officers[1]!.token);
    const board = await console(dispatcher.token);
    const pushed: any[] = [];
    const strangerPushed: any[] = [];
    officer.socket.on('spotcheck', (p: unknown) => pushed.push(p));
    stranger.socket.on('spotcheck', (p: unknown) => strangerPushed.push(p));
    const live: any[] = [];
    board.socket.on('spotcheck.targets', (p: unknown) => live.push(p));

    const res = await start({ siteIds: [towns[0], towns[2]], windowSeconds: 300, channels: ['console'] });
    expect(res.status).toBe(201);
    expect(res.body.targets.map((t: any) => t.state)).toEqual(['pending', 'pending']);
    const id = res.body.id as string;
    const sub = await board.call('spotcheck.board.subscribe', { checkId: id });
    expect(sub.ok).toBe(true);
    expect(sub.check.targets).toHaveLength(2);

    // a handover at the site now passes the open check on
    const openItems = () => hub.app.get(OpenItemSources).collect(towns[0]!);
    expect(await openItems()).toContainEqual(expect.objectContaining({ kind: 'spot_check', id }));
    await waitFor(() => pushed.length === 1, 'the spotcheck event');
    expect(pushed[0]).toEqual({ checkId: id, deadline: res.body.deadline, drill: false });
    const first = await officer.call('spotcheck.answer', { checkId: id });
    expect(first).toMatchObject({ ok: true, state: 'answered', duplicate: false, siteId: towns[0] });
    expect((await openItems()).some((i) => i.id === id)).toBe(false);
    const again = await officer.call('spotcheck.answer', { checkId: id });
    expect(again).toMatchObject({
      ok: true,
      state: 'answered',
      duplicate: true,
      answeredAt: first.answeredAt,
    });
    const rest = await officers[0]!.api.post(`/api/v1/spot-checks/${id}/answer`);
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ duplicate: true, answeredAt: first.answeredAt });

    const foreign = await stranger.call('spotcheck.answer', { checkId: id });
    expect(foreign).toEqual({ ok: false, error: 'your site is not a target of this spot check' });
    expect((await officers[1]!.api.post(`/api/v1/spot-checks/${id}/answer`)).status).toBe(403);
    expect(strangerPushed).toHaveLength(0);
    expect((await officer.call('spotcheck.answer', { checkId: 'nope' })).ok).toBe(false);
    // a well-formed id of no check: told apart from a check the site is no target of
    const unknown = await officers[0]!.api.post(`/api/v1/spot-checks/${randomUUID()}/answer`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/does not exist/);

    await waitFor(
      () => live.some((p) => p.targets.some((t: any) => t.state === 'answered')),
      'the board update',
    );
    const t = await target(id, towns[0]!);
    expect(t).toMatchObject({
      state: 'answered',
      channel: 'console',
      answeredBy: officers[0]!.id,
      // no shift of this officer on the duty roster: recorded, and marked off the roster
      onRoster: false,
    });
    expect(t.latencyMs).toBeGreaterThanOrEqual(0);
    // a target sees its own target only
    const own = await officers[0]!.api.get(`/api/v1/spot-checks/${id}`);
    expect(own.body.targets.map((x: any) => x.siteId)).toEqual([towns[0]]);
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'spotcheck.answer' AND subject_id = $1`,
      [id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('after the deadline the silent site is missed, and its answer then is late, never answered', async () => {
    const officer = await console(officers[1]!.token);
    // a terminal of the silent site, offline through the whole window
    const creds = await provision(admin, towns[3]!, 'offline terminal');
    const res = await start({
      siteIds: [towns[1], towns[3]],
      windowSeconds: 10,
      channels: ['console', 'terminal'],
      drill: true,
    });
    const id = res.body.id as string;
    expect(res.body.drill).toBe(true);
    await waitFor(async () => (await target(id, towns[1]!)).state === 'missed', 'the deadline', 30_000);
    expect((await target(id, towns[3]!)).state).toBe('missed');
    const late = await officer.call('spotcheck.answer', { checkId: id });
    expect(late).toMatchObject({ ok: true, state: 'late', duplicate: false });
    expect(late.latencyMs).toBeGreaterThan(10_000);
    expect((await target(id, towns[1]!)).state).toBe('late');

    // the terminal coming online after the deadline is not asked any more
    await waitFor(
      async () =>
        (
          await sql.query(`SELECT 1 FROM terminal_messages WHERE directive_id = $1 AND state = 'expired'`, [
            id,
          ])
        ).rowCount === 1,
      'the message expired',
      15_000,
    );
    const late2 = await TestDevice.connect(mqttUrl, creds);
    devices.push(late2);
    await sleep(2000);
    expect(late2.received.filter((m) => m.directiveId === id)).toEqual([]);
  });

  it('a terminal gets 查岗 on its directives topic and its 签收 is the answer', async () => {
    const creds = await provision(admin, towns[2]!, 'duty-room terminal');
    const device = await TestDevice.connect(mqttUrl, creds);
    devices.push(device.confirmReceipts());
    const res = await start({ siteIds: [towns[2]], windowSeconds: 120, channels: ['terminal'] });
    const id = res.body.id as string;
    const msg = await waitFor(
      () => device.received.find((m) => m.directiveId === id),
      'the terminal message',
      20_000,
    );
    expect(msg).toMatchObject({ title: '查岗', level: 'none', expiresAt: res.body.deadline, drill: false });
    await device.ack(msg!.messageId, 'acknowledged');
    await waitFor(
      async () => (await target(id, towns[2]!)).state === 'answered',
      'the terminal answer',
      20_000,
    );
    expect(await target(id, towns[2]!)).toMatchObject({ channel: 'terminal', answeredBy: null });
  });

  it('a terminal’s 签收 that a crash kept from its check is answered by the receipt sweep, once', async () => {
    const creds = await provision(admin, towns[2]!, 'crashed-bridge terminal');
    const res = await start({ siteIds: [towns[2]], windowSeconds: 600, channels: ['terminal'] });
    const id = res.body.id as string;
    await waitFor(
      async () =>
        (
          await sql.query(`SELECT 1 FROM terminal_messages WHERE terminal_id = $1 AND directive_id = $2`, [
            creds.id,
            id,
          ])
        ).rowCount === 1,
      'the outbox row',
      20_000,
    );
    // the check began two minutes ago; its terminal's 签收 was recorded on the outbox row a
    // minute ago, and the bridge was killed before it queued the answer: the site reads pending
    await sql.query(
      `UPDATE spot_checks SET created_at = created_at - interval '2 minutes',
         deadline = deadline - interval '2 minutes' WHERE id = $1`,
      [id],
    );
    await sql.query(
      `UPDATE terminal_messages SET state = 'acknowledged', send_count = 1,
         sent_at = now() - interval '90 seconds', received_at = now() - interval '90 seconds',
         acknowledged_at = now() - interval '1 minute'
       WHERE terminal_id = $1 AND directive_id = $2`,
      [creds.id, id],
    );
    expect((await target(id, towns[2]!)).state).toBe('pending');
    const reconciler = hub.app.get(ReceiptReconciler);
    expect(await reconciler.reconcile()).toBe(1);
    await waitFor(async () => (await target(id, towns[2]!)).state === 'answered', 'the swept answer', 20_000);
    const t = await target(id, towns[2]!);
    expect(t).toMatchObject({ channel: 'terminal', answeredBy: null, onRoster: null });
    // answered when the hub recorded the 签收, not when the sweep found it
    expect(t.latencyMs).toBeGreaterThanOrEqual(55_000);
    expect(t.latencyMs).toBeLessThanOrEqual(65_000);
    expect(await reconciler.reconcile()).toBe(0);
    const { rows } = await sql.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'spotcheck.answer' AND subject_id = $1`,
      [id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('the receipt sweep leaves a spot check answered first on a console as it is', async () => {
    const creds = await provision(admin, towns[0]!, 'second-answer terminal');
    const res = await start({ siteIds: [towns[0]], windowSeconds: 600, channels: ['console', 'terminal'] });
    const id = res.body.id as string;
    await waitFor(
      async () =>
        (
          await sql.query(`SELECT 1 FROM terminal_messages WHERE terminal_id = $1 AND directive_id = $2`, [
            creds.id,
            id,
          ])
        ).rowCount === 1,
      'the outbox row',
      20_000,
    );
    const answered = await officers[0]!.api.post(`/api/v1/spot-checks/${id}/answer`);
    expect(answered.body).toMatchObject({ state: 'answered', duplicate: false });
    await sql.query(
      `UPDATE terminal_messages SET state = 'acknowledged', send_count = 1, received_at = now(),
         acknowledged_at = now() - interval '1 minute'
       WHERE terminal_id = $1 AND directive_id = $2`,
      [creds.id, id],
    );
    expect(await hub.app.get(ReceiptReconciler).reconcile()).toBe(0);
    expect(await target(id, towns[0]!)).toMatchObject({
      state: 'answered',
      channel: 'console',
      answeredBy: officers[0]!.id,
      answeredAt: answered.body.answeredAt,
    });
  });

  it('a roll-call answer (the video channel) answers the site’s open video check', async () => {
    const res = await start({ siteIds: [towns[0]], windowSeconds: 120, channels: ['video'] });
    const id = res.body.id as string;
    // what the SFU's ConsultationsService.answerRollCall queues when a site first answers
    await hub.app.get(JobQueue).add(SPOT_CHECK_JOBS.videoAnswer, {
      siteId: towns[0],
      userId: officers[0]!.id,
      rollCallId: '00000000-0000-4000-8000-000000000001',
      at: new Date().toISOString(),
    });
    await waitFor(async () => (await target(id, towns[0]!)).state === 'answered', 'the video answer', 20_000);
    expect(await target(id, towns[0]!)).toMatchObject({ channel: 'video', answeredBy: officers[0]!.id });
  });

  it('two missed checks in a row escalate the site to its parent, recorded and told', async () => {
    const countyConsole = await console(dispatcher.token);
    const told: any[] = [];
    countyConsole.socket.on('spotcheck.escalation', (p: unknown) => told.push(p));
    const missOnce = async () => {
      const res = await start({ siteIds: [towns[4]], windowSeconds: 600, channels: ['console'] });
      // the deadline brought forward: the sweep (every 5 s, on either instance) settles it
      await sql.query(`UPDATE spot_checks SET deadline = now() - interval '3 seconds' WHERE id = $1`, [
        res.body.id,
      ]);
      await waitFor(async () => (await target(res.body.id, towns[4]!)).state === 'missed', 'settled', 30_000);
      return res.body.id as string;
    };
    const first = await missOnce();
    expect(
      (await sql.query(`SELECT * FROM spot_check_escalations WHERE check_id = $1`, [first])).rows,
    ).toEqual([]);
    const second = await missOnce();
    const { rows } = await sql.query(
      `SELECT site_id, parent_site_id, misses FROM spot_check_escalations WHERE check_id = $1`,
      [second],
    );
    expect(rows).toEqual([{ site_id: towns[4], parent_site_id: county, misses: 2 }]);
    await waitFor(() => told.length === 1, 'the escalation notice');
    expect(told[0]).toMatchObject({
      checkId: second,
      siteId: towns[4],
      parentSiteId: county,
      misses: 2,
      drill: false,
    });
    const audit = await sql.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'spotcheck.escalated' AND subject_id = $1`,
      [second],
    );
    expect(audit.rows[0].n).toBe(1);
  });

  it('a schedule fires once across the two instances', async () => {
    const now = new Date(Date.now() + 8 * 3600_000);
    const hhmm = now.toISOString().slice(11, 16);
    const res = await dispatcher.api.post('/api/v1/spot-checks/schedules', {
      times: [hhmm],
      sample: { count: 2 },
      windowSeconds: 60,
      channels: ['console'],
    });
    expect(res.status).toBe(201);
    const scheduleId = res.body.id as string;
    await waitFor(
      async () =>
        (await sql.query(`SELECT 1 FROM spot_checks WHERE schedule_id = $1`, [scheduleId])).rowCount === 1,
      'the scheduled check',
      20_000,
    );
    // three more ticks of each instance: nothing else fires for that slot
    await sleep(15_000);
    const checks = await sql.query(`SELECT id FROM spot_checks WHERE schedule_id = $1`, [scheduleId]);
    expect(checks.rowCount).toBe(1);
    const runs = await sql.query(`SELECT check_id FROM spot_check_schedule_runs WHERE schedule_id = $1`, [
      scheduleId,
    ]);
    expect(runs.rows).toEqual([{ check_id: checks.rows[0].id }]);
    const c = await check(checks.rows[0].id);
    expect(c.targets).toHaveLength(2);
    expect(c.scheduleId).toBe(scheduleId);
  });

  it('answers by people rostered now are marked on the roster, the others not, in one batch', async () => {
    const third = await createUser(admin, 'sc-officer-3', 'duty_officer', towns[2]!);
    const shift = await dispatcher.api.post('/api/v1/duty/shifts', {
      siteId: towns[0],
      userId: officers[0]!.id,
      role: 'officer',
      startsAt: new Date(Date.now() - 3600_000).toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(shift.status).toBe(201);
    const res = await start({ siteIds: [towns[0], towns[2]], windowSeconds: 300, channels: ['console'] });
    const id = res.body.id as string;
    // both at once: they share a group commit, and its one roster query
    const answers = await Promise.all(
      [officers[0]!, third].map((o) => o.api.post(`/api/v1/spot-checks/${id}/answer`)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await target(id, towns[0]!)).toMatchObject({ answeredBy: officers[0]!.id, onRoster: true });
    expect(await target(id, towns[2]!)).toMatchObject({ answeredBy: third.id, onRoster: false });
  });

  it('a disabled schedule is out of the list and fires no more; disabling is scoped, audited, once', async () => {
    // two minutes ahead: nothing fires on its own during the test, the tick is driven by hand
    const soon = new Date(Date.now() + 120_000);
    const hhmm = new Date(soon.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
    const body = { times: [hhmm], sample: { count: 1 }, windowSeconds: 600, channels: ['console'] };
    const kept = (await dispatcher.api.post('/api/v1/spot-checks/schedules', body)).body.id as string;
    const created = await dispatcher.api.post('/api/v1/spot-checks/schedules', body);
    expect(created.body).toMatchObject({ active: true });
    const id = created.body.id as string;
    const listed = async () =>
      ((await dispatcher.api.get('/api/v1/spot-checks/schedules')).body as { id: string }[]).map((x) => x.id);
    expect(await listed()).toEqual(expect.arrayContaining([kept, id]));

    const outsider = await createUser(admin, 'sc-other-dispatcher', 'dispatcher', otherCounty);
    const refused = await outsider.api.post(`/api/v1/spot-checks/schedules/${id}/disable`);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('this spot check schedule is outside your scope');
    expect((await officers[0]!.api.post(`/api/v1/spot-checks/schedules/${id}/disable`)).status).toBe(403);
    const unknown = await dispatcher.api.post(
      '/api/v1/spot-checks/schedules/00000000-0000-4000-8000-00000000beef/disable',
    );
    expect(unknown.status).toBe(404);
    expect((await dispatcher.api.post('/api/v1/spot-checks/schedules/nope/disable')).status).toBe(400);

    const disabled = await dispatcher.api.post(`/api/v1/spot-checks/schedules/${id}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id, active: false, times: [hhmm], sample: { count: 1 } });
    const again = await dispatcher.api.post(`/api/v1/spot-checks/schedules/${id}/disable`);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('this spot check schedule is already disabled');
    expect(await listed()).toContain(kept);
    expect(await listed()).not.toContain(id);
    const audit = await sql.query(
      `SELECT actor_id FROM audit_log WHERE action = 'spotcheck.schedule.disable' AND subject_id = $1`,
      [id],
    );
    expect(audit.rows).toEqual([{ actor_id: dispatcher.id }]);

    // both instances tick at the slot: the kept schedule fires once, the disabled one never
    const fired = async (scheduleId: string) =>
      (await sql.query(`SELECT 1 FROM spot_checks WHERE schedule_id = $1`, [scheduleId])).rowCount;
    const at = new Date(soon.getTime() + 1000);
    await waitFor(
      async () => {
        await hub.app.get(SpotCheckSchedules).tick(at);
        await second.app.get(SpotCheckSchedules).tick(at);
        return (await fired(kept)) === 1;
      },
      'the kept schedule’s slot',
      20_000,
    );
    expect(await fired(id)).toBe(0);
    expect(
      (await sql.query(`SELECT 1 FROM spot_check_schedule_runs WHERE schedule_id = $1`, [id])).rowCount,
    ).toBe(0);
  });

  it('the monthly 通报: JSON per township, CSV in UTF-8 with a BOM, drills only when asked', async () => {
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const json = await dispatcher.api.get(`/api/v1/duty/stats/monthly?month=${month}`);
    expect(json.status).toBe(200);
    expect(json.body.rows.map((r: any) => r.siteId).sort()).toEqual([...towns].sort());
    const withDrill = await dispatcher.api.get(`/api/v1/duty/stats/monthly?month=${month}&includeDrill=true`);
    // the second town's drill (answered late) counts only when drills are asked for
    const two = json.body.rows.find((r: any) => r.siteId === towns[1]);
    const twoWithDrill = withDrill.body.rows.find((r: any) => r.siteId === towns[1]);
    expect(twoWithDrill.checks - two.checks).toBe(1);
    expect(twoWithDrill.late - two.late).toBe(1);
    expect(twoWithDrill.medianMs).toBeGreaterThan(10_000);
    const five = json.body.rows.find((r: any) => r.siteId === towns[4]);
    expect(five.missed).toBeGreaterThanOrEqual(2);

    const raw = await fetch(`${baseUrl}/api/v1/duty/stats/monthly?month=${month}&format=csv`, {
      headers: { authorization: `Bearer ${dispatcher.token}` },
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const bytes = Buffer.from(await raw.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      '乡镇,区划代码,查岗次数,按时应答,迟到应答,未应答,应答时间中位数(秒),应答时间P90(秒),站点ID',
    );
    expect(lines).toHaveLength(1 + towns.length);
    expect(lines.some((l) => l.startsWith('一镇,'))).toBe(true);
    const bad = await dispatcher.api.get(`/api/v1/duty/stats/monthly?month=2026-13`);
    expect(bad.status).toBe(400);
  });
});
