import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RedisEventBus } from '#platform';
import { captureLogger, nextValue, sleep, waitFor } from '../support/async.js';
import { redisClient } from '../support/redis.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

/** The Redis channel a bus in `namespace` uses for `channel` (event-bus.ts). */
const redisChannel = (namespace: string, channel: string) => `${namespace}:bus:${channel}`;

/** Subscriptions on the Redis server for one Redis channel (all clients). */
async function subscribers(redisChannelName: string): Promise<number> {
  const redis = redisClient();
  try {
    const [, count] = (await redis.pubsub('NUMSUB', redisChannelName)) as [string, number];
    return Number(count);
  } finally {
    redis.disconnect();
  }
}

describe('RedisEventBus between two app instances', () => {
  const buses: RedisEventBus[] = [];
  // a fresh REDIS_PREFIX per test, so no test (or running app) sees another's messages
  let ns: string;
  beforeEach(() => {
    ns = uniquePrefix();
  });
  const newBus = (namespace = ns) => {
    const log = captureLogger('warn');
    const bus = new RedisEventBus(REDIS_URL, log.logger, namespace);
    buses.push(bus);
    return { bus, records: log.records };
  };

  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.onApplicationShutdown();
  });

  it('delivers a message published on one instance to a subscriber on the other', async () => {
    const channel = 'directive.changed';
    const { bus: dispatch } = newBus();
    const { bus: bridge } = newBus();
    expect(bridge.driver).toBe('redis');
    expect(await bridge.health()).toEqual({ status: 'up', driver: 'redis' });

    const received = nextValue<unknown>((deliver) => void bridge.subscribe(channel, deliver));
    await waitFor(async () => (await subscribers(redisChannel(ns, channel))) === 1, 5000, 'the subscription');
    await dispatch.publish(channel, { directiveId: 'd-1', status: '已签收', at: 3 });
    expect(await received).toEqual({ directiveId: 'd-1', status: '已签收', at: 3 });
  });

  it('keeps channels apart', async () => {
    const p = 'site';
    const { bus: a } = newBus();
    const { bus: b } = newBus();
    const onOne: unknown[] = [];
    const onTwo: unknown[] = [];
    await b.subscribe(`${p}.one`, (m) => void onOne.push(m));
    await b.subscribe(`${p}.two`, (m) => void onTwo.push(m));
    await a.publish(`${p}.two`, 'for two');
    await waitFor(() => onTwo.length === 1, 5000, 'the message on channel two');
    await sleep(200);
    expect(onOne).toEqual([]);
    expect(onTwo).toEqual(['for two']);
  });

  it('stops delivering after unsubscribe, and drops the Redis subscription with the last handler', async () => {
    const channel = 'alerts';
    const { bus: a } = newBus();
    const { bus: b } = newBus();
    const first: unknown[] = [];
    const second: unknown[] = [];
    const offFirst = await b.subscribe(channel, (m) => void first.push(m));
    const offSecond = await b.subscribe(channel, (m) => void second.push(m));
    // two handlers share one Redis subscription
    expect(await subscribers(redisChannel(ns, channel))).toBe(1);

    await a.publish(channel, 1);
    await waitFor(() => first.length === 1 && second.length === 1, 5000, 'message 1 on both handlers');

    offFirst();
    await a.publish(channel, 2);
    await waitFor(() => second.length === 2, 5000, 'message 2 on the remaining handler');
    expect(first).toEqual([1]);
    expect(await subscribers(redisChannel(ns, channel))).toBe(1);

    offSecond();
    await waitFor(
      async () => (await subscribers(redisChannel(ns, channel))) === 0,
      5000,
      'the Redis unsubscribe',
    );
    await a.publish(channel, 3);
    await sleep(300);
    expect(first).toEqual([1]);
    expect(second).toEqual([1, 2]);
  });

  it('drops a message that is not JSON without crashing, and keeps delivering', async () => {
    const channel = 'raw';
    const { bus: a } = newBus();
    const { bus: b, records } = newBus();
    const seen: unknown[] = [];
    await b.subscribe(channel, (m) => void seen.push(m));

    // someone else on the Redis server writes garbage onto the channel
    const raw = redisClient();
    try {
      expect(await raw.publish(redisChannel(ns, channel), '{not json')).toBe(1);
    } finally {
      raw.disconnect();
    }
    await waitFor(
      () => records.some((r) => r.msg === 'event bus dropped a message that is not JSON'),
      5000,
      'the drop warning',
    );
    expect(records.find((r) => r.msg?.includes('not JSON'))).toMatchObject({
      channel: redisChannel(ns, channel),
    });

    await a.publish(channel, { after: 'garbage' });
    await waitFor(() => seen.length === 1, 5000, 'the next good message');
    expect(seen).toEqual([{ after: 'garbage' }]);
    expect(await b.health()).toMatchObject({ status: 'up' });
  });

  it('keeps deployments with different REDIS_PREFIX apart on one Redis', async () => {
    const { bus: ours } = newBus();
    const { bus: theirs } = newBus(uniquePrefix());
    const { bus: ourPublisher } = newBus();
    const onOurs: unknown[] = [];
    const onTheirs: unknown[] = [];
    await ours.subscribe('directive.changed', (m) => void onOurs.push(m));
    await theirs.subscribe('directive.changed', (m) => void onTheirs.push(m));
    await ourPublisher.publish('directive.changed', { id: 'ours' });
    await waitFor(() => onOurs.length === 1, 5000, 'our message');
    await sleep(200);
    expect(onTheirs).toEqual([]);
  });
});
