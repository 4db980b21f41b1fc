import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { boundPoolQueue, createDataSource, DatabaseBusyError, EmbeddedPostgres } from '#persistence';
import { databaseCheck, HealthRegistry } from '#platform';
import { tempDir } from '../support/engines.js';

/**
 * The embedded engine's one connection under many callers: health must say "up" while the
 * engine works through the queue, and "down" once the engine is gone.
 */
describe('database health on the embedded engine', () => {
  let engine: EmbeddedPostgres;
  let ds: DataSource;

  beforeAll(async () => {
    engine = await EmbeddedPostgres.start(tempDir('yihu-health-'));
    ds = createDataSource({ socketDir: engine.socketDir, poolSize: 1, applicationName: 'yihu-int' });
    await ds.initialize();
    boundPoolQueue(ds, 200);
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy().catch(() => undefined);
    await engine?.stop();
  });

  it('stays up while 100 callers queue for the one connection', async () => {
    // as the app registers it: the registry gives every check 3 s
    const registry = new HealthRegistry();
    registry.register('database', databaseCheck(ds, 'pglite', engine));
    // each statement holds the connection ~50 ms: the queue is ~5 s long, past the 3 s budget
    const load = Array.from({ length: 100 }, () =>
      ds.query('SELECT pg_sleep(0.05), repeat($1, 100000)', ['x']),
    );
    await new Promise((r) => setTimeout(r, 100));
    const results = (await Promise.all(Array.from({ length: 5 }, () => registry.runAll()))).map(
      (r) => r.database!,
    );
    await Promise.all(load);
    for (const r of results) expect(r).toMatchObject({ status: 'up', driver: 'pglite' });
    // at least one of them saw the queue (it is up because the engine answers, not because it was idle)
    expect(results.some((r) => r.detail?.busy === true)).toBe(true);
    expect((await registry.runAll()).database).toEqual({ status: 'up', driver: 'pglite' });
  });

  it('tells a caller past the queue bound that the database is busy, at once', async () => {
    const small = createDataSource({ socketDir: engine.socketDir, poolSize: 1, applicationName: 'yihu-int' });
    await small.initialize();
    try {
      boundPoolQueue(small, 5);
      const settled = await Promise.allSettled(
        Array.from({ length: 20 }, () => small.query('SELECT pg_sleep(0.02)')),
      );
      const refused = settled.filter((s) => s.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DatabaseBusyError);
      // the ones that got in were answered
      expect(settled.filter((s) => s.status === 'fulfilled').length).toBeGreaterThanOrEqual(5);
    } finally {
      await small.destroy();
    }
  });

  it('is down once the engine has stopped', async () => {
    const check = databaseCheck(ds, 'pglite', engine, { queryMs: 200, probeMs: 1000 });
    await engine.stop();
    expect(await check()).toEqual({
      status: 'down',
      driver: 'pglite',
      error: 'the embedded database is stopped',
    });
  });
});
