import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type INestApplication, Module } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Test } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BULL_QUEUE_NAME, BullJobQueue, bullQueueNameFor, JobQueue, type JobHandler } from '#platform';
// PlatformModule wires the legacy-queue worker host itself and does not export it; the test
// wires the same classes as PlatformModule, under a unique prefix.
// eslint-disable-next-line no-restricted-imports
import { BullJobHost } from '../../libs/platform/src/queue/bull-job-queue.js';
import { sleep, waitFor } from '../support/async.js';
import { countKeys, deleteKeys, redisClient } from '../support/redis.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

interface BullInstance {
  app: INestApplication;
  jobs: BullJobQueue;
  /** the shared queue of earlier versions (BullModule.registerQueue), drained by BullJobHost */
  legacy: Queue;
  close(): Promise<void>;
}

/**
 * One app instance with the queue wired exactly as PlatformModule wires it in cluster
 * mode: a shared ioredis connection, BullModule.registerQueue, BullJobQueue as the
 * JobQueue and BullJobHost as the worker. Handlers are registered before bootstrap.
 */
async function startInstance(
  prefix: string,
  handlers: Record<string, JobHandler<any>>,
): Promise<BullInstance> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });

  @Module({
    imports: [
      BullModule.forRoot({ connection, prefix }),
      BullModule.registerQueue({ name: BULL_QUEUE_NAME }),
    ],
    providers: [
      {
        provide: JobQueue,
        useFactory: (queue: Queue) => new BullJobQueue(queue),
        inject: [getQueueToken(BULL_QUEUE_NAME)],
      },
      BullJobHost,
    ],
  })
  class QueueTestModule {}

  const moduleRef = await Test.createTestingModule({ imports: [QueueTestModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  const jobs = app.get(JobQueue) as BullJobQueue;
  for (const [name, handler] of Object.entries(handlers)) jobs.handle(name, handler);
  await app.init();
  return {
    app,
    jobs,
    legacy: app.get<Queue>(getQueueToken(BULL_QUEUE_NAME)),
    close: async () => {
      await app.close();
      connection.disconnect();
    },
  };
}

describe('BullJobQueue on Redis, in a Nest app', () => {
  let prefix: string;
  const instances: BullInstance[] = [];
  const start = async (handlers: Record<string, JobHandler<any>>) => {
    const instance = await startInstance(prefix, handlers);
    instances.push(instance);
    return instance;
  };

  // a fresh key prefix per test, so no test sees another's jobs
  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) await i.close();
    const redis = redisClient();
    try {
      await deleteKeys(redis, `${prefix}:*`);
      expect(await countKeys(redis, `${prefix}:*`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('uses the bullmq driver and processes an added job with its registered handler', async () => {
    const seen: unknown[] = [];
    const { jobs } = await start({ 'directive.notify': async (data) => void seen.push(data) });
    expect(jobs.driver).toBe('bullmq');
    await jobs.add('directive.notify', { directiveId: 'd-1', sites: ['a', 'b'] });
    await waitFor(() => seen.length === 1, 5000, 'the job to be processed');
    expect(seen).toEqual([{ directiveId: 'd-1', sites: ['a', 'b'] }]);

    // the job really went through Redis, on its name's queue under this test's prefix
    const redis = redisClient();
    try {
      expect(await countKeys(redis, `${prefix}:${bullQueueNameFor('directive.notify')}:*`)).toBeGreaterThan(
        0,
      );
    } finally {
      redis.disconnect();
    }
    await waitFor(async () => (await jobs.health()).detail?.active === 0, 5000, 'the worker to go idle');
    expect(await jobs.health()).toEqual({
      status: 'up',
      driver: 'bullmq',
      detail: { waiting: 0, delayed: 0, active: 0, failed: 0 },
    });
  });

  it('waits out the delay of a delayed job', async () => {
    const ranAt: number[] = [];
    const { jobs } = await start({ later: async () => void ranAt.push(Date.now()) });
    const addedAt = Date.now();
    await jobs.add('later', {}, { delayMs: 1500 });
    expect((await jobs.health()).detail).toMatchObject({ delayed: 1 });
    await sleep(1000);
    expect(ranAt).toEqual([]);
    await waitFor(() => ranAt.length === 1, 5000, 'the delayed job');
    expect(ranAt[0]! - addedAt).toBeGreaterThanOrEqual(1450);
  });

  it('adds a keyed job only once', async () => {
    const seen: unknown[] = [];
    const { jobs } = await start({ remind: async (data) => void seen.push(data) });
    await jobs.add('remind', { copy: 1 }, { key: 'directive-42-remind', delayMs: 500 });
    await jobs.add('remind', { copy: 2 }, { key: 'directive-42-remind', delayMs: 500 });
    await waitFor(() => seen.length === 1, 5000, 'the keyed job');
    await sleep(500);
    expect(seen).toEqual([{ copy: 1 }]);
  });

  it('accepts de-duplication keys of any shape, as the app builds them', async () => {
    const seen: unknown[] = [];
    const { jobs } = await start({ notify: async (data) => void seen.push(data) });
    // BullMQ refuses a jobId that looks like an integer or holds ':' (unless in exactly 3 parts)
    const keys = ['notify:d-1:site-9:2', 'deliver:m-1', '42', 'escalate:d-1:1795369396901', 'a:b', 'a%3Ab'];
    for (const key of keys) {
      await jobs.add('notify', { key }, { key, delayMs: 300 });
      await jobs.add('notify', { key, copy: 2 }, { key, delayMs: 300 });
    }
    await waitFor(() => seen.length === keys.length, 5000, 'one job per key');
    await sleep(500);
    expect(seen).toHaveLength(keys.length);
    expect(seen).toEqual(expect.arrayContaining(keys.map((key) => ({ key }))));
  });

  it('retries a failing job, then keeps it as failed', async () => {
    let calls = 0;
    const { jobs } = await start({
      flaky: async () => {
        calls += 1;
        throw new Error(`boom ${calls}`);
      },
    });
    await jobs.add('flaky', {}, { attempts: 2 });
    const queue = jobs.queueFor('flaky');
    await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, 10_000, 'the job to fail');
    expect(calls).toBe(2);
    const [failed] = await queue.getFailed();
    expect(failed).toMatchObject({ name: 'flaky', attemptsMade: 2, failedReason: 'boom 2' });
  });

  it('runs each job exactly once across two instances sharing the queue', async () => {
    const ranOn: string[] = [];
    const a = await start({ work: async (data: { i: number }) => void ranOn.push(`a${data.i}`) });
    await start({ work: async (data: { i: number }) => void ranOn.push(`b${data.i}`) });
    await Promise.all(Array.from({ length: 20 }, (_, i) => a.jobs.add('work', { i })));
    await waitFor(() => ranOn.length === 20, 10_000, 'all 20 jobs');
    await sleep(300);
    expect(ranOn).toHaveLength(20);
    expect(ranOn.map((r) => Number(r.slice(1))).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('still runs a job left on the shared queue of earlier versions (BullJobHost)', async () => {
    const seen: unknown[] = [];
    const { legacy } = await start({ 'directive.notify': async (data) => void seen.push(data) });
    await legacy.add('directive.notify', { from: 'before the upgrade' });
    await waitFor(() => seen.length === 1, 5000, 'the legacy job');
    expect(seen).toEqual([{ from: 'before the upgrade' }]);
  });
});
