import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DbJobQueue, MemoryCounterStore, type AppConfig, DrillLinks, DrillsRepository } from '#platform';
import { RealtimeServer } from '../../apps/dispatch/src/directives/shared/realtime.js';
import { DutyRosterRepository } from '../../apps/dispatch/src/duty/roster/duty-roster.repository.js';
import { DutyRoster } from '../../apps/dispatch/src/duty/roster/duty-roster.service.js';
import { ExternalRegistrations } from '../../apps/dispatch/src/reporting/external-registrations.js';
import { FindingsRepository } from '../../apps/dispatch/src/reporting/findings.repository.js';
import { IncidentAlerts } from '../../apps/dispatch/src/reporting/incident-alerts.js';
import { OpenItemSources } from '../../apps/dispatch/src/duty/handover/open-items.js';
import { IncidentDeadlines } from '../../apps/dispatch/src/reporting/incident-deadlines.js';
import { IncidentOpenItems } from '../../apps/dispatch/src/reporting/incident-open-items.js';
import { IncidentReports } from '../../apps/dispatch/src/reporting/incident-reports.service.js';
import { IncidentTimeline } from '../../apps/dispatch/src/reporting/incident-timeline.js';
import { IncidentsRepository } from '../../apps/dispatch/src/reporting/incidents.repository.js';
import { IncidentsService } from '../../apps/dispatch/src/reporting/incidents.service.js';
import { MissedCheck } from '../../apps/dispatch/src/reporting/missed-check.js';
import { ReportingAccess } from '../../apps/dispatch/src/reporting/reporting-access.js';
import {
  REPORTING_WRITES_PER_MINUTE,
  ReportingBudget,
} from '../../apps/dispatch/src/reporting/reporting-budget.js';
import { ReportingRules } from '../../apps/dispatch/src/reporting/reporting-rules.service.js';
import { waitFor } from '../support/async.js';
import { ENGINES, openEngine, type OpenEngine } from '../support/engines.js';

const config = {
  raw: { REPORTING_WARNING_LEAD_SECONDS: 600, REPORTING_ESCALATE_AFTER_SECONDS: 600 },
} as unknown as AppConfig;
const logger = pino({ level: 'silent' });

/** One process's worth of the reporting services over a database, with its own real job queue. */
function processOn(ds: DataSource) {
  const audit = new AuditStore(ds);
  const incidents = new IncidentsRepository(ds);
  const findings = new FindingsRepository(ds);
  const roster = new DutyRoster(ds, audit, new DutyRosterRepository(ds));
  const jobs = new DbJobQueue(ds, logger, true);
  const access = new ReportingAccess(incidents);
  const budget = new ReportingBudget(new MemoryCounterStore());
  const rules = new ReportingRules(ds, findings, audit);
  const alerts = new IncidentAlerts(ds, incidents, findings, audit, roster, new RealtimeServer(), logger);
  const missed = new MissedCheck(ds, incidents, findings, audit, jobs);
  const deadlines = new IncidentDeadlines(incidents, alerts, missed, jobs, config, logger);
  const service = new IncidentsService(
    ds,
    incidents,
    findings,
    rules,
    access,
    deadlines,
    new IncidentTimeline(audit, incidents),
    budget,
    audit,
    new DrillLinks(new DrillsRepository(ds)),
  );
  const external = new ExternalRegistrations(ds, incidents, rules, access, deadlines, missed, budget, audit);
  const reports = new IncidentReports(ds, incidents, findings, access, deadlines, roster, budget, audit);
  return { jobs, rules, deadlines, service, reports, missed, alerts, incidents, external };
}

/**
 * 信息报送's tables and timers against the real engines: PostgreSQL and the embedded PGlite
 * (the migration's triggers must run on both), the real job queue in its table.
 */
describe.each(ENGINES)('reporting on %s', (kind) => {
  let engine: OpenEngine;
  let ds: DataSource;
  let commander: Actor;
  let town: string;
  const count = async (sql: string, params: unknown[]) =>
    ((await ds.query(sql, params)) as { n: number }[])[0]!.n;

  beforeAll(async () => {
    engine = await openEngine(kind);
    ds = engine.dataSource;
    const county = randomUUID();
    town = randomUUID();
    await ds.query(
      `INSERT INTO sites (id, name, kind, parent_id, path) VALUES ($1, '县', 'command', NULL, $2)`,
      [county, `/${county}/`],
    );
    await ds.query(
      `INSERT INTO sites (id, name, kind, parent_id, path) VALUES ($1, '镇', 'township', $2, $3)`,
      [town, county, `/${county}/${town}/`],
    );
    const userId = randomUUID();
    await ds.query(
      `INSERT INTO users (id, username, password_hash, role, site_id) VALUES ($1, 'cmd', 'x', 'commander', $2)`,
      [userId, county],
    );
    commander = { userId, role: 'commander', siteId: county, sitePath: `/${county}/` };
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
  });

  const open = (p: ReturnType<typeof processOn>, level: 'I' | 'II' | 'III' | 'IV' = 'I', drill = false) =>
    p.service.create(commander, {
      siteId: town,
      title: '火情',
      category: '事故灾难',
      level,
      occurredAt: new Date(Date.now() - 1000).toISOString(),
      learnedAt: new Date().toISOString(),
      location: '镇东',
      summary: '',
      drill,
    });

  it('keeps a submitted report as it is: no edit, no second signature, no delete; findings neither', async () => {
    const p = processOn(ds);
    const { id } = await open(p, 'III');
    const r = await p.reports.submit(commander, id, { kind: 'initial', content: '初报' });
    await expect(
      ds.query(`UPDATE incident_reports SET content = '改' WHERE id = $1`, [r.id]),
    ).rejects.toThrow(/never edited/);
    await expect(
      ds.query(`UPDATE incident_reports SET kind = 'final' WHERE id = $1`, [r.id]),
    ).rejects.toThrow();
    await expect(ds.query(`DELETE FROM incident_reports WHERE id = $1`, [r.id])).rejects.toThrow(
      /append-only/,
    );
    await p.reports.sign(commander, id, r.id);
    await expect(
      ds.query(`UPDATE incident_reports SET signed_at = now() WHERE id = $1`, [r.id]),
    ).rejects.toThrow(/signed off once/);
    await expect(p.reports.sign(commander, id, r.id)).rejects.toMatchObject({ code: 'conflict' });
    await ds.query(
      `INSERT INTO report_findings (id, site_id, kind, incident_id, note) VALUES ($1, $2, 'concealed', $3, 'x')`,
      [randomUUID(), town, id],
    );
    await expect(
      ds.query(`UPDATE report_findings SET note = 'y' WHERE incident_id = $1`, [id]),
    ).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM report_findings WHERE incident_id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('keeps the rules an incident was opened under', async () => {
    const p = processOn(ds);
    const before = await open(p, 'II');
    expect(Date.parse(before.deadlines.writtenBy!) - Date.parse(before.deadlines.phoneBy!)).toBe(1800_000);
    await p.rules.put(commander, {
      rules: [{ level: 'II', phoneWithinSeconds: 60, writtenWithinSeconds: 120 }],
    });
    const after = await open(p, 'II');
    expect(Date.parse(after.deadlines.writtenBy!) - Date.parse(after.deadlines.phoneBy!)).toBe(60_000);
    const again = await p.service.get(commander, before.id);
    expect(Date.parse(again.deadlines.writtenBy!) - Date.parse(again.deadlines.phoneBy!)).toBe(1800_000);
  });

  it('alerts once per deadline however often the step runs, and the queue fires it after a restart', async () => {
    await processOn(ds).rules.put(commander, {
      rules: [{ level: 'I', phoneWithinSeconds: 2, writtenWithinSeconds: 3, followupEverySeconds: 600 }],
    });
    // the first process stores the timers, then stops before any is due (its jobs stay in the table)
    const first = processOn(ds);
    const { id, deadlines } = await open(first);
    await first.jobs.onApplicationShutdown();
    const jobs = await count(`SELECT count(*)::int AS n FROM jobs WHERE data->>'incidentId' = $1`, [id]);
    expect(jobs).toBeGreaterThanOrEqual(2);

    const second = processOn(ds);
    await second.jobs.onApplicationBootstrap();
    await waitFor(
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM report_alerts WHERE incident_id = $1 AND stage = 'overdue'`,
          [id],
        )) === 2,
      20_000,
      'both overdue steps from the stored jobs',
    );
    // the step run again, at once, by several callers: nothing new
    const dueAt = new Date(deadlines.writtenBy!);
    await Promise.all([1, 2, 3, 4].map(() => second.deadlines.fire(id, 'initial', dueAt, 'overdue')));
    await second.deadlines.sweep();
    expect(
      await count(
        `SELECT count(*)::int AS n FROM report_alerts WHERE incident_id = $1 AND stage = 'overdue'`,
        [id],
      ),
    ).toBe(2);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1 AND action = 'report.overdue'`,
        [id],
      ),
    ).toBe(2);
    await second.jobs.onApplicationShutdown();
  });

  it('makes a late finding at the signature of a report submitted in time but signed late, once', async () => {
    // level I is 2 s phone, 3 s written since the test above
    const p = processOn(ds);
    const { id } = await open(p);
    const initial = await p.reports.submit(commander, id, { kind: 'initial', content: '初报' });
    expect(initial.lateBySeconds).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM report_findings WHERE incident_id = $1`, [id])).toBe(
      0,
    );
    await new Promise((r) => setTimeout(r, 4200));
    await p.reports.sign(commander, id, initial.id);
    const late = (await ds.query(`SELECT kind, seconds FROM report_findings WHERE incident_id = $1`, [
      id,
    ])) as {
      kind: string;
      seconds: number;
    }[];
    expect(late).toEqual([{ kind: 'late', seconds: expect.any(Number) }]);
    expect(late[0]!.seconds).toBeGreaterThanOrEqual(1);
    // the phone report made late now is a finding of its own deadline
    const phone = await p.reports.submit(commander, id, { kind: 'phone', content: '补报电话' });
    expect(phone.lateBySeconds).toBeGreaterThanOrEqual(2);
    expect(await count(`SELECT count(*)::int AS n FROM report_findings WHERE incident_id = $1`, [id])).toBe(
      2,
    );
  });

  it("refuses a person's writes past the minute's budget with a wait", async () => {
    const budget = new ReportingBudget(new MemoryCounterStore());
    const p = processOn(ds);
    const { id } = await open(p, 'IV');
    const reports = new IncidentReports(
      ds,
      p.incidents,
      new FindingsRepository(ds),
      new ReportingAccess(p.incidents),
      p.deadlines,
      new DutyRoster(ds, new AuditStore(ds), new DutyRosterRepository(ds)),
      budget,
      new AuditStore(ds),
    );
    for (let i = 0; i < REPORTING_WRITES_PER_MINUTE; i++) await budget.take(commander);
    await expect(
      reports.submit(commander, id, { kind: 'followup', content: '第121份' }),
    ).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: expect.any(Number),
    });
    expect(await count(`SELECT count(*)::int AS n FROM incident_reports WHERE incident_id = $1`, [id])).toBe(
      0,
    );
  });

  it("lists the site's open incidents and the report owed next for a handover, not closed ones", async () => {
    const p = processOn(ds);
    const sources = new OpenItemSources();
    new IncidentOpenItems(sources, p.incidents).onModuleInit();
    const { id } = await open(p, 'III');
    const items = await sources.collect(town);
    expect(items).toContainEqual(expect.objectContaining({ kind: 'report', id, state: 'open' }));
    expect(items.find((i) => i.id === id)!.title).toMatch(/^火情 · 初报截止 \d\d-\d\d \d\d:\d\d$/);
    const final = await p.reports.submit(commander, id, { kind: 'final', content: '终报' });
    await p.reports.sign(commander, id, final.id);
    expect((await sources.collect(town)).some((i) => i.id === id)).toBe(false);
  });

  it('makes one 漏报 however many checks race, and none for a drill', async () => {
    const p = processOn(ds);
    const ext = await p.external.register(commander, {
      siteId: town,
      title: '外部',
      level: 'III',
      learnedAt: new Date(Date.now() - 86_400_000).toISOString(),
      source: '媒体',
    });
    await Promise.all([1, 2, 3].map(() => p.missed.check(ext.id)));
    expect(
      await count(
        `SELECT count(*)::int AS n FROM report_findings WHERE incident_id = $1 AND kind = 'missed'`,
        [ext.id],
      ),
    ).toBe(1);
    const drill = await open(p, 'III', true);
    await p.external.register(commander, {
      siteId: town,
      title: '演练',
      level: 'III',
      learnedAt: new Date(Date.now() - 86_400_000).toISOString(),
      source: '演练',
      incidentId: drill.id,
    });
    expect(
      await count(`SELECT count(*)::int AS n FROM report_findings WHERE incident_id = $1`, [drill.id]),
    ).toBe(0);
  });
});
