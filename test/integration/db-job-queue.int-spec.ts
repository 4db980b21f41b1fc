import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { createDataSource, EmbeddedPostgres, runMigrations } from '#persistence';
import { DbJobQueue } from '#platform';
import { captureLogger, sleep, waitFor } from '../support/async.js';
import { tempDir } from '../support/engines.js';

interface JobRow {
  name: string;
  job_key: string | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  failed_at: Date | null;
  locked_until: Date | null;
}

/** One "run" of the embedded app: engine, data source and queue on a data dir. */
interface Node {
  pg: EmbeddedPostgres;
  ds: DataSource;
  queue: DbJobQueue;
  jobs(): Promise<JobRow[]>;
  stop(): Promise<void>;
}

async function startNode(
  dataDir: string,
  register: (queue: DbJobQueue) => void = () => undefined,
): Promise<Node> {
  const pg = await EmbeddedPostgres.start(dataDir);
  const ds = createDataSource({ socketDir: pg.socketDir, poolSize: 1 });
  try {
    await ds.initialize();
    await runMigrations(ds, false);
  } catch (err) {
    if (ds.isInitialized) await ds.destroy();
    await pg.stop();
    throw err;
  }
  const queue = new DbJobQueue(ds, captureLogger('error').logger, true);
  register(queue);
  let stopped = false;
  return {
    pg,
    ds,
    queue,
    jobs: () => ds.query('SELECT * FROM jobs ORDER BY created_at') as Promise<JobRow[]>,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await queue.onApplicationShutdown();
      await ds.destroy();
      await pg.stop();
    },
  };
}

describe('DbJobQueue on embedded PGlite', () => {
  let dataDir: string;
  let node: Node | undefined;

  // one data dir for the file (a first PGlite open costs seconds); every test empties the table
  beforeAll(async () => {
    dataDir = tempDir();
    const first = await startNode(dataDir);
    await first.stop();
  });
  afterEach(async () => {
    if (node) {
      await node.ds.query('DELETE FROM jobs').catch(() => undefined);
      await node.stop();
    }
    node = undefined;
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a job after a restart when the process stopped before it was due', async () => {
    let ranBefore = 0;
    const before = await startNode(dataDir, (q) => q.handle('notify', async () => void (ranBefore += 1)));
    await before.queue.onApplicationBootstrap();
    await before.queue.add('notify', { directiveId: 'd-1' }, { delayMs: 1500 });
    // the job is on disk, not merely in memory
    expect(await before.jobs()).toMatchObject([{ name: 'notify', attempts: 0, failed_at: null }]);
    await before.stop();
    expect(ranBefore).toBe(0);

    const seen: unknown[] = [];
    node = await startNode(dataDir, (q) => q.handle('notify', async (data) => void seen.push(data)));
    await node.queue.onApplicationBootstrap();
    await waitFor(() => seen.length === 1, 10_000, 'the job to run after the restart');
    expect(seen).toEqual([{ directiveId: 'd-1' }]);
    await waitFor(async () => (await node!.jobs()).length === 0, 5000, 'the done job to be deleted');
    expect((await node.queue.health()).detail).toMatchObject({ pending: 0, failed: 0, processed: 1 });
  });

  it('re-runs a job whose previous owner died while it held the lease', async () => {
    const before = await startNode(dataDir);
    await before.queue.add('report', { n: 1 });
    // as if the dead process had claimed it: leased for another minute
    await before.ds.query(`UPDATE jobs SET locked_until = now() + interval '60 seconds', attempts = 1`);
    await before.stop();

    const seen: unknown[] = [];
    node = await startNode(dataDir, (q) => q.handle('report', async (data) => void seen.push(data)));
    await node.queue.onApplicationBootstrap();
    await waitFor(() => seen.length === 1, 5000, 'the orphaned job to run');
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('retries a failing job with back-off, then marks it failed after its attempts', async () => {
    const calls: number[] = [];
    node = await startNode(dataDir, (q) =>
      q.handle('flaky', async () => {
        calls.push(Date.now());
        throw new Error(`boom ${calls.length}`);
      }),
    );
    await node.queue.onApplicationBootstrap();
    await node.queue.add('flaky', {}, { attempts: 3 });

    const failed = await waitFor(
      async () => {
        const [row] = await node!.jobs();
        return row?.failed_at ? row : null;
      },
      15_000,
      'the job to be marked failed',
    );
    expect(calls).toHaveLength(3);
    expect(failed).toMatchObject({ attempts: 3, max_attempts: 3, last_error: 'boom 3', locked_until: null });
    // back-off: about 1 s before the second try, 2 s before the third
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(900);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(1900);

    // a failed job stays put and is not tried again
    await sleep(1500);
    expect(calls).toHaveLength(3);
    expect((await node.queue.health()).detail).toMatchObject({ pending: 0, failed: 1 });
  });

  it('succeeds on a retry after a transient failure', async () => {
    let calls = 0;
    node = await startNode(dataDir, (q) =>
      q.handle('transient', async () => {
        calls += 1;
        if (calls === 1) throw new Error('not yet');
      }),
    );
    await node.queue.onApplicationBootstrap();
    await node.queue.add('transient', {});
    await waitFor(
      async () => calls === 2 && (await node!.jobs()).length === 0,
      10_000,
      'the retry to succeed',
    );
  });

  it('adds a keyed job only once', async () => {
    const seen: unknown[] = [];
    node = await startNode(dataDir, (q) => q.handle('dedupe', async (data) => void seen.push(data)));
    await node.queue.onApplicationBootstrap();
    // delays long enough that neither job has run (and left the table) when it is read, on a
    // machine loaded enough that four adds and a read take over half a second
    await node.queue.add('dedupe', { copy: 1 }, { key: 'directive:42:remind', delayMs: 3000 });
    await node.queue.add('dedupe', { copy: 2 }, { key: 'directive:42:remind' });
    await node.queue.add('dedupe', { copy: 3 }, { key: 'directive:42:remind', delayMs: 100 });
    await node.queue.add('dedupe', { other: true }, { key: 'directive:43:remind', delayMs: 3000 });
    expect((await node.jobs()).map((j) => j.job_key).sort()).toEqual([
      'directive:42:remind',
      'directive:43:remind',
    ]);

    await waitFor(() => seen.length === 2, 10_000, 'both keyed jobs to run');
    await sleep(700);
    expect(seen).toEqual(expect.arrayContaining([{ copy: 1 }, { other: true }]));
    expect(seen).toHaveLength(2);
  });

  it('does not run a delayed job before its delay', async () => {
    const ranAt: number[] = [];
    node = await startNode(dataDir, (q) => q.handle('later', async () => void ranAt.push(Date.now())));
    await node.queue.onApplicationBootstrap();
    const addedAt = Date.now();
    await node.queue.add('later', {}, { delayMs: 2000 });
    await node.queue.add('now', {}, { delayMs: 0 }); // another process's job: due now, but not ours to run

    await sleep(1500);
    expect(ranAt).toEqual([]);
    await waitFor(() => ranAt.length === 1, 5000, 'the delayed job');
    expect(ranAt[0]! - addedAt).toBeGreaterThanOrEqual(1950);
    expect(ranAt[0]! - addedAt).toBeLessThan(3500);
  });

  it('holds jobs until the application has bootstrapped (handlers registered)', async () => {
    const seen: unknown[] = [];
    node = await startNode(dataDir);
    await node.queue.add('early', { x: 1 });
    await sleep(300);
    expect(await node.jobs()).toMatchObject([{ name: 'early', attempts: 0 }]);
    node.queue.handle('early', async (data) => void seen.push(data));
    await node.queue.onApplicationBootstrap();
    await waitFor(() => seen.length === 1, 5000, 'the early job');
  });
});
