import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RedisCounterStore } from '#platform';
import { sleep } from '../support/async.js';
import { countKeys, deleteKeys, redisClient } from '../support/redis.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

describe('RedisCounterStore', () => {
  const stores: RedisCounterStore[] = [];
  let ns: string;
  const newStore = () => {
    const store = new RedisCounterStore(REDIS_URL, ns);
    stores.push(store);
    return store;
  };

  // a fresh REDIS_PREFIX per test; its keys are deleted afterwards
  beforeEach(() => {
    ns = uniquePrefix();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.onApplicationShutdown();
    const redis = redisClient();
    try {
      await deleteKeys(redis, `${ns}:*`);
    } finally {
      redis.disconnect();
    }
  });

  it('counts hits in a window and reports the seconds left', async () => {
    const store = newStore();
    expect(await store.peek('login:alice')).toEqual({ count: 0, ttlSeconds: 0 });
    expect(await store.hit('login:alice', 60)).toEqual({ count: 1, ttlSeconds: 60 });
    expect(await store.hit('login:alice', 60)).toMatchObject({ count: 2 });
    const third = await store.hit('login:alice', 60);
    expect(third.count).toBe(3);
    expect(third.ttlSeconds).toBeGreaterThanOrEqual(59);
    expect(third.ttlSeconds).toBeLessThanOrEqual(60);
    expect(await store.peek('login:alice')).toMatchObject({ count: 3 });
    // another key has its own window
    expect(await store.hit('login:bob', 60)).toMatchObject({ count: 1 });

    const redis = redisClient();
    try {
      expect(await redis.get(`${ns}:rl:login:alice`)).toBe('3');
      const ttl = await redis.ttl(`${ns}:rl:login:alice`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
    } finally {
      redis.disconnect();
    }
  });

  it('does not extend the window on later hits, and starts a new one after it expires', async () => {
    const store = newStore();
    await store.hit('login:carol', 2);
    await sleep(1100);
    // a fixed window: the second hit keeps the first hit's expiry
    const second = await store.hit('login:carol', 2);
    expect(second.count).toBe(2);
    expect(second.ttlSeconds).toBeLessThanOrEqual(1);

    await sleep(1200);
    expect(await store.peek('login:carol')).toEqual({ count: 0, ttlSeconds: 0 });
    expect(await store.hit('login:carol', 2)).toEqual({ count: 1, ttlSeconds: 2 });
  });

  it('resets a key', async () => {
    const store = newStore();
    await store.hit('login:dave', 60);
    await store.hit('login:dave', 60);
    await store.hit('login:erin', 60);
    await store.reset('login:dave');
    expect(await store.peek('login:dave')).toEqual({ count: 0, ttlSeconds: 0 });
    expect(await store.peek('login:erin')).toMatchObject({ count: 1 });
    expect(await store.hit('login:dave', 60)).toMatchObject({ count: 1 });
    const redis = redisClient();
    try {
      expect(await countKeys(redis, `${ns}:rl:*`)).toBe(2);
    } finally {
      redis.disconnect();
    }
  });

  it('shares one window between instances, so attempts cannot be spread across them', async () => {
    const a = newStore();
    const b = newStore();
    await Promise.all([a.hit('login:frank', 60), b.hit('login:frank', 60), a.hit('login:frank', 60)]);
    expect(await b.peek('login:frank')).toMatchObject({ count: 3 });
    // concurrent hits from both instances each get a distinct count
    const counts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).hit('login:frank', 60)),
    );
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('keeps deployments with different REDIS_PREFIX apart', async () => {
    const ours = newStore();
    const theirs = new RedisCounterStore(REDIS_URL, uniquePrefix());
    try {
      await ours.hit('login:gina', 60);
      expect(await theirs.peek('login:gina')).toEqual({ count: 0, ttlSeconds: 0 });
    } finally {
      await theirs.onApplicationShutdown();
    }
  });

  it('release takes one back from a live window, never below zero, and never creates a key', async () => {
    const store = newStore();
    await store.hit('login:hana', 60);
    await store.hit('login:hana', 60);
    await store.release('login:hana');
    expect(await store.peek('login:hana')).toMatchObject({ count: 1 });
    await store.release('login:hana');
    await store.release('login:hana');
    expect((await store.peek('login:hana')).count).toBe(0);
    await store.release('login:nobody');
    const redis = redisClient();
    try {
      expect(await redis.exists(`${ns}:rl:login:nobody`)).toBe(0);
      // the window's expiry is kept
      expect(await redis.ttl(`${ns}:rl:login:hana`)).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});
