import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as mediasoup from 'mediasoup';
import { pino } from 'pino';
import type { RadioTalker } from '#contracts';
import { RedisEventBus, type AppConfig } from '#platform';
import type { Hosted } from '../../apps/sfu/src/radio/hosted-talkgroup.js';
import { PIPE_BUS, PipeRelay, UNCONFIRMED_PIPE_MS } from '../../apps/sfu/src/radio/pipe-relay.js';
import { RedisRadioStateStore } from '../../apps/sfu/src/radio/radio-state.store.js';
import { TalkgroupMedia } from '../../apps/sfu/src/radio/talkgroup-media.js';
import type { TalkgroupRow } from '../../apps/sfu/src/radio/talkgroups.repository.js';
import { sleep, waitFor } from '../support/async.js';
import { deleteKeys, redisClient } from '../support/redis.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

const tts: RadioTalker = { kind: 'system', id: 'tts', name: '播报' };

/**
 * Two instances' pipe relays on one Redis (their own bus and state connections each) and a
 * real mediasoup worker: `a` hosts the patched talkgroup, `b` the origin one. Neither end of
 * a cross-instance pipe may outlive its use: a pipe the asker gave up on, or never connected
 * to, is closed on the origin's host; a relay fed by a host that died is closed on the
 * patched one once that host's lease is gone.
 */
describe('radio pipes between two instances: no pipe left behind', () => {
  const prefix = uniquePrefix();
  const logger = pino({ level: 'silent' });
  const redis = redisClient();
  const made: { bus: RedisEventBus; state: RedisRadioStateStore; relay: PipeRelay }[] = [];
  const medias: TalkgroupMedia[] = [];
  let worker: mediasoup.types.Worker;
  let a: PipeRelay;
  let bState: RedisRadioStateStore;
  let probe: RedisEventBus;
  let patched: Hosted;
  let origin: Hosted;

  const instance = async (instanceId: string, hosted: Map<string, Hosted>) => {
    const bus = new RedisEventBus(REDIS_URL, logger, prefix);
    const state = new RedisRadioStateStore(REDIS_URL, prefix, 5000);
    const config = { instanceId, raw: { SFU_LISTEN_IP: '127.0.0.1' } } as unknown as AppConfig;
    const relay = new PipeRelay(bus, state, config, logger);
    await relay.serve(hosted);
    made.push({ bus, state, relay });
    return { relay, state };
  };

  const host = async (id: string): Promise<Hosted> => {
    const media = await TalkgroupMedia.open(worker, id, 'PCMA', { ip: '127.0.0.1' }, () => undefined);
    medias.push(media);
    return { row: { id } as TalkgroupRow, media, recorder: null, holder: null };
  };

  const transports = async (h: Hosted) => (await h.media.router.dump()).transportIds.length;

  /** an asker that is not a PipeRelay: says what the test tells it to, and nothing else */
  const openRaw = async (requestId: string) => {
    const answered = new Promise<{ ok: boolean }>((resolve) => {
      void probe.subscribe<{ ok: boolean }>(PIPE_BUS.answer(requestId), resolve);
    });
    await sleep(50);
    await probe.publish(PIPE_BUS.open, {
      requestId,
      to: 'pipe-b',
      talkgroupId: 'tg-origin',
      talker: tts,
      ip: '127.0.0.1',
      port: 9,
    });
    return answered;
  };

  beforeAll(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    patched = await host('tg-patched');
    origin = await host('tg-origin');
    ({ relay: a } = await instance('pipe-a', new Map([['tg-patched', patched]])));
    ({ state: bState } = await instance('pipe-b', new Map([['tg-origin', origin]])));
    expect(await bState.lease('tg-origin', 'pipe-b', 60_000)).toBe(true);
    probe = new RedisEventBus(REDIS_URL, logger, prefix);
  }, 30_000);

  afterAll(async () => {
    for (const m of made) {
      m.relay.onApplicationShutdown();
      await m.bus.onApplicationShutdown();
      await m.state.close();
    }
    await probe.onApplicationShutdown();
    medias.forEach((m) => m.close());
    worker.close();
    await deleteKeys(redis, `${prefix}:*`);
    redis.disconnect();
  });

  it('tells the host it asked to close its end when the answer does not come in time', async () => {
    const cancels: { requestId: string; to: string }[] = [];
    await probe.subscribe<{ requestId: string; to: string }>(PIPE_BUS.cancel, (m) => cancels.push(m));
    const opens: { requestId: string }[] = [];
    await probe.subscribe<{ requestId: string }>(PIPE_BUS.open, (m) => opens.push(m));
    // hosted by an instance that does not answer (frozen, or slower than the 2 s)
    await bState.lease('tg-silent', 'pipe-z', 60_000);
    expect(await a.relayFrom(patched, 'tg-silent', tts)).toBeNull();
    await waitFor(() => cancels.length > 0, 2000, 'a cancel');
    expect(cancels).toEqual([{ requestId: opens[0]!.requestId, to: 'pipe-z' }]);
    expect(await transports(patched)).toBe(2);
  });

  it('closes a pipe its asker cancelled at once, without saying the source is gone', async () => {
    const closed: unknown[] = [];
    await probe.subscribe(PIPE_BUS.closed, (m) => closed.push(m));
    const before = await transports(origin);
    const requestId = randomUUID();
    expect((await openRaw(requestId)).ok).toBe(true);
    expect(await transports(origin)).toBe(before + 1);
    await probe.publish(PIPE_BUS.cancel, { requestId, to: 'pipe-b' });
    await waitFor(async () => (await transports(origin)) === before, 1000, 'the pipe closed');
    await sleep(200);
    expect(closed).toEqual([]);
  });

  it(
    'keeps a pipe its asker connected, and closes one nobody connected to after the bound',
    async () => {
      const before = await transports(origin);
      expect(await a.relayFrom(patched, 'tg-origin', tts)).toBe(origin.media.systemProducerId);
      expect((await openRaw(randomUUID())).ok).toBe(true);
      expect(await transports(origin)).toBe(before + 2);
      await sleep(UNCONFIRMED_PIPE_MS + 1500);
      expect(await transports(origin)).toBe(before + 1);
      expect(patched.media.hasRelayed(origin.media.systemProducerId)).toBe(true);
    },
    UNCONFIRMED_PIPE_MS + 10_000,
  );

  it('closes a relay once the host feeding it lost its lease (died), not before', async () => {
    expect(patched.media.hasRelayed(origin.media.systemProducerId)).toBe(true);
    expect(await a.sweepOrigins()).toBe(0);
    expect(patched.media.hasRelayed(origin.media.systemProducerId)).toBe(true);
    // b "dies": its lease goes (as at its expiry), and it says nothing (no radio.pipe.closed)
    await bState.releaseLease('tg-origin', 'pipe-b');
    expect(await a.sweepOrigins()).toBe(1);
    expect(patched.media.hasRelayed(origin.media.systemProducerId)).toBe(false);
    expect(await transports(patched)).toBe(2);
  });
});
