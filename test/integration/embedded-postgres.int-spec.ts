import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { createDataSource, DataDirInUseError, EmbeddedPostgres, runMigrations } from '#persistence';
import { tempDir } from '../support/engines.js';

const LOCK_FILE = 'yihu.lock';

/** Opens the engine, runs `work` on a migrated data source, then closes both. */
async function withDatabase<T>(
  pg: EmbeddedPostgres,
  work: (query: (sql: string, p?: unknown[]) => Promise<any>) => Promise<T>,
) {
  const ds = createDataSource({ socketDir: pg.socketDir, poolSize: 1 });
  await ds.initialize();
  try {
    await runMigrations(ds, false);
    return await work((sql, p) => ds.query(sql, p));
  } finally {
    await ds.destroy();
  }
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
  return child.pid!;
}

describe('EmbeddedPostgres', () => {
  const dirs: string[] = [];
  const running: EmbeddedPostgres[] = [];
  const newDir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  const start = async (dir: string) => {
    const pg = await EmbeddedPostgres.start(dir);
    running.push(pg);
    return pg;
  };
  const stop = async (pg: EmbeddedPostgres) => {
    running.splice(running.indexOf(pg), 1);
    await pg.stop();
  };

  afterEach(async () => {
    for (const pg of running.splice(0).reverse()) await pg.stop().catch(() => undefined);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keeps data across stop and start, and releases its lock and socket on stop', async () => {
    const dir = newDir();
    const first = await start(dir);
    expect(existsSync(join(first.socketDir, '.s.PGSQL.5432'))).toBe(true);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await withDatabase(first, async (q) => {
      await q(
        `INSERT INTO sites (id, name, kind, path) VALUES (gen_random_uuid(), '县指挥中心', 'command', '/x/')`,
      );
    });
    await stop(first);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(existsSync(first.socketDir)).toBe(false);

    const second = await start(dir);
    const names = await withDatabase(second, async (q) => {
      // the migrations were remembered too: nothing to apply the second time
      const rows = (await q('SELECT name FROM sites')) as { name: string }[];
      return rows.map((r) => r.name);
    });
    expect(names).toEqual(['县指挥中心']);
  });

  it('reports its thread dying under it, then releases the data dir for a restart that keeps every commit', async () => {
    const dir = newDir();
    const failures: Error[] = [];
    const pg = await EmbeddedPostgres.start(dir, (err) => failures.push(err));
    running.push(pg);
    await withDatabase(pg, async (q) => {
      await q(
        `INSERT INTO sites (id, name, kind, path) VALUES (gen_random_uuid(), '断电前', 'command', '/x/')`,
      );
    });
    // the engine's thread ends as an abort in its WebAssembly would end it
    await (pg as unknown as { worker: Worker }).worker.terminate();
    for (let i = 0; i < 50 && !failures.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(/embedded database thread exited/);
    await stop(pg);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(failures).toHaveLength(1); // its own stop is not a second failure

    const again = await start(dir);
    const names = await withDatabase(again, async (q) =>
      ((await q('SELECT name FROM sites')) as { name: string }[]).map((r) => r.name),
    );
    expect(names).toEqual(['断电前']);
  });

  it('warms up on a throw-away table that leaves no trace, beside existing data', async () => {
    const dir = newDir();
    const first = await start(dir);
    await withDatabase(first, (q) =>
      q(
        `INSERT INTO sites (id, name, kind, path) VALUES (gen_random_uuid(), '乡镇值班室', 'township', '/y/')`,
      ),
    );
    await stop(first);
    const warm = await EmbeddedPostgres.start(dir, undefined, { warmUp: true });
    running.push(warm);
    const found = await withDatabase(warm, async (q) => ({
      sites: ((await q('SELECT name FROM sites')) as { name: string }[]).map((r) => r.name),
      tables: ((await q(`SELECT relname FROM pg_class WHERE relname LIKE 'yihu_warm_up%'`)) as unknown[])
        .length,
      // the session is not left inside the warm-up's transaction
      inTransaction: ((await q(`SELECT now() = statement_timestamp() AS fresh`)) as { fresh: boolean }[])[0]!
        .fresh,
    }));
    expect(found).toEqual({ sites: ['乡镇值班室'], tables: 0, inTransaction: true });
  });

  it('runs the engine off this thread: a slow statement leaves the event loop free', async () => {
    const pg = await start(newDir());
    const ticks = await withDatabase(pg, async (q) => {
      let n = 0;
      const timer = setInterval(() => n++, 20);
      try {
        await q('SELECT pg_sleep(1)'); // on this thread, the engine would block every timer for 1 s
      } finally {
        clearInterval(timer);
      }
      return n;
    });
    expect(ticks).toBeGreaterThanOrEqual(20);
  });

  it('refuses a second start on a data dir that is open in this process', async () => {
    const dir = newDir();
    const first = await start(dir);
    await expect(start(dir)).rejects.toBeInstanceOf(DataDirInUseError);
    // the refused start left the running engine and its lock alone
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await withDatabase(first, async (q) => expect(await q('SELECT 1 AS one')).toEqual([{ one: 1 }]));
  });

  it('refuses a data dir whose lock is held by another live process', async () => {
    const dir = newDir();
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, LOCK_FILE), `${other.pid}\n`);
      const err = await EmbeddedPostgres.start(dir).then(
        (pg) => {
          running.push(pg);
          return null;
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DataDirInUseError);
      expect((err as Error).message).toContain(`pid ${other.pid}`);
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(other.pid));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a stale lock left by a process that died', async () => {
    const dir = newDir();
    const first = await start(dir);
    await withDatabase(first, (q) =>
      q(`INSERT INTO sites (id, name, kind, path) VALUES (gen_random_uuid(), 'a', 'command', '/a/')`),
    );
    await stop(first);
    // as after kill -9: the lock file names a pid that no longer runs
    const pid = deadPid();
    writeFileSync(join(dir, LOCK_FILE), `${pid}\n`);

    const second = await start(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    const count = await withDatabase(
      second,
      async (q) => ((await q('SELECT count(*)::int AS n FROM sites')) as { n: number }[])[0]!.n,
    );
    expect(count).toBe(1);
  });

  it('takes over a lock naming its own pid that no engine in this process holds (container restart)', async () => {
    const dir = newDir();
    // in a container the restarted process often gets the same pid as the one that died
    writeFileSync(join(dir, LOCK_FILE), `${process.pid}\n`);
    const pg = await start(dir);
    await withDatabase(pg, async (q) => expect(await q('SELECT 1 AS one')).toEqual([{ one: 1 }]));
  });
});
