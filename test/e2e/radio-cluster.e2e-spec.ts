import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { TalkgroupView, TransmissionView } from '#contracts';
import { RedisEventBus } from '#platform';
import { readWav, ToneDetector } from '#radio';
import { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin } from '../support/directives.js';
import { join } from 'node:path';
import { fetchMetrics, ROOT, startHub, type HubProcess } from '../support/hub-process.js';
import { RadioGatewayDouble } from '../support/radio-gateway.js';
import { onset, tone } from '../support/radio-hub.js';
import { redisClient } from '../support/redis.js';
import {
  createTestDatabase,
  MOSQUITTO_URL,
  REDIS_URL,
  uniquePrefix,
  type TestDatabase,
} from '../support/services.js';
import { provision } from '../support/terminals.js';

async function adminToken(baseUrl: string): Promise<string> {
  await adminLogin(baseUrl);
  const res = await new Api(baseUrl).post('/api/v1/auth/login', {
    username: 'admin',
    password: 'admin-password-1',
  });
  return res.body.accessToken as string;
}

/**
 * Radio on two hub instances (one PostgreSQL, one Redis): one instance hosts a talkgroup's
 * media (the lease), both see its floor, and a host killed with -9 mid-transmission leaves
 * the transmission `interrupted` with the audio recorded up to the cut.
 */
describe('radio in a cluster: one host per talkgroup, shared floor, kill -9 mid-transmission', () => {
  let db: TestDatabase;
  const hubs: Record<string, HubProcess> = {};
  const prefix = uniquePrefix();
  const redis = redisClient();
  const bus = new RedisEventBus(REDIS_URL, pino({ level: 'silent' }), prefix);
  let api: Api;
  let token: string;
  let tg: TalkgroupView;
  let a: RadioGatewayDouble;
  let b: RadioGatewayDouble;
  let root: string;
  const env = (instance: string) => ({
    INSTANCE_ID: instance,
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    MQTT_URL: MOSQUITTO_URL,
    JWT_SECRET: 'cluster-test-secret-0123456789-abcdefghij',
    AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
    SFU_WORKERS: '1',
    RADIO_HANG_MS: '300',
    // where a broadcast goes is tested here, not what it says: 0.6 s of tone for any text
    RADIO_TTS_COMMAND: join(ROOT, 'test/support/fake-tts.mjs'),
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    [hubs.one, hubs.two] = await Promise.all([startHub(env('one')), startHub(env('two'))]);
    token = await adminToken(hubs.one!.baseUrl);
    api = new Api(hubs.one!.baseUrl, token);
    for (const h of Object.values(hubs))
      await waitFor(
        async () => (await new Api(h.baseUrl).get('/api/v1/health')).body.components.sfu.status === 'up',
        30_000,
        'sfu up',
      );
    root = (await api.get('/api/v1/sites')).body[0].id as string;
    const gA = await provision(api, root, '甲', 'radio');
    const gB = await provision(api, root, '乙', 'radio');
    tg = (await api.post('/api/v1/talkgroups', { name: '集群组', siteId: root, gatewayIds: [gA.id, gB.id] }))
      .body;
    a = await new RadioGatewayDouble(bus, gA.id, root).start();
    b = await new RadioGatewayDouble(bus, gB.id, root).start();
  }, 180_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await Promise.all(Object.values(hubs).map((h) => h.stop()));
    await bus.onApplicationShutdown();
    redis.disconnect();
    await db?.drop();
  });

  it('answers each join once, from the instance that holds the talkgroup lease', async () => {
    await a.join();
    await b.join();
    await sleep(1000);
    expect(a.cmdsOf('media')).toHaveLength(1);
    expect(b.cmdsOf('media')).toHaveLength(1);
    expect(await redis.get(`${prefix}:radio:host:${tg.id}`)).toMatch(/^(one|two)$/);
  });

  it('shares the floor: granted through one instance, seen by both; the tone reaches B', async () => {
    const t0 = performance.now();
    await a.state(true);
    await waitFor(() => b.cmdsOf('key').length === 1, 5000, 'B keyed once');
    for (const h of Object.values(hubs)) {
      const view = await new Api(h.baseUrl, token).get(`/api/v1/talkgroups/${tg.id}`);
      expect(view.body.floor?.talker.id).toBe(a.terminalId);
    }
    await a.sendFrames(tone(600));
    await waitFor(() => onset(b, t0).onsetMs !== null, 3000, 'tone at B');
    // exactly one instance decided: one key per gateway, one transmission row
    await sleep(300);
    expect(b.cmdsOf('key')).toHaveLength(1);
  });

  it('leaves the transmission interrupted, with its audio so far, after kill -9 of the host', async () => {
    const host = (await redis.get(`${prefix}:radio:host:${tg.id}`))!;
    const sending = a.sendFrames(tone(3000));
    await sleep(1200);
    const dataDir = hubs[host]!.env.DATA_DIR!;
    await hubs[host]!.stop('SIGKILL');
    await sending;
    // the same instance on the same disk, as a restarted pod with its volume
    hubs[host] = await startHub({ ...env(host), DATA_DIR: dataDir });
    const other = hubs[host === 'one' ? 'two' : 'one']!;
    const reader = new Api(other.baseUrl, await adminToken(other.baseUrl));
    const closed = await waitFor(
      async () => {
        const list = (await reader.get<TransmissionView[]>(`/api/v1/talkgroups/${tg.id}/transmissions`)).body;
        return list[0]?.endedAt ? list : null;
      },
      60_000,
      'transmission closed',
    );
    const t = closed![0];
    expect(t).toMatchObject({ interrupted: true, talker: { id: a.terminalId } });
    const res = await fetch(`${hubs[host]!.baseUrl}${t!.audioUrl}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const file = Buffer.from(await res.arrayBuffer());
    // the recording is on the disk of the instance that hosted the talkgroup (DATA_DIR not
    // shared); the other instance serves it too, asking the host (it used to answer 404)
    const elsewhere = await fetch(`${other.baseUrl}${t!.audioUrl}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await elsewhere.arrayBuffer()).equals(file)).toBe(true);
    const wav = readWav(file);
    const seconds = wav.samples.length / 8000;
    console.log(
      `kill -9: the interrupted transmission kept ${seconds.toFixed(2)} s of audio (durationMs ${t!.durationMs})`,
    );
    // the first 0.6 s tone and ~1.2 s of the second before the kill, minus what was in flight
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(3);
  });

  it('speaks a directive from the host when its broadcast job lands on the other instance', async () => {
    await a.state(false);
    await a.join();
    await b.join();
    const host = (await waitFor(async () => redis.get(`${prefix}:radio:host:${tg.id}`), 10_000, 'a host'))!;
    const other = hubs[host === 'one' ? 'two' : 'one']!;
    const api2 = new Api(other.baseUrl, token);
    // such a job used to fail there ("hosted by another instance") and back off
    const retries = async () => {
      let n = 0;
      for (const h of Object.values(hubs)) {
        const text = await (await fetchMetrics(h.baseUrl)).text();
        n += Number(/yihu_radio_broadcasts_total\{[^}]*outcome="retry"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
      }
      return n;
    };
    const before = await retries();
    // the host frozen (well inside its 10 s lease): only the other instance takes jobs
    process.kill(hubs[host]!.pid, 'SIGSTOP');
    let id: string;
    try {
      const issued = await api2.post<{ id: string }>('/api/v1/directives', {
        title: '集群广播',
        body: '注意。',
        level: 'blue',
        targets: { siteIds: [root] },
      });
      expect(issued.status).toBe(201);
      id = issued.body.id;
      await sleep(2500);
    } finally {
      process.kill(hubs[host]!.pid, 'SIGCONT');
    }
    await waitFor(
      async () => (await api2.get(`/api/v1/directives/${id}`)).body.recipients[0].deliveredVia === 'radio',
      30_000,
      'delivered via radio',
    );
    const spoken = await waitFor(
      async () => {
        const list = (await api2.get<TransmissionView[]>(`/api/v1/talkgroups/${tg.id}/transmissions`)).body;
        const own = list.filter((t) => t.directiveId === id);
        return own.length === 2 && own.every((t) => t.endedAt) ? own : null;
      },
      30_000,
      'the directive and its repeat on air',
    );
    expect(spoken!.map((t) => t.interrupted)).toEqual([false, false]);
    expect((await retries()) - before).toBe(0);
  });

  /** the host, the other instance, and a REST client on the other one */
  async function hostAndOther() {
    const media = b.cmdsOf('media').length;
    await a.join();
    await b.join();
    const host = (await waitFor(async () => redis.get(`${prefix}:radio:host:${tg.id}`), 10_000, 'a host'))!;
    const other = hubs[host === 'one' ? 'two' : 'one']!;
    await waitFor(() => b.cmdsOf('media').length > media, 10_000, 'B has media');
    return { host, api2: new Api(other.baseUrl, token) };
  }

  /** 440 Hz (the fake speech engine's tone) in what the gateway heard since `since` */
  const heard440 = (gw: RadioGatewayDouble, since: number) => {
    const det = new ToneDetector({ freqHz: 440, minMs: 100 });
    const { pcm } = gw.pcm(since);
    for (let i = 0; i < pcm.length; i += 160) det.push(pcm.subarray(i, i + 160));
    return det.onsetMs !== null;
  };

  it('carries a patch between talkgroups hosted on the two instances (a pipe over UDP)', async () => {
    const { host, api2 } = await hostAndOther();
    const otherId = host === 'one' ? 'two' : 'one';
    const gC = await provision(api2, root, '丙', 'radio');
    const tg2 = (
      await api2.post<TalkgroupView>('/api/v1/talkgroups', {
        name: '集群乙组',
        siteId: root,
        gatewayIds: [gC.id],
      })
    ).body;
    expect((await api2.post(`/api/v1/talkgroups/${tg.id}/patch`, { with: tg2.id })).status).toBe(200);
    // the other instance hosts the second talkgroup: its lease is taken for it before C joins
    await redis.set(`${prefix}:radio:host:${tg2.id}`, otherId, 'PX', 10_000);
    const c = await new RadioGatewayDouble(bus, gC.id, root).start();
    try {
      await c.join();
      await waitFor(() => c.cmdsOf('media').length === 1, 10_000, 'C has media');
      expect(await redis.get(`${prefix}:radio:host:${tg2.id}`)).toBe(otherId);
      expect(await redis.get(`${prefix}:radio:host:${tg.id}`)).toBe(host);
      await sleep(500);
      const t0 = performance.now();
      await a.state(true);
      await waitFor(() => c.cmdsOf('key').length > 0, 5000, 'C keyed through the patch');
      await a.sendFrames(tone(800));
      await a.state(false);
      // it used to be keyed and hear nothing: relay_unavailable
      await waitFor(() => onset(c, t0).onsetMs !== null, 3000, 'C heard A across the instances');
      await waitFor(() => c.cmdsOf('unkey').length > 0, 3000, 'C unkeyed');
      const relayed = await waitFor(
        async () => {
          const list = (await api2.get<TransmissionView[]>(`/api/v1/talkgroups/${tg2.id}/transmissions`))
            .body;
          return list[0]?.endedAt ? list[0] : null;
        },
        5000,
        'the relayed transmission closed',
      );
      expect(relayed).toMatchObject({ talker: { kind: 'gateway', id: a.terminalId } });
      // recorded on the other instance, with A's tone in it
      await sleep(300);
      const res = await fetch(`${hubs[host]!.baseUrl}${relayed!.audioUrl}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      const { samples } = readWav(Buffer.from(await res.arrayBuffer()));
      const det = new ToneDetector({ freqHz: 1000, minMs: 100 });
      for (let i = 0; i < samples.length; i += 160) det.push(samples.subarray(i, i + 160));
      expect(det.onsetMs).not.toBeNull();
      console.log(
        `cross-instance patch: C heard A's tone ${Math.round(onset(c, t0).first! - t0)} ms after A keyed; relayed recording ${(samples.length / 8000).toFixed(2)} s`,
      );

      // the relay bookkeeping is shared: an emergency decided by the instance that does not
      // host A's talkgroup (its host frozen a moment) is relayed into the patched one from
      // there, and A's carrier dropping on the host ends that relay too (it used to stay on
      // air there until the transmit timeout: the host did not know of the relay)
      await sleep(500);
      const keys = c.cmdsOf('key').length;
      const unkeys = c.cmdsOf('unkey').length;
      process.kill(hubs[host]!.pid, 'SIGSTOP');
      try {
        await a.emergency();
        await waitFor(() => c.cmdsOf('key').length > keys, 5000, 'C keyed by the emergency');
      } finally {
        process.kill(hubs[host]!.pid, 'SIGCONT');
      }
      await a.state(true);
      await sleep(500);
      await a.state(false);
      await waitFor(() => c.cmdsOf('unkey').length > unkeys, 3000, 'C unkeyed when A let go');
    } finally {
      await api2.request('DELETE', `/api/v1/talkgroups/${tg.id}/patch/${tg2.id}`);
      await c.stop();
      await sleep(500);
    }
  });

  it('speaks a typed announcement received by the instance that does not host the talkgroup', async () => {
    const { api2 } = await hostAndOther();
    await sleep(500);
    const t0 = performance.now();
    // it used to answer 409 there: "its media is hosted by another instance"
    const res = await api2.post<{ transmissionId: string }>(`/api/v1/talkgroups/${tg.id}/announce`, {
      text: '集群播报',
    });
    expect(res.status).toBe(202);
    const id = res.body.transmissionId;
    await waitFor(() => b.cmdsOf('key').some((k) => k.transmissionId === id), 5000, 'B keyed');
    expect(a.cmdsOf('key').some((k) => k.transmissionId === id)).toBe(true);
    await waitFor(() => heard440(b, t0), 5000, 'the speech at B');
    const row = await waitFor(
      async () => {
        const list = (await api2.get<TransmissionView[]>(`/api/v1/talkgroups/${tg.id}/transmissions`)).body;
        return list.find((t) => t.id === id && t.endedAt) ?? null;
      },
      10_000,
      'the announcement closed',
    );
    expect(row).toMatchObject({ interrupted: false, talker: { kind: 'user' } });
    expect(b.cmdsOf('unkey').find((u) => u.transmissionId === id)?.reason).toBe('ended');
    expect((await api2.get(`/api/v1/talkgroups/${tg.id}`)).body.floor).toBeNull();
  });

  it('frees the floor and closes the row when the host stops mid-announcement', async () => {
    const { host, api2 } = await hostAndOther();
    await sleep(500);
    const res = await api2.post<{ transmissionId: string }>(`/api/v1/talkgroups/${tg.id}/announce`, {
      text: '长播报 [6 s]',
    });
    expect(res.status).toBe(202);
    const id = res.body.transmissionId;
    await waitFor(() => b.cmdsOf('key').some((k) => k.transmissionId === id), 5000, 'B keyed');
    // the host frozen (its lease still held): it neither plays nor reports any more
    process.kill(hubs[host]!.pid, 'SIGSTOP');
    const stoppedAt = performance.now();
    try {
      await waitFor(() => b.cmdsOf('unkey').some((u) => u.transmissionId === id), 6000, 'B unkeyed');
      const unkeyMs = performance.now() - stoppedAt;
      const unkey = b.cmdsOf('unkey').find((u) => u.transmissionId === id)!;
      expect(unkey.reason).toBe('shutdown');
      const row = await waitFor(
        async () => {
          const list = (await api2.get<TransmissionView[]>(`/api/v1/talkgroups/${tg.id}/transmissions`)).body;
          return list.find((t) => t.id === id && t.endedAt) ?? null;
        },
        3000,
        'the row closed',
      );
      expect(row).toMatchObject({ interrupted: true });
      // well before the 6 s of speech would have ended, and long before the floor key's expiry
      expect(unkeyMs).toBeLessThan(5000);
      expect((await api2.get(`/api/v1/talkgroups/${tg.id}`)).body.floor).toBeNull();
      console.log(`announcement host frozen: floor freed, B unkeyed ${Math.round(unkeyMs)} ms later`);
    } finally {
      process.kill(hubs[host]!.pid, 'SIGCONT');
    }
  });
});
