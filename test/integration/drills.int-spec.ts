import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { DRILL_WRITES_PER_MINUTE, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { MemoryCounterStore } from '#platform';
import { DrillBudget } from '../../apps/dispatch/src/drills/drill-budget.js';
import { DrillLinks } from '../../apps/dispatch/src/drills/drill-links.js';
import { DrillReportRepository } from '../../apps/dispatch/src/drills/drill-report.repository.js';
import { DrillsRepository } from '../../apps/dispatch/src/drills/drills.repository.js';
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
    await expect(links.check(d.id, undefined, [towns[0]!])).rejects.toMatchObject({ code: 'conflict' });
  });

  it('bounds drills created or ended per user and minute', async () => {
    const budget = new DrillBudget(new MemoryCounterStore());
    for (let i = 0; i < DRILL_WRITES_PER_MINUTE; i++) await budget.take(commander);
    await expect(budget.take(commander)).rejects.toMatchObject({ code: 'rate_limited' });
    await expect(budget.take({ ...commander, userId: randomUUID() })).resolves.toBeUndefined();
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
