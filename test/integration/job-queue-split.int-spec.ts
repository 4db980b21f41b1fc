import { afterEach, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '#persistence';
import { BULL_QUEUE_NAME, BullJobQueue, DbJobQueue, type JobQueue } from '#platform';
import { sleep, waitFor } from '../support/async.js';
import { deleteKeys, redisClient } from '../support/redis.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

/**
 * Split deployments: two processes with different handlers share one queue backend
 * (e.g. dispatch and the MQTT bridge). Each job must run on a process that handles its
 * name, whichever process added it, and no process may take (and fail) a job it cannot run.
 */
type Ran = { on: string; name: string; i: number }[];

async function exercise(a: JobQueue, ran: Ran, failures: () => Promise<number>): Promise<void> {
  // everything is added from A, half of it for B's handler
  for (let i = 0; i < 20; i += 1) {
    await a.add('dispatch.work', { i });
    await a.add('bridge.work', { i });
  }
  await waitFor(() => ran.length === 40, 15_000, 'all 40 jobs');
  await sleep(500);
  expect(ran).toHaveLength(40);
  expect(ran.filter((r) => r.name === 'dispatch.work').every((r) => r.on === 'a')).toBe(true);
  expect(ran.filter((r) => r.name === 'bridge.work').every((r) => r.on === 'b')).toBe(true);
  expect(new Set(ran.map((r) => `${r.name}/${r.i}`)).size).toBe(40);
  expect(await failures()).toBe(0);
}

function register(queue: JobQueue, on: string, name: string, ran: Ran): void {
  queue.handle<{ i: number }>(name, async (data) => void ran.push({ on, name, i: data.i }));
}

describe('job queues in a split deployment: a process takes only jobs it has a handler for', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('BullMQ: one queue per job name, workers only for handled names', async () => {
    const prefix = uniquePrefix();
    const ran: Ran = [];
    const start = async (on: string, name: string) => {
      const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      const legacy = new Queue(BULL_QUEUE_NAME, { connection, prefix });
      const queue = new BullJobQueue(legacy);
      register(queue, on, name, ran);
      await queue.onApplicationBootstrap();
      cleanups.push(async () => {
        await queue.onApplicationShutdown();
        await legacy.close();
        connection.disconnect();
      });
      return queue;
    };
    cleanups.push(async () => {
      const redis = redisClient();
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
    });
    const a = await start('a', 'dispatch.work');
    await start('b', 'bridge.work');
    await exercise(a, ran, async () => {
      let failed = 0;
      for (const name of ['dispatch.work', 'bridge.work'])
        failed += (await a.queueFor(name).getJobCounts('failed')).failed ?? 0;
      return failed;
    });
    const health = await a.health();
    expect(health).toMatchObject({ status: 'up', driver: 'bullmq', detail: { failed: 0 } });
  }, 30_000);

  it('jobs table (PostgreSQL shared without Redis): claims only handled names, never fails the others', async () => {
    const db: TestDatabase = await createTestDatabase();
    const ran: Ran = [];
    const sources: DataSource[] = [];
    const start = async (on: string, name: string) => {
      const ds = createDataSource({ url: db.url, poolSize: 2, applicationName: `split-${on}` });
      await ds.initialize();
      sources.push(ds);
      await runMigrations(ds, true);
      const queue = new DbJobQueue(ds, pino({ level: 'silent' }), false);
      register(queue, on, name, ran);
      await queue.onApplicationBootstrap();
      cleanups.push(() => queue.onApplicationShutdown());
      return { queue, ds };
    };
    cleanups.push(async () => {
      for (const ds of sources) if (ds.isInitialized) await ds.destroy();
      await db.drop();
    });
    const a = await start('a', 'dispatch.work');
    await start('b', 'bridge.work');
    await exercise(a.queue, ran, async () => {
      const [row] = (await a.ds.query(
        `SELECT count(*)::int AS n FROM jobs WHERE failed_at IS NOT NULL OR last_error IS NOT NULL`,
      )) as {
        n: number;
      }[];
      return row!.n;
    });
  }, 60_000);
});
