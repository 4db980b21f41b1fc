import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { AppConfig, EventBus, HealthRegistry } from '#platform';
import { WorkerPoolService } from './worker-pool.service.js';

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('WorkerPoolService', () => {
  it('logs a worker death it could not publish on the bus, and still restarts the worker', async () => {
    const lines: { level: number; msg: string; err?: { message: string } }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    const config = {
      raw: {
        SFU_ENABLED: true,
        SFU_WORKERS: 1,
        SFU_LOG_LEVEL: 'warn',
        SFU_RTC_MIN_PORT: 47000,
        SFU_RTC_MAX_PORT: 47099,
      },
    } as unknown as AppConfig;
    const bus = { publish: () => Promise.reject(new Error('redis is down')) } as unknown as EventBus;
    const health = { register: () => undefined } as unknown as HealthRegistry;
    const pool = new WorkerPoolService(config, pino(sink), health, bus);
    await pool.onModuleInit();
    try {
      await until('the worker', () => pool.pids().length === 1);
      const [first] = pool.pids();
      process.kill(first!, 'SIGKILL');
      await until('the publish failure in the log', () =>
        lines.some((l) => l.msg === 'mediasoup worker death not published on the bus'),
      );
      const logged = lines.find((l) => l.msg === 'mediasoup worker death not published on the bus')!;
      expect(logged.level).toBe(50);
      expect(logged.err?.message).toBe('redis is down');
      await until('the restarted worker', () => pool.pids().length === 1 && pool.pids()[0] !== first);
    } finally {
      pool.onApplicationShutdown();
    }
  });
});
