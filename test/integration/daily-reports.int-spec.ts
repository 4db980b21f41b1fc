import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { REPORTING_JOBS } from '#contracts';
import { shanghaiDay } from '#domain';
import { JobQueue, startApp, type StartedApp } from '#platform';
import { dispatchApp } from '../../apps/dispatch/src/dispatch.module.js';
import { OpenItemSources } from '../../apps/dispatch/src/duty/handover/open-items.js';
import { DailyReportFacts } from '../../apps/dispatch/src/reporting/daily/daily-report-facts.source.js';
import { DailyRoundTimers } from '../../apps/dispatch/src/reporting/daily/daily-round-timers.js';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { createSite, createUser } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { inProcessHubEnv } from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(120_000);

const CUTOFF_SECONDS = 3;
/** the Asia/Shanghai day n days ago: a round may be for a date up to 7 days past */
const daysAgo = (n: number) => shanghaiDay(new Date(Date.now() - n * 86_400_000));

/**
 * 日报告/零报告 in cluster mode: PostgreSQL, BullMQ on Redis, instances on one database. The
 * automatic round opened by itself exactly once by two instances; a round's timers lost
 * (as after kill -9 between commit and job) and run by the sweep; a terminal's job taken
 * twice recorded once; the findings and monthly counts the 通报 reads.
 */
describe('daily reports (cluster mode)', () => {
  let db: TestDatabase;
  let sql: pg.Client;
  let hub: StartedApp;
  const extra: StartedApp[] = [];
  let baseUrl: string;
  let admin: Api;
  let towns: string[];
  let dispatcher: { id: string; api: Api; token: string };
  const dirs: string[] = [];
  const prefix = uniquePrefix();

  const env = async (
    instance: string,
    more: Record<string, string> = {},
  ): Promise<Record<string, string>> => {
    const dir = mkdtempSync(join(tmpdir(), 'yihu-daily-'));
    dirs.push(dir);
    return {
      ...inProcessHubEnv(join(dir, 'data'), await freePort()),
      INSTANCE_ID: instance,
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: 'daily-report-test-secret-0123456789-abcdefghij',
      AUDIT_KEY: 'daily-report-audit-key-of-every-instance-0123',
      MQTT_PORT: String(await freePort()),
      DAILY_REPORT_CUTOFF_SECONDS: String(CUTOFF_SECONDS),
      ...more,
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const hubEnv = await env('a');
    hub = await startApp('hub', hubApp, hubEnv);
    baseUrl = `http://127.0.0.1:${hubEnv.PORT}`;
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    admin = await new Api(baseUrl).login('admin', 'admin-password-1');
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    const county = await createSite(admin, '测试县', 'command', root);
    towns = [];
    for (const n of ['一镇', '二镇', '三镇']) towns.push(await createSite(admin, n, 'township', county));
    dispatcher = await createUser(admin, 'dr-int-dispatcher', 'dispatcher', county);
  }, 120_000);

  afterAll(async () => {
    for (const app of extra) await app.stop();
    await hub?.stop();
    await sql?.end();
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const open = (date: string, dueAt: Date, siteIds?: string[]) =>
    dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date,
      dueAt: dueAt.toISOString(),
      ...(siteIds ? { siteIds } : {}),
    });
  const put = (siteId: string, date: string, body: object) =>
    dispatcher.api.request('PUT', `/api/v1/daily-reports/${siteId}/${date}`, body);
  const stateOf = async (date: string, siteId: string) =>
    (
      (await dispatcher.api.get(`/api/v1/daily-reports?date=${date}`)).body as {
        siteId: string;
        state: string;
      }[]
    ).find((r) => r.siteId === siteId)?.state;

  it('chases and closes a round once, though its jobs, the sweep and a repeat all run', async () => {
    const date = daysAgo(1);
    const res = await open(date, new Date(Date.now() + 2000), [towns[0]!, towns[1]!]);
    expect(res.status).toBe(201);
    const [{ id }] = (await sql.query(`SELECT id FROM daily_report_rounds WHERE date = $1`, [date])).rows;
    expect((await put(towns[0]!, date, { kind: 'zero' })).body).toMatchObject({ state: 'zero', version: 1 });
    await waitFor(async () => (await stateOf(date, towns[1]!)) === 'missing', 20_000, 'missing');
    const round = (
      await sql.query(`SELECT chased_at, closed_at FROM daily_report_rounds WHERE id = $1`, [id])
    ).rows[0];
    expect(round.chased_at).not.toBeNull();
    expect(round.closed_at).not.toBeNull();
    // the sweep and the jobs both tried; each step is in the audit chain once
    await hub.app.get(DailyRoundTimers).run(id, 'close');
    await hub.app.get(DailyRoundTimers).run(id, 'due');
    const steps = (
      await sql.query(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY seq`, [id])
    ).rows.map((r: { action: string }) => r.action);
    expect(steps.filter((a: string) => a === 'daily.round.overdue')).toHaveLength(1);
    expect(steps.filter((a: string) => a === 'daily.round.close')).toHaveLength(1);
  });

  it("records a terminal's nil report once however often its job runs", async () => {
    const date = daysAgo(2);
    expect((await open(date, new Date(Date.now() + 60_000), [towns[2]!])).status).toBe(201);
    const job = {
      terminalId: 't0123456789abcdef0123',
      siteId: towns[2]!,
      date,
      at: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
    };
    const jobs = hub.app.get(JobQueue);
    await jobs.add(REPORTING_JOBS.terminalDaily, job);
    await jobs.add(REPORTING_JOBS.terminalDaily, job);
    await waitFor(async () => (await stateOf(date, towns[2]!)) === 'zero', 20_000, 'the terminal report');
    await sleep(1000);
    const versions = (
      await sql.query(
        `SELECT version, channel, terminal_id FROM daily_reports WHERE site_id = $1 AND date = $2`,
        [towns[2], date],
      )
    ).rows;
    expect(versions).toEqual([{ version: 1, channel: 'terminal', terminal_id: job.terminalId }]);
  });

  it('gives late and missed findings and monthly counts, drills left out', async () => {
    const date = daysAgo(3);
    expect((await open(date, new Date(Date.now() + 1500))).status).toBe(201);
    const drill = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date: daysAgo(4),
      dueAt: new Date(Date.now() + 1500).toISOString(),
      drill: true,
    });
    expect(drill.status).toBe(201);
    await sleep(2000);
    expect((await put(towns[0]!, date, { kind: 'normal', text: '迟到的日报' })).body.state).toBe('late');
    await waitFor(async () => (await stateOf(date, towns[1]!)) === 'missing', 20_000, 'missing');
    await waitFor(
      async () =>
        ((await sql.query(`SELECT closed_at FROM daily_report_rounds WHERE date = $1`, [daysAgo(4)])).rows[0]
          ?.closed_at ?? null) !== null,
      20_000,
      'the drill closed',
    );
    const facts = hub.app.get(DailyReportFacts);
    const from = new Date(Date.now() - 3600_000);
    const to = new Date(Date.now() + 3600_000);
    const findings = await facts.findings(towns, from, to, false);
    const of = (d: string) => findings.filter((f) => f.date === d);
    const late = of(date).find((f) => f.siteId === towns[0]);
    expect(late).toMatchObject({ kind: 'late', incidentId: null, drill: false });
    expect(late!.seconds).toBeGreaterThanOrEqual(1);
    expect(late!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(
      of(date)
        .filter((f) => f.kind === 'missed')
        .map((f) => f.siteId)
        .sort(),
    ).toEqual([towns[1], towns[2]].sort());
    expect(of(daysAgo(4))).toEqual([]);
    expect((await facts.findings(towns, from, to, true)).filter((f) => f.date === daysAgo(4))).toHaveLength(
      3,
    );
    // the same findings again: the same ids
    expect((await facts.findings(towns, from, to, false)).map((f) => f.id)).toEqual(
      findings.map((f) => f.id),
    );

    // the month(s) of the four dates, summed: they may straddle a month's end
    const months = [...new Set([1, 2, 3, 4].map((n) => daysAgo(n).slice(0, 7)))];
    const monthly = async (includeDrill: boolean) => {
      const sum = new Map<string, { dailyDue: number; dailyMissing: number; dailyLate: number }>();
      for (const m of months)
        for (const [site, f] of await facts.monthly(m, towns, includeDrill)) {
          const t = sum.get(site) ?? { dailyDue: 0, dailyMissing: 0, dailyLate: 0 };
          sum.set(site, {
            dailyDue: t.dailyDue + f.dailyDue,
            dailyMissing: t.dailyMissing + f.dailyMissing,
            dailyLate: t.dailyLate + f.dailyLate,
          });
        }
      return sum;
    };
    const month = await monthly(false);
    // 一镇: day 1 zero, day 3 late; 二镇: day 1 and day 3 missing; 三镇: day 2 zero, day 3 missing
    expect(month.get(towns[0]!)).toEqual({ dailyDue: 2, dailyMissing: 0, dailyLate: 1 });
    expect(month.get(towns[1]!)).toEqual({ dailyDue: 2, dailyMissing: 2, dailyLate: 0 });
    expect(month.get(towns[2]!)).toEqual({ dailyDue: 2, dailyMissing: 1, dailyLate: 0 });
    expect((await monthly(true)).get(towns[0]!)?.dailyDue).toBe(3);
    expect((await facts.monthly('2030-01', towns, true)).size).toBe(0);

    // registered with the reporting module: its REST answers carry the daily findings and counts
    const rest = await dispatcher.api.get(`/api/v1/reporting/findings?siteId=${towns[0]}`);
    expect(rest.status).toBe(200);
    const restLate = (
      rest.body.sites[0].findings as { kind: string; date: string | null; seconds: number }[]
    ).find((f) => f.kind === 'late' && f.date === date);
    expect(restLate).toMatchObject({ kind: 'late', date, seconds: late!.seconds });
    const m = date.slice(0, 7);
    const stats = await dispatcher.api.get(`/api/v1/reporting/stats/monthly?month=${m}`);
    expect(stats.status).toBe(200);
    const direct = await facts.monthly(m, towns, false);
    for (const town of towns) {
      const r = (stats.body.rows as { siteId: string }[]).find((x) => x.siteId === town);
      expect(r).toMatchObject(direct.get(town) ?? { dailyDue: 0, dailyMissing: 0, dailyLate: 0 });
    }
  });

  it("opens the day's round by itself, exactly once with two instances", async () => {
    const today = shanghaiDay(new Date());
    const auto = {
      DAILY_REPORT_ROUNDS: 'auto',
      DAILY_REPORT_TICK_SECONDS: '1',
      DAILY_REPORT_DUE_TIME: '23:59',
    };
    // the hub opened a round of today for 一镇 by hand: the automatic one takes the others
    expect((await open(today, new Date(Date.now() + 3600_000), [towns[0]!])).status).toBe(201);
    const [b, c] = await Promise.all([
      env('b', auto).then((e) => startApp('dispatch', dispatchApp, e)),
      env('c', auto).then((e) => startApp('dispatch', dispatchApp, e)),
    ]);
    extra.push(b, c);
    await waitFor(
      async () =>
        (await sql.query(`SELECT 1 FROM daily_report_auto_runs WHERE date = $1`, [today])).rowCount === 1,
      20_000,
      'the automatic round',
    );
    await sleep(3000);
    const rounds = (
      await sql.query(
        `SELECT id, opened_by, due_at FROM daily_report_rounds WHERE date = $1 ORDER BY created_at`,
        [today],
      )
    ).rows;
    expect(rounds).toHaveLength(2);
    expect(rounds[1].opened_by).toBeNull();
    const targets = (
      await sql.query(`SELECT site_id FROM daily_report_targets WHERE round_id = $1 ORDER BY site_id`, [
        rounds[1].id,
      ])
    ).rows.map((r: { site_id: string }) => r.site_id);
    expect(targets).toEqual([towns[1], towns[2]].sort());
    const opened = (
      await sql.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'daily.round.open' AND subject_id = $1`,
        [rounds[1].id],
      )
    ).rows[0].n;
    expect(opened).toBe(1);
    // a pending daily report is an open item of the site's handover
    const items = await hub.app.get(OpenItemSources).collect(towns[1]!);
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'daily_report', id: today, state: 'pending' }),
      ]),
    );
  });

  it('opens, chases and closes a round of 2,000 townships (measured)', async () => {
    const root = (await sql.query(`SELECT id, path FROM sites WHERE parent_id IS NULL`)).rows[0];
    const countyId = randomUUID();
    await sql.query(
      `INSERT INTO sites (id, name, kind, parent_id, path) VALUES ($1, '大县', 'command', $2, $3)`,
      [countyId, root.id, `${root.path}${countyId}/`],
    );
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    await sql.query(
      `INSERT INTO sites (id, name, kind, parent_id, path)
       SELECT id, '镇' || n, 'township', $2, $3 || id || '/' FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
      [ids, countyId, `${root.path}${countyId}/`],
    );
    const big = await createUser(admin, 'dr-int-big', 'dispatcher', countyId);
    const date = daysAgo(5);
    const dueAt = new Date(Date.now() + 3000);
    const t0 = Date.now();
    let t = t0;
    const res = await big.api.post('/api/v1/daily-reports/rounds', { date, dueAt: dueAt.toISOString() });
    const openMs = Date.now() - t;
    expect(res.status).toBe(201);
    expect(res.body.sites).toHaveLength(2000);
    t = Date.now();
    const list = await big.api.get(`/api/v1/daily-reports?date=${date}`);
    const listMs = Date.now() - t;
    expect(list.body).toHaveLength(2000);
    const [{ id }] = (await sql.query(`SELECT id FROM daily_report_rounds WHERE date = $1`, [date])).rows;
    const at = async (column: string) =>
      (await sql.query(`SELECT ${column} AS v FROM daily_report_rounds WHERE id = $1`, [id])).rows[0]
        .v as Date | null;
    const auditAt = async (action: string) => {
      const rows = (
        await sql.query(`SELECT at FROM audit_log WHERE subject_id = $1 AND action = $2`, [id, action])
      ).rows;
      return rows.length ? (rows[0].at as Date).getTime() : null;
    };
    await waitFor(async () => (await auditAt('daily.round.overdue')) !== null, 60_000, 'chased');
    const chasedMs = (await auditAt('daily.round.overdue'))! - dueAt.getTime();
    const openedAuditMs = (await auditAt('daily.round.open'))! - t0;
    await waitFor(async () => (await at('closed_at')) !== null, 60_000, 'closed');
    const closedMs = (await at('closed_at'))!.getTime() - dueAt.getTime() - CUTOFF_SECONDS * 1000;
    const missing = (
      await sql.query(
        `SELECT count(*)::int AS n FROM daily_report_targets WHERE round_id = $1 AND state = 'missing'`,
        [id],
      )
    ).rows[0].n;
    expect(missing).toBe(2000);
    console.log(
      `2,000 townships: opened in ${openMs} ms (committed at ${openedAuditMs} ms), listed in ${listMs} ms, ` +
        `chased (audited) ${chasedMs} ms after dueAt, ` +
        `closed ${closedMs} ms after the cut-off`,
    );
  });
});
