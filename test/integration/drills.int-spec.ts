import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { DRILL_WRITES_PER_MINUTE, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { MemoryCounterStore, DrillLinks, DrillsRepository } from '#platform';
import { DrillBudget } from '../../apps/dispatch/src/drills/drill-budget.js';
import { DrillReportRepository } from '../../apps/dispatch/src/drills/drill-report.repository.js';
import { DrillsService } from '../../apps/dispatch/src/drills/drills.service.js';
import { waitFor } from '../support/async.js';
import { ENGINES, openEngine, type OpenEngine } from '../support/engines.js';

const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

/**
 * Drills against both engines (the migration, the report's SQL and the share lock): the
 * drill's sites keep their order, a duty officer's report has only their site, the early
 * end is once, and on PostgreSQL an end waits for an item joining the drill to commit.
 */
describe.each(ENGINES)('drills on %s', (kind) => {
  let engine: OpenEngine;
  let ds: DataSource;
  let service: DrillsService;
  let links: DrillLinks;
  let commander: Actor;
  let officer: Actor;
  const towns = [randomUUID(), randomUUID(), randomUUID()];
  const elsewhere = randomUUID();
  const elsewhereTown = randomUUID();

  beforeAll(async () => {
    engine = await openEngine(kind);
    ds = engine.dataSource;
    const county = randomUUID();
    await ds.query(
      `INSERT INTO sites (id, name, kind, parent_id, path) VALUES ($1, '县', 'command', NULL, $2)`,
      [county, `/${county}/`],
    );
    for (const [i, town] of towns.entries())
      await ds.query(
        `INSERT INTO sites (id, name, kind, parent_id, path) VALUES ($1, $2, 'township', $3, $4)`,
        [town, `镇${i}`, county, `/${county}/${town}/`],
      );
    await ds.query(
      `INSERT INTO sites (id, name, kind, parent_id, path) VALUES ($1, '外县', 'command', NULL, $2)`,
      [elsewhere, `/${elsewhere}/`],
    );
    await ds.query(
      `INSERT INTO sites (id, name, kind, parent_id, path) VALUES ($1, '外镇', 'township', $2, $3)`,
      [elsewhereTown, elsewhere, `/${elsewhere}/${elsewhereTown}/`],
    );
    const userId = randomUUID();
    await ds.query(
      `INSERT INTO users (id, username, password_hash, role, site_id) VALUES ($1, 'cmd', 'x', 'commander', $2)`,
      [userId, county],
    );
    commander = { userId, role: 'commander', siteId: county, sitePath: `/${county}/` };
    officer = { userId, role: 'duty_officer', siteId: towns[1]!, sitePath: `/${county}/${towns[1]}/` };
    const drills = new DrillsRepository(ds);
    links = new DrillLinks(drills);
    service = new DrillsService(
      ds,
      drills,
      new DrillReportRepository(ds),
      new AuditStore(ds),
      new DrillBudget(new MemoryCounterStore()),
    );
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
  });

  const create = (siteIds = [towns[2]!, towns[0]!, towns[1]!]) =>
    service.create(commander, {
      name: '演练',
      kind: 'tabletop',
      siteIds,
      startsAt: minutes(-1),
      endsAt: minutes(60),
    });

  it('keeps the sites in the given order; a duty officer reads only their own', async () => {
    const d = await create();
    expect(d.sites.map((s) => s.id)).toEqual([towns[2], towns[0], towns[1]]);
    expect(d.state).toBe('running');
    const report = await service.report(officer, d.id);
    expect(report.sites.map((s) => s.siteId)).toEqual([towns[1]]);
    expect(report.totals.directives.sent).toBe(0);
    const audit = (await ds.query(`SELECT action FROM audit_log WHERE subject_id = $1`, [d.id])) as {
      action: string;
    }[];
    expect(audit.map((a) => a.action)).toEqual(['drill.create']);
  });

  it('ends once; then nothing joins it', async () => {
    const d = await create();
    expect((await service.end(commander, d.id)).state).toBe('ended');
    await expect(service.end(commander, d.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(links.check(commander, d.id, undefined, [towns[0]!])).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('answers a drill the actor may not see as unknown (404), whatever it is asked to link', async () => {
    const d = await create([towns[0]!, towns[1]!]);
    // another county's dispatcher naming their own township: not "outside the drill" (422)
    const outsider: Actor = {
      ...commander,
      role: 'dispatcher',
      siteId: elsewhere,
      sitePath: `/${elsewhere}/`,
    };
    const refused = links.check(outsider, d.id, undefined, [elsewhereTown]);
    await expect(refused).rejects.toMatchObject({
      code: 'not_found',
      message: `drill ${d.id} does not exist`,
    });
    await expect(links.check(outsider, d.id, true, [])).rejects.toMatchObject({ code: 'not_found' });
    await expect(service.get(outsider, d.id)).rejects.toMatchObject({ code: 'not_found' });
    // an ended drill out of sight is still just unknown, not 409
    await service.end(commander, d.id);
    await expect(links.check(outsider, d.id, undefined, [elsewhereTown])).rejects.toMatchObject({
      code: 'not_found',
    });
    // 镇1's duty officer sees the drill: for them the real answers stand
    await expect(links.check(officer, d.id, undefined, [towns[1]!])).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('bounds drills created or ended per user and minute', async () => {
    const budget = new DrillBudget(new MemoryCounterStore());
    for (let i = 0; i < DRILL_WRITES_PER_MINUTE; i++) await budget.take(commander);
    await expect(budget.take(commander)).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(budget.take({ ...commander, userId: randomUUID() })).resolves.toBeUndefined();
  });

  it("reads the drill's daily-report rounds and consultations; a drill round stands beside the real one", async () => {
    const d = await create([towns[0]!, towns[1]!]);
    const date = '2026-12-07';
    const opened = new Date(Date.now() - 600_000);
    const round = async (drillId: string | null, siteIds: string[]) => {
      const id = randomUUID();
      await ds.query(
        `INSERT INTO daily_report_rounds (id, date, due_at, closes_at, drill, drill_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          id,
          date,
          new Date(opened.getTime() + 300_000),
          new Date(Date.now() + 3600_000),
          !!drillId,
          drillId,
          opened,
        ],
      );
      await ds.query(
        `INSERT INTO daily_report_targets (site_id, date, round_id, drill_id) SELECT unnest($1::uuid[]), $2, $3, $4`,
        [siteIds, date, id, drillId],
      );
      return id;
    };
    await round(null, [towns[0]!, towns[1]!]);
    // the same site and date in a drill: a second round, not a collision
    const drillRound = await round(d.id, [towns[0]!, towns[1]!]);
    // but twice in the same drill (or twice real) is refused by the index
    await expect(round(d.id, [towns[0]!])).rejects.toThrow(/daily_report_targets_site_date_drill/);
    await expect(round(null, [towns[1]!])).rejects.toThrow(/daily_report_targets_site_date_drill/);
    // 镇0 reported 90 s after the round opened, late; 镇1 is still pending
    await ds.query(
      `UPDATE daily_report_targets SET state = 'late', first_at = $3, late_seconds = 1, version = 1
       WHERE round_id = $1 AND site_id = $2`,
      [drillRound, towns[0], new Date(opened.getTime() + 90_000)],
    );
    const consultation = randomUUID();
    const created = new Date(Date.now() - 120_000);
    await ds.query(
      `INSERT INTO consultations (id, title, state, host_site_id, created_by, site_ids, drill_id, created_at)
       VALUES ($1, '演练会商', 'live', $2, $3, $4::uuid[], $5, $6)`,
      [consultation, commander.siteId, commander.userId, [towns[0], towns[1]], d.id, created],
    );
    for (const [site, after] of [
      [commander.siteId, 3],
      [towns[1]!, 42],
      [towns[1]!, 80], // a rejoin: the first join counts
    ] as const)
      await ds.query(
        `INSERT INTO consultation_attendance (id, consultation_id, user_id, site_id, joined_at) VALUES ($1, $2, $3, $4, $5)`,
        [randomUUID(), consultation, commander.userId, site, new Date(created.getTime() + after * 1000)],
      );

    const report = await service.report(commander, d.id);
    const [s0, s1] = report.sites;
    expect(s0!.dailyReports).toMatchObject({ sent: 1, submitted: 1, late: 1, pending: 0 });
    expect(s0!.dailyReports.submitSeconds.values).toEqual([90]);
    expect(s1!.dailyReports).toMatchObject({ sent: 1, submitted: 0, pending: 1 });
    expect(report.totals.dailyReports.sent).toBe(2);
    expect(report.totals.consultations).toMatchObject({ invited: 2, joined: 1 });
    expect(report.consultations).toEqual([
      expect.objectContaining({
        id: consultation,
        title: '演练会商',
        state: 'live',
        startedAt: new Date(created.getTime() + 3000).toISOString(),
        invited: 2,
        joined: 1,
        sites: [
          { siteId: towns[0], siteName: '镇0', joinedAt: null, joinSeconds: null },
          expect.objectContaining({ siteId: towns[1], joinSeconds: 42 }),
        ],
      }),
    ]);
    // a duty officer of 镇1 sees only their own row of the consultation too
    const own = await service.report(officer, d.id);
    expect(own.consultations[0]!.sites.map((x) => x.siteId)).toEqual([towns[1]]);
    expect(own.sites[0]!.consultations.joinSeconds.values).toEqual([42]);
  });

  if (kind === 'postgres')
    it('an end waits for an item that is joining the drill, so the item is in before it ends', async () => {
      const d = await create();
      const other = await engine.extraDataSource(2);
      const otherService = new DrillsService(
        other,
        new DrillsRepository(other),
        new DrillReportRepository(other),
        new AuditStore(other),
        new DrillBudget(new MemoryCounterStore()),
      );
      let ended = false;
      let ending: Promise<unknown> = Promise.resolve();
      await ds.transaction(async (tx) => {
        await links.attach(tx, d.id, [towns[0]!]);
        ending = otherService.end(commander, d.id).then(() => (ended = true));
        // the end is blocked on the share lock this transaction holds
        await waitFor(
          async () =>
            (
              (await ds.query(
                `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'`,
              )) as { n: number }[]
            )[0]!.n > 0,
          10_000,
          'the end waiting on the lock',
        );
        expect(ended).toBe(false);
      });
      await ending;
      expect(ended).toBe(true);
    });
});
