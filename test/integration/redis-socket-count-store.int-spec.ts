import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RedisSocketCountStore } from '#platform';
import { sleep } from '../support/async.js';
import { deleteKeys, redisClient } from '../support/redis.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

/** The per-user socket count shared by cluster instances (socket-limits.ts). */
describe('RedisSocketCountStore', () => {
  const stores: RedisSocketCountStore[] = [];
  let ns: string;
  const newStore = () => {
    const store = new RedisSocketCountStore(REDIS_URL, ns);
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    ns = uniquePrefix();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    const redis = redisClient();
    try {
      await deleteKeys(redis, `${ns}:*`);
    } finally {
      redis.disconnect();
    }
  });

  it('counts sockets per key across instances and forgets the removed ones', async () => {
    const [a, b] = [newStore(), newStore()];
    expect(await a.add('console:u1', 's1', 60_000)).toBe(1);
    expect(await b.add('console:u1', 's2', 60_000)).toBe(2);
    expect(await a.add('console:u2', 's3', 60_000)).toBe(1);
    await a.remove('console:u1', 's1');
    expect(await b.add('console:u1', 's4', 60_000)).toBe(2);
  });

  it('gives each of N concurrent connects a distinct count, so a cap refuses exactly the excess', async () => {
    const store = newStore();
    const counts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.add('sfu:u1', `s${i}`, 60_000)),
    );
    expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it("drops a crashed instance's sockets when their lease runs out, and keeps refreshed ones", async () => {
    const [live, crashed] = [newStore(), newStore()];
    await crashed.add('console:u1', 'gone', 400);
    await live.add('console:u1', 'kept', 400);
    await sleep(250);
    await live.refresh([{ key: 'console:u1', socketId: 'kept' }], 400);
    await sleep(250);
    // "gone" was never refreshed: its lease ended; "kept" and the new one count
    expect(await live.add('console:u1', 'new', 400)).toBe(2);
  });
});
