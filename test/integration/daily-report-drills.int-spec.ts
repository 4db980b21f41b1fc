import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPORTING_JOBS } from '#contracts';
import { shanghaiDay } from '#domain';
import { JobQueue, startApp, type StartedApp } from '#platform';
import { DailyReportFacts } from '../../apps/dispatch/src/reporting/daily/daily-report-facts.source.js';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { createSite, createUser } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { inProcessHubEnv } from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(120_000);

const CUTOFF_SECONDS = 3;
/** the Asia/Shanghai day n days ago: a round may be for a date up to 7 days past */
const daysAgo = (n: number) => shanghaiDay(new Date(Date.now() - n * 86_400_000));

/**
 * 日报告 rounds in a drill (issue 19, docs/drills.md) in cluster mode (PostgreSQL, BullMQ on
 * Redis): a drill's round of a date stands beside the real round of that date, answered and
 * counted apart, left out of the findings unless asked, and summed in the drill's report.
 * Its own database: the other daily-report tests count every township of theirs.
 */
describe('daily-report rounds in a drill (cluster mode)', () => {
  let db: TestDatabase;
  let hub: StartedApp;
  let admin: Api;
  let root: string;
  let towns: string[];
  let dispatcher: { id: string; api: Api; token: string };
  const dirs: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'yihu-daily-drill-'));
    dirs.push(dir);
    const env: Record<string, string> = {
      ...inProcessHubEnv(join(dir, 'data'), await freePort()),
      INSTANCE_ID: 'a',
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: uniquePrefix(),
      JWT_SECRET: 'daily-drill-test-secret-0123456789-abcdefghij',
      AUDIT_KEY: 'daily-drill-audit-key-of-every-instance-0123',
      MQTT_PORT: String(await freePort()),
      DAILY_REPORT_CUTOFF_SECONDS: String(CUTOFF_SECONDS),
    };
    hub = await startApp('hub', hubApp, env);
    admin = await new Api(`http://127.0.0.1:${env.PORT}`).login('admin', 'admin-password-1');
    root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    const county = await createSite(admin, '测试县', 'command', root);
    towns = [
      await createSite(admin, '四镇', 'township', county),
      await createSite(admin, '五镇', 'township', county),
      await createSite(admin, '六镇', 'township', county),
    ];
    dispatcher = await createUser(admin, 'dd-int-dispatcher', 'dispatcher', county);
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
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

  it("keys rounds by drill too: a drill's round of a date stands beside the real one, apart in every count", async () => {
    const [t4, t5] = towns as [string, string, string];
    const date = daysAgo(6);
    const drill = await dispatcher.api.post('/api/v1/drills', {
      name: '日报告演练',
      kind: 'functional',
      siteIds: [t4, t5],
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(drill.status).toBe(201);
    const drillId = drill.body.id as string;
    const openIn = (body: object) =>
      dispatcher.api.post('/api/v1/daily-reports/rounds', {
        date,
        dueAt: new Date(Date.now() + 1500).toISOString(),
        ...body,
      });
    expect((await open(date, new Date(Date.now() + 60_000), [t4, t5])).status).toBe(201);
    // without siteIds a drill round names the drill's sites; the real round does not collide
    const round = await openIn({ drillId });
    expect(round.status).toBe(201);
    expect(round.body).toMatchObject({ date, drill: true, drillId });
    expect(round.body.sites.map((x: { siteId: string }) => x.siteId).sort()).toEqual([t4, t5].sort());
    expect(round.body.sites[0]).toMatchObject({ drill: true, drillId, state: 'pending' });
    // but a second round of the same drill and date does
    expect(await openIn({ drillId })).toMatchObject({ status: 409 });
    // 六镇 is not in the drill
    expect(await openIn({ drillId, siteIds: [towns[2]] })).toMatchObject({ status: 422 });
    expect(await openIn({ drillId, drill: false })).toMatchObject({ status: 422 });
    expect(await openIn({ drillId: randomUUID() })).toMatchObject({ status: 404 });
    // a dispatcher of another county: the drill is none of theirs, as unknown (404)
    const outsider = await createUser(
      admin,
      'dr-int-outsider',
      'dispatcher',
      await createSite(admin, '邻县', 'command', root),
    );
    const foreign = await outsider.api.post('/api/v1/daily-reports/rounds', {
      date,
      dueAt: new Date(Date.now() + 60_000).toISOString(),
      drillId,
    });
    expect(foreign.status).toBe(404);

    // 四镇 reports in the drill and for real: each round counts its own versions
    expect((await put(t4, date, { kind: 'zero', drillId })).body).toMatchObject({
      state: 'zero',
      version: 1,
    });
    expect((await put(t4, date, { kind: 'normal', text: '真实日报' })).body).toMatchObject({
      state: 'submitted',
      version: 1,
    });
    expect(await put(t4, date, { kind: 'zero', drillId: randomUUID() })).toMatchObject({ status: 404 });
    // a terminal's key names no drill: it answers the real round of the date
    await hub.app.get(JobQueue).add(REPORTING_JOBS.terminalDaily, {
      terminalId: 't0123456789abcdef0555',
      siteId: t5,
      date,
      at: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
    });
    const rows = async (query: string) =>
      (await dispatcher.api.get(`/api/v1/daily-reports?date=${date}${query}`)).body as {
        siteId: string;
        state: string;
        drill: boolean;
        drillId: string | null;
      }[];
    await waitFor(
      async () => (await rows('')).find((r) => r.siteId === t5)?.state === 'zero',
      20_000,
      "the terminal's report",
    );
    // the drill round closes (cut-off 3 s after its due time) with 五镇 missing
    await waitFor(
      async () => (await rows(`&drillId=${drillId}`)).find((r) => r.siteId === t5)?.state === 'missing',
      20_000,
      'the drill round closed',
    );
    const mine = (list: Awaited<ReturnType<typeof rows>>) =>
      list
        .filter((r) => r.siteId === t4 || r.siteId === t5)
        .map((r) => [r.siteId === t4 ? 4 : 5, r.state, r.drillId])
        .sort((x, y) => Number(x[0]) - Number(y[0]));
    expect(mine(await rows(''))).toEqual([
      [4, 'submitted', null],
      [5, 'zero', null],
    ]);
    expect(mine(await rows(`&drillId=${drillId}`))).toEqual([
      [4, 'zero', drillId],
      [5, 'missing', drillId],
    ]);
    expect((await rows('&includeDrill=true')).filter((r) => r.siteId === t5)).toHaveLength(2);
    expect(await dispatcher.api.get(`/api/v1/daily-reports?date=${date}&includeDrill=maybe`)).toMatchObject({
      status: 400,
    });

    // the drill's missing report is no finding of the real statistics, only when asked
    const facts = hub.app.get(DailyReportFacts);
    const from = new Date(Date.now() - 3600_000);
    const to = new Date(Date.now() + 3600_000);
    expect(await facts.findings([t4, t5], from, to, false)).toEqual([]);
    expect(await facts.findings([t4, t5], from, to, true)).toEqual([
      expect.objectContaining({ siteId: t5, kind: 'missed', drill: true, date }),
    ]);

    // the after-action report: per site, sent / submitted / missing and how fast
    const report = await dispatcher.api.get(`/api/v1/drills/${drillId}/report`);
    expect(report.status).toBe(200);
    const site = (id: string) => report.body.sites.find((x: { siteId: string }) => x.siteId === id);
    expect(site(t4).dailyReports).toMatchObject({ sent: 1, submitted: 1, late: 0, missing: 0 });
    expect(site(t4).dailyReports.submitSeconds.values).toHaveLength(1);
    expect(site(t5).dailyReports).toMatchObject({ sent: 1, submitted: 0, missing: 1 });
    expect(report.body.missed.dailyReport).toEqual([t5]);

    // ended: no more rounds join it
    expect((await dispatcher.api.post(`/api/v1/drills/${drillId}/end`)).status).toBe(200);
    expect(await openIn({ drillId, date: daysAgo(7) })).toMatchObject({ status: 409 });
  });
});
