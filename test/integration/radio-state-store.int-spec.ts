import { afterAll, describe, expect, it } from '@jest/globals';
import type { RadioTalker } from '#contracts';
import { requestFloor, releaseFloor, type FloorDecision } from '#radio';
import {
  MemoryRadioStateStore,
  RedisRadioStateStore,
  type RadioStateStore,
} from '../../apps/sfu/src/radio/radio-state.store.js';
import { sleep } from '../support/async.js';
import { deleteKeys, redisClient } from '../support/redis.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

const talker = (i: number): RadioTalker => ({
  kind: 'gateway',
  id: `t${String(i).padStart(20, '0')}`,
  name: `gw${i}`,
});

/**
 * The floor of a talkgroup as two hub instances see it: one Redis, two stores (each its own
 * connections). Concurrent requests from both must grant exactly one talker.
 */
describe('radio state store across instances (real Redis)', () => {
  const prefix = uniquePrefix();
  const one = new RedisRadioStateStore(REDIS_URL, prefix, 1500);
  const two = new RedisRadioStateStore(REDIS_URL, prefix, 1500);
  const redis = redisClient();

  afterAll(async () => {
    await deleteKeys(redis, `${prefix}:*`);
    await Promise.all([one.close(), two.close()]);
    redis.disconnect();
  });

  const ask = (store: RadioStateStore, tg: string, i: number) =>
    store.updateFloor<FloorDecision>(tg, (s) => {
      const d = requestFloor(s, {
        talker: talker(i),
        rank: 'radio',
        transmissionId: `tx${i}`,
        now: Date.now(),
      });
      return { state: d.state, result: d };
    });

  it('grants one of 20 racing requests from two instances, and both see the same holder', async () => {
    const tg = 'tg-race';
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(i % 2 ? one : two, tg, i)));
    const granted = all.filter((d) => d.verdict === 'granted');
    expect(granted).toHaveLength(1);
    const holder = granted[0]!.holder.talker.id;
    expect(
      all
        .filter((d) => d.verdict === 'busy')
        .every((d) => d.verdict === 'busy' && d.heldBy.talker.id === holder),
    ).toBe(true);
    expect((await one.floor(tg)).holder?.talker.id).toBe(holder);
    expect((await two.floor(tg)).holder?.talker.id).toBe(holder);
    // released on the other instance
    const released = await two.updateFloor(tg, (s) => {
      const r = releaseFloor(s, holder, Date.now(), 0);
      return { state: r.state, result: r.released };
    });
    expect(released?.talker.id).toBe(holder);
    expect((await one.floor(tg)).holder).toBeNull();
  });

  it('lets a floor written by a dead instance expire', async () => {
    await ask(one, 'tg-ttl', 1);
    expect((await two.floor('tg-ttl')).holder).not.toBeNull();
    await sleep(1700);
    expect((await two.floor('tg-ttl')).holder).toBeNull();
  });

  it('gives a talkgroup one host: the lease is exclusive, renewable by its holder, then free', async () => {
    expect(await one.lease('tg-l', 'i1', 500)).toBe(true);
    expect(await two.lease('tg-l', 'i2', 500)).toBe(false);
    expect(await one.lease('tg-l', 'i1', 500)).toBe(true);
    expect(await two.leaseOwner('tg-l')).toBe('i1');
    await two.releaseLease('tg-l', 'i2');
    expect(await one.leaseOwner('tg-l')).toBe('i1');
    await sleep(700);
    expect(await two.lease('tg-l', 'i2', 500)).toBe(true);
    await two.releaseLease('tg-l', 'i2');
    expect(await one.leaseOwner('tg-l')).toBeNull();
  });

  it('shares gateway carrier state', async () => {
    await one.setGateway('g1', { cor: true, ptt: false });
    expect((await two.gateways(['g1', 'g2'])).get('g1')).toEqual({ cor: true, ptt: false });
    await two.setGateway('g1', null);
    expect((await one.gateways(['g1'])).size).toBe(0);
  });

  it("keeps a transmission's relays where any instance ends them, once, and not past the floor's lifetime", async () => {
    await one.addRelay('tx-r', { talkgroupId: 'tg-b', transmissionId: 'tx-rb' });
    await one.addRelay('tx-r', { talkgroupId: 'tg-c', transmissionId: 'tx-rc' });
    expect(await two.takeRelays('tx-r')).toEqual([
      { talkgroupId: 'tg-b', transmissionId: 'tx-rb' },
      { talkgroupId: 'tg-c', transmissionId: 'tx-rc' },
    ]);
    expect(await one.takeRelays('tx-r')).toEqual([]);
    await two.addRelay('tx-old', { talkgroupId: 'tg-b', transmissionId: 'tx-ob' });
    await sleep(1700);
    expect(await one.takeRelays('tx-old')).toEqual([]);
    const mem = new MemoryRadioStateStore();
    await mem.addRelay('tx', { talkgroupId: 'tg-b', transmissionId: 'tx-b' });
    expect(await mem.takeRelays('tx')).toEqual([{ talkgroupId: 'tg-b', transmissionId: 'tx-b' }]);
    expect(await mem.takeRelays('tx')).toEqual([]);
  });

  it('behaves the same in-process (embedded)', async () => {
    const mem = new MemoryRadioStateStore();
    const all = await Promise.all(Array.from({ length: 5 }, (_, i) => ask(mem, 'tg', i)));
    expect(all.filter((d) => d.verdict === 'granted')).toHaveLength(1);
    expect(await mem.lease()).toBe(true);
  });
});
