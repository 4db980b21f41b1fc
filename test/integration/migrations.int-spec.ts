import { afterEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { MIGRATIONS, runMigrations } from '#persistence';
import { ENGINES, openEngine, type OpenEngine } from '../support/engines.js';
import { sleep } from '../support/async.js';

const EXPECTED_TABLES = ['audit_log', 'jobs', 'sites', 'users'];
const MIGRATION_LOCK_KEY = 7_144_001; // data-source.ts

async function publicTables(ds: DataSource): Promise<string[]> {
  const rows = (await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  )) as { table_name: string }[];
  return rows.map((r) => r.table_name).sort();
}

async function appliedMigrations(ds: DataSource): Promise<string[]> {
  const rows = (await ds.query('SELECT name FROM schema_migrations ORDER BY id')) as { name: string }[];
  return rows.map((r) => r.name);
}

const ALL_MIGRATIONS = MIGRATIONS.map((M) => new M().name as string);

describe.each(ENGINES)('migrations on %s', (kind) => {
  let engine: OpenEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('creates the schema on a fresh database and is a no-op the second time', async () => {
    engine = await openEngine(kind, { migrate: false });
    const ds = engine.dataSource;
    expect(await publicTables(ds)).toEqual([]);

    const serialise = kind === 'postgres';
    const first = await runMigrations(ds, serialise);
    expect(first).toEqual(ALL_MIGRATIONS);
    expect(first.length).toBeGreaterThan(0);

    const tables = await publicTables(ds);
    expect(tables).toEqual(expect.arrayContaining(EXPECTED_TABLES));
    expect(tables).toContain('schema_migrations');

    const second = await runMigrations(ds, serialise);
    expect(second).toEqual([]);
    expect(await appliedMigrations(ds)).toEqual(ALL_MIGRATIONS);
    expect(await publicTables(ds)).toEqual(tables);

    // the append-only trigger and the enum types came with the schema
    const triggers = (await ds.query(
      `SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal`,
    )) as { tgname: string }[];
    expect(triggers.map((t) => t.tgname).sort()).toEqual(['audit_log_append_only', 'audit_log_no_truncate']);
    const types = (await ds.query(
      `SELECT typname FROM pg_type WHERE typname IN ('site_kind', 'user_role') ORDER BY 1`,
    )) as {
      typname: string;
    }[];
    expect(types.map((t) => t.typname)).toEqual(['site_kind', 'user_role']);
  });
});

describe('migrations from several instances at once (PostgreSQL)', () => {
  let engine: OpenEngine | undefined;
  const clients: pg.Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => undefined);
    await engine?.close();
    engine = undefined;
  });

  it('lets concurrent serialised runs on one fresh database all succeed, applying each migration once', async () => {
    engine = await openEngine('postgres', { migrate: false, poolSize: 4 });
    const instances = [engine.dataSource, await engine.extraDataSource(4), await engine.extraDataSource(4)];

    const results = await Promise.allSettled(instances.map((ds) => runMigrations(ds, true)));
    for (const r of results) expect(r).toMatchObject({ status: 'fulfilled' });

    const applied = results.map((r) => (r as PromiseFulfilledResult<string[]>).value);
    // exactly one instance applied the migrations; the others found nothing left to do
    expect(applied.flat().sort()).toEqual([...ALL_MIGRATIONS].sort());
    expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
    expect(await appliedMigrations(engine.dataSource)).toEqual(ALL_MIGRATIONS);
    expect(await publicTables(engine.dataSource)).toEqual(expect.arrayContaining(EXPECTED_TABLES));
  });

  it('waits for the advisory lock held by another instance before touching the schema', async () => {
    engine = await openEngine('postgres', { migrate: false, poolSize: 2 });
    const holder = new pg.Client({ connectionString: engine.database!.url });
    clients.push(holder);
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);

    let finished = false;
    const run = runMigrations(engine.dataSource, true).then((names) => {
      finished = true;
      return names;
    });
    await sleep(700);
    expect(finished).toBe(false);
    // nothing was created while the lock was held elsewhere
    expect(await publicTables(engine.dataSource)).toEqual([]);

    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    expect(await run).toEqual(ALL_MIGRATIONS);
    expect(await publicTables(engine.dataSource)).toEqual(expect.arrayContaining(EXPECTED_TABLES));
  });
});
