import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

/**
 * Fixed-window counters for throttling (login attempts). In a cluster the window is shared
 * through Redis, so a guesser cannot spread attempts across instances.
 */
export abstract class CounterStore {
  /** Adds one to the key's window and returns the count so far and seconds left. */
  abstract hit(key: string, windowSeconds: number): Promise<{ count: number; ttlSeconds: number }>;
  abstract peek(key: string): Promise<{ count: number; ttlSeconds: number }>;
  abstract reset(key: string): Promise<void>;
  /** Takes one back from a live window (an attempt that turned out not to count); never below 0. */
  abstract release(key: string): Promise<void>;
}

export class MemoryCounterStore extends CounterStore {
  private readonly windows = new Map<string, { count: number; until: number }>();

  async hit(key: string, windowSeconds: number) {
    const now = Date.now();
    let w = this.windows.get(key);
    if (!w || w.until <= now) {
      w = { count: 0, until: now + windowSeconds * 1000 };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.sweep(now);
    }
    w.count += 1;
    return { count: w.count, ttlSeconds: Math.ceil((w.until - now) / 1000) };
  }

  async peek(key: string) {
    const now = Date.now();
    const w = this.windows.get(key);
    if (!w || w.until <= now) return { count: 0, ttlSeconds: 0 };
    return { count: w.count, ttlSeconds: Math.ceil((w.until - now) / 1000) };
  }

  async reset(key: string) {
    this.windows.delete(key);
  }

  async release(key: string) {
    const w = this.windows.get(key);
    if (w && w.until > Date.now() && w.count > 0) w.count -= 1;
  }

  private sweep(now: number) {
    for (const [key, w] of this.windows) if (w.until <= now) this.windows.delete(key);
  }
}

export class RedisCounterStore extends CounterStore implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly namespace = 'yihu',
  ) {
    super();
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
    // Redis away: each command fails on its own (the caller answers 503, health reports
    // Redis); without a listener ioredis prints every failed reconnect past the log
    this.redis.on('error', () => undefined);
  }

  async hit(key: string, windowSeconds: number) {
    const k = `${this.namespace}:rl:${key}`;
    const [[, count], , [, ttl]] = (await this.redis
      .multi()
      .incr(k)
      .expire(k, windowSeconds, 'NX')
      .ttl(k)
      .exec()) as [[null, number], [null, number], [null, number]];
    return { count, ttlSeconds: Math.max(ttl, 0) };
  }

  async peek(key: string) {
    const k = `${this.namespace}:rl:${key}`;
    const [count, ttl] = await Promise.all([this.redis.get(k), this.redis.ttl(k)]);
    return { count: Number(count ?? 0), ttlSeconds: Math.max(ttl, 0) };
  }

  async reset(key: string) {
    await this.redis.del(`${this.namespace}:rl:${key}`);
  }

  async release(key: string) {
    // a plain DECR would create a key without expiry when the window has just ended
    await this.redis.eval(
      "if (tonumber(redis.call('GET', KEYS[1]) or '0') > 0) then return redis.call('DECR', KEYS[1]) end return 0",
      1,
      `${this.namespace}:rl:${key}`,
    );
  }

  async onApplicationShutdown() {
    this.redis.disconnect();
  }
}
