import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { io } from 'socket.io-client';
import { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { launchMediaBrowser, Participant } from '../support/sfu-browser.js';

/**
 * Video consultations end to end: the built hub with two mediasoup workers (two peers per
 * router, so a three-site room spans both workers through pipeToRouter), real headless
 * Chromium with fake camera and microphone, and the /sfu/client page.
 */
describe('video consultation (视频会商)', () => {
  let hub: HubProcess;
  let browser: BrowserContext;
  let admin: Api;
  let rootId: string;
  let towns: string[];
  let commander: { id: string; api: Api; token: string };
  let dutyA: { id: string; api: Api; token: string };
  let dutyB: { id: string; api: Api; token: string };
  let outsider: { id: string; api: Api; token: string };
  let consultationId: string;
  let c: Participant, a: Participant, b: Participant;
  let secondId: string;
  let survivors: Participant[] = [];

  const producerOf = async (p: Participant, kind: 'audio' | 'video') => {
    const res = await commanderCall('stats');
    const row = res.value.participants.find((x: any) => x.peerId === p.peerId);
    return row.producers.find((x: any) => x.kind === kind).producerId as string;
  };
  const commanderCall = (method: string, ...args: unknown[]) => c.call(method, ...args);

  /** Each participant has decoded video from, and is receiving growing audio from, every other. */
  async function everyoneSeesAndHears(ps: Participant[]): Promise<void> {
    for (const p of ps) {
      const others = ps.filter((o) => o !== p).map((o) => o.peerId);
      await waitFor(
        async () => {
          const s = await p.stats();
          return others.every((peer) =>
            s.some((x) => x.peerId === peer && x.kind === 'video' && x.framesDecoded > 0),
          );
        },
        30_000,
        `video decoded by ${p.peerId}`,
      );
      const before = await p.stats();
      await sleep(1000);
      const after = await p.stats();
      for (const peer of others) {
        const bytes = (s: typeof before) =>
          s.find((x) => x.peerId === peer && x.kind === 'audio')?.bytesReceived ?? 0;
        expect(bytes(after)).toBeGreaterThan(bytes(before));
      }
    }
  }

  beforeAll(async () => {
    hub = await startHub({
      SFU_WORKERS: '2',
      SFU_PEERS_PER_ROUTER: '2',
      SFU_ICE_SERVERS: '[{"urls":"stun:127.0.0.1:3478"}]',
    });
    admin = await adminLogin(hub.baseUrl);
    rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    towns = [];
    for (const name of ['城关镇', '河西乡', '山口镇', '外县'])
      towns.push(await createSite(admin, name, 'township', rootId));
    commander = await createUser(admin, 'cmd1', 'commander', rootId);
    dutyA = await createUser(admin, 'dutyA', 'duty_officer', towns[0]!);
    dutyB = await createUser(admin, 'dutyB', 'duty_officer', towns[1]!);
    outsider = await createUser(admin, 'dutyD', 'duty_officer', towns[3]!);
    browser = await launchMediaBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('creates a consultation linked to a directive, and lists it for invited sites only', async () => {
    const issued = await commander.api.post('/api/v1/directives', {
      title: '防汛',
      body: '会商',
      level: 'orange',
      targets: { siteIds: towns.slice(0, 3) },
    });
    expect(issued.status).toBe(201);
    const directiveId = issued.body.id as string;
    const res = await commander.api.post('/api/v1/consultations', {
      title: '防汛会商',
      siteIds: towns.slice(0, 3),
      directiveId,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: '防汛会商',
      state: 'scheduled',
      directiveId,
      hostSiteId: rootId,
    });
    consultationId = res.body.id;
    expect((await dutyA.api.get('/api/v1/consultations')).body.map((x: any) => x.id)).toContain(
      consultationId,
    );
    expect((await outsider.api.get('/api/v1/consultations')).body.map((x: any) => x.id)).not.toContain(
      consultationId,
    );
    const ticket = await dutyA.api.post(`/api/v1/consultations/${consultationId}/join`);
    expect(ticket.status).toBe(200);
    expect(ticket.body).toMatchObject({
      namespace: '/sfu',
      moderator: false,
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
    });
    expect((await outsider.api.post(`/api/v1/consultations/${consultationId}/join`)).status).toBe(404);
  });

  it("three sites each decode the others' video and receive their audio (room spans two workers)", async () => {
    c = await Participant.join(browser, hub.baseUrl, commander.token, consultationId);
    a = await Participant.join(browser, hub.baseUrl, dutyA.token, consultationId);
    b = await Participant.join(browser, hub.baseUrl, dutyB.token, consultationId);
    await everyoneSeesAndHears([c, a, b]);
    const stats = await c.call('stats');
    expect(stats.ok).toBe(true);
    expect(stats.value.participants).toHaveLength(3);
    // two peers per router: the third landed on the other worker, fed through pipeToRouter
    expect(new Set(stats.value.workers).size).toBe(2);
    for (const p of stats.value.participants) {
      expect(p.producers.find((x: any) => x.kind === 'video').bitrate).toBeGreaterThan(0);
      expect(p.consumers.count).toBe(4);
    }
    const detail = await commander.api.get(`/api/v1/consultations/${consultationId}`);
    expect(detail.body.state).toBe('live');
    expect(detail.body.attendance).toHaveLength(3);
  });

  it('a moderator mute pauses the producer in the SFU: the others stop receiving that audio', async () => {
    const audioA = await producerOf(a, 'audio');
    // a duty officer cannot mute anyone
    expect(await b.call('mute', c.peerId, 'audio', true)).toEqual({
      ok: false,
      error: 'only a moderator may do this',
    });
    expect((await c.call('mute', a.peerId, 'audio', true)).ok).toBe(true);
    await sleep(1000);
    const bytes = async (p: Participant) =>
      (await p.stats()).find((x) => x.producerId === audioA)!.bytesReceived;
    const before = [await bytes(c), await bytes(b)];
    await sleep(2000);
    expect([await bytes(c), await bytes(b)]).toEqual(before);
    const stats = await c.call('stats');
    expect(
      stats.value.participants
        .find((x: any) => x.peerId === a.peerId)
        .producers.find((x: any) => x.kind === 'audio').paused,
    ).toBe(true);
    expect((await c.call('mute', a.peerId, 'audio', false)).ok).toBe(true);
    await waitFor(async () => (await bytes(b)) > before[1]!, 10_000, 'audio after unmute');
  });

  it('records the roll call (点名): who answered, and the site that did not', async () => {
    expect((await a.call('startRollCall')).error).toBe('only a moderator may do this');
    const started = await c.call('startRollCall');
    expect(started.ok).toBe(true);
    const rollCallId = started.value.rollCallId;
    await waitFor(async () => (await a.events('sfu:rollcall')).length > 0, 5000, 'roll call notice');
    expect((await a.call('answerRollCall', rollCallId)).ok).toBe(true);
    expect((await b.call('answerRollCall', rollCallId)).ok).toBe(true);
    expect((await a.call('answerRollCall', rollCallId)).ok).toBe(true); // a repeat is not a second answer
    expect((await c.call('answerRollCall', rollCallId)).error).toBe(
      'your site is not called in this roll call',
    );
    const closed = await c.call('closeRollCall', rollCallId);
    expect(closed.value.rollCall.missing).toEqual([towns[2]]);
    const detail = await commander.api.get(`/api/v1/consultations/${consultationId}`);
    const call = detail.body.rollCalls[0];
    expect(call.answers.map((x: any) => x.siteId).sort()).toEqual([towns[0], towns[1]].sort());
    expect(call.answers.find((x: any) => x.siteId === towns[0]).userId).toBe(dutyA.id);
    expect(call.closedAt).not.toBeNull();
  });

  it("records mixed audio and the active speaker's video to a file ffprobe can read", async () => {
    expect((await dutyA.api.post(`/api/v1/consultations/${consultationId}/recordings`)).status).toBe(403);
    const started = await commander.api.post(`/api/v1/consultations/${consultationId}/recordings`);
    expect(started.status).toBe(201);
    expect((await commander.api.post(`/api/v1/consultations/${consultationId}/recordings`)).status).toBe(409);
    await sleep(7000);
    const stopped = await commander.api.post(`/api/v1/consultations/${consultationId}/recordings/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body.state).toBe('stopped');
    expect(stopped.body.files.length).toBeGreaterThan(0);
    const file = join(hub.env.DATA_DIR!, stopped.body.files[0]);
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file]).toString(),
    ) as { streams: { codec_type: string; codec_name: string }[] };
    expect(probe.streams.map((s) => `${s.codec_type}/${s.codec_name}`).sort()).toEqual([
      'audio/opus',
      'video/vp8',
    ]);
    const list = await dutyA.api.get(`/api/v1/consultations/${consultationId}/recordings`);
    expect(list.body.map((r: any) => r.id)).toEqual([started.body.id]);
  });

  it('rejects bad signalling without harm', async () => {
    const call = (s: ReturnType<typeof io>, event: string, body: unknown) =>
      s.timeout(5000).emitWithAck(event, body) as Promise<any>;
    const anon = io(`${hub.baseUrl}/sfu`, { transports: ['websocket'], reconnection: false, forceNew: true });
    const err = await new Promise<Error>((r) => anon.once('connect_error', r));
    expect(err.message).toBe('missing bearer token');
    anon.close();
    const s = io(`${hub.baseUrl}/sfu`, {
      auth: { token: outsider.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((r) => s.once('connect', () => r()));
    expect(await call(s, 'sfu:join', { consultationId: 'nope' })).toEqual({
      ok: false,
      error: expect.stringContaining('consultationId'),
    });
    expect(await call(s, 'sfu:join', 'a string')).toMatchObject({ ok: false });
    expect(await call(s, 'sfu:join', [1, 2])).toMatchObject({ ok: false });
    expect(await call(s, 'sfu:join', { consultationId, extra: 1 })).toMatchObject({ ok: false });
    expect(await call(s, 'sfu:join', { consultationId })).toEqual({
      ok: false,
      error: 'consultation not found',
    });
    expect(
      await call(s, 'sfu:produce', { transportId: 'x', kind: 'audio', rtpParameters: {}, source: 'mic' }),
    ).toEqual({ ok: false, error: 'join a consultation first' });
    expect(
      await call(s, 'sfu:produce', { transportId: 'x', kind: 'audio', rtpParameters: {}, source: 'camera' }),
    ).toMatchObject({ ok: false, error: expect.stringContaining('source') });
    expect(await call(s, 'sfu:mute', { peerId: 1, kind: 'x' })).toMatchObject({ ok: false });
    s.close();

    // inside the room: garbage media parameters are refused, the screen is the floor's
    const d = io(`${hub.baseUrl}/sfu`, {
      auth: { token: dutyB.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((r) => d.once('connect', () => r()));
    expect(await call(d, 'sfu:join', { consultationId })).toMatchObject({ ok: true });
    expect(await call(d, 'sfu:join', { consultationId })).toEqual({
      ok: false,
      error: 'already in a consultation; leave it first',
    });
    const t = await call(d, 'sfu:transport:create', { direction: 'send' });
    expect(t.ok).toBe(true);
    expect(
      await call(d, 'sfu:transport:connect', { transportId: t.id, dtlsParameters: { nonsense: true } }),
    ).toMatchObject({ ok: false, error: expect.stringContaining('connect:') });
    expect(
      await call(d, 'sfu:produce', {
        transportId: t.id,
        kind: 'video',
        rtpParameters: { codecs: 'x' },
        source: 'camera',
      }),
    ).toMatchObject({ ok: false, error: expect.stringContaining('produce:') });
    expect(
      await call(d, 'sfu:produce', { transportId: t.id, kind: 'video', rtpParameters: {}, source: 'screen' }),
    ).toEqual({
      ok: false,
      error: 'only a moderator or the participant holding the floor may share a screen',
    });
    expect(await call(d, 'sfu:consume', { producerId: 'missing', rtpCapabilities: {} })).toEqual({
      ok: false,
      error: 'no such producer in this consultation',
    });
    expect(await call(d, 'sfu:consumer:resume', { consumerId: 'missing' })).toEqual({
      ok: false,
      error: 'no such consumer',
    });
    expect(await call(d, 'sfu:remove', { peerId: c.peerId })).toEqual({
      ok: false,
      error: 'only a moderator may do this',
    });
    // the moderator removes this extra participant: it is told, and its attendance says why
    const removed = new Promise((r) => d.once('sfu:removed', r));
    expect((await c.call('remove', d.id)).ok).toBe(true);
    await removed;
    expect(
      await call(d, 'sfu:produce', { transportId: t.id, kind: 'audio', rtpParameters: {}, source: 'mic' }),
    ).toEqual({ ok: false, error: 'join a consultation first' });
    d.close();
    const detail = await commander.api.get(`/api/v1/consultations/${consultationId}`);
    expect(detail.body.attendance.filter((x: any) => x.leftReason === 'removed')).toHaveLength(1);
    expect((await fetch(`${hub.baseUrl}/api/v1/health`)).status).toBe(200);
  });

  it('rejects bad REST input with clear errors', async () => {
    const post = (api: Api, body: unknown) => api.post('/api/v1/consultations', body);
    expect(
      (await post(commander.api, { title: '', siteIds: [] })).body.fields.map((f: any) => f.path).sort(),
    ).toEqual(['siteIds', 'title']);
    expect((await post(commander.api, { title: 'x', siteIds: [towns[0], towns[0]] })).status).toBe(400);
    expect((await post(commander.api, { title: 'x', siteIds: [towns[0]], directiveId: 'abc' })).status).toBe(
      400,
    );
    expect(
      (await post(commander.api, { title: 'x', siteIds: [towns[0]], scheduledAt: 'tomorrow' })).status,
    ).toBe(400);
    const unknown = await post(commander.api, {
      title: 'x',
      siteIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('unknown site');
    expect((await post(dutyA.api, { title: 'x', siteIds: [towns[0]] })).status).toBe(403);
    expect((await commander.api.get('/api/v1/consultations/not-a-uuid')).status).toBe(400);
    expect((await commander.api.get('/api/v1/consultations?limit=0')).status).toBe(400);
    expect((await dutyA.api.post(`/api/v1/consultations/${consultationId}/end`)).status).toBe(403);
    const idle = await post(commander.api, { title: '无人', siteIds: [towns[0]] });
    expect((await commander.api.post(`/api/v1/consultations/${idle.body.id}/recordings`)).status).toBe(409);
    expect((await commander.api.post(`/api/v1/consultations/${idle.body.id}/recordings/stop`)).status).toBe(
      409,
    );
  });

  it('a killed worker closes its rooms with a reason; it is replaced and a new room works', async () => {
    const health = async () => (await fetch(`${hub.baseUrl}/api/v1/health`).then((r) => r.json())) as any;
    const sfu = () => health().then((h) => h.components.sfu);
    const before = (await sfu()).detail.pids as number[];
    expect(before).toHaveLength(2);
    process.kill(before[0]!, 'SIGKILL');
    for (const p of [c, a, b]) {
      await waitFor(
        async () => (await p.events('sfu:room-closed')).some((e) => e.reason === 'worker-died'),
        10_000,
        'room-closed',
      );
    }
    await waitFor(
      async () => {
        const pids = (await sfu()).detail.pids as number[];
        return pids.length === 2 && !pids.includes(before[0]!);
      },
      15_000,
      'replacement worker',
    );
    const detail = await commander.api.get(`/api/v1/consultations/${consultationId}`);
    expect(detail.body.attendance.filter((x: any) => x.leftReason === 'worker-died')).toHaveLength(3);

    const second = await commander.api.post('/api/v1/consultations', { title: '复会', siteIds: [towns[1]!] });
    const c2 = await Participant.join(browser, hub.baseUrl, commander.token, second.body.id);
    const b2 = await Participant.join(browser, hub.baseUrl, dutyB.token, second.body.id);
    await everyoneSeesAndHears([c2, b2]);
    secondId = second.body.id;
    survivors = [c2, b2];
  });

  it('a recording running when the hub is killed -9 keeps what was written; ending works after restart', async () => {
    const rec = await commander.api.post(`/api/v1/consultations/${secondId}/recordings`);
    expect(rec.status).toBe(201);
    const runningDir = join(hub.env.DATA_DIR!, 'recordings', '.running');
    // kill only once ffmpeg has written media: that is what must survive
    const note = await waitFor(
      () => {
        const names = existsSync(runningDir) ? readdirSync(runningDir) : [];
        if (names.length !== 1) return null;
        const n = JSON.parse(readFileSync(join(runningDir, names[0]!), 'utf8')) as { file: string };
        const file = join(hub.env.DATA_DIR!, n.file);
        return existsSync(file) && statSync(file).size > 20_000 ? { name: names[0]!, file: n.file } : null;
      },
      20_000,
      'a recording segment with media',
    );
    const ffmpegPid = Number(note!.name.replace('.json', ''));
    await hub.stop('SIGKILL');
    await Promise.all(survivors.map((p) => p.page.close()));
    hub = await startHub({ DATA_DIR: hub.env.DATA_DIR!, SFU_WORKERS: '1' });
    const api = await new Api(hub.baseUrl).login('cmd1', 'password-123');
    const detail = (await api.get(`/api/v1/consultations/${secondId}`)).body;
    expect(detail.recordings[0]).toMatchObject({ id: rec.body.id, state: 'interrupted' });
    // a speaker change may already have closed an earlier segment: the one being written
    // when the hub died must be listed, after any earlier ones
    expect(detail.recordings[0].files.at(-1)).toBe(note!.file);
    expect(detail.attendance.every((x: any) => x.leftAt !== null)).toBe(true);
    await waitFor(() => !existsSync(`/proc/${ffmpegPid}`), 5000, 'the orphaned ffmpeg to end');
    const probe = execFileSync('ffprobe', [
      '-v',
      'error',
      '-show_streams',
      '-of',
      'json',
      join(hub.env.DATA_DIR!, note!.file),
    ]).toString();
    expect(JSON.parse(probe).streams.length).toBeGreaterThan(0);
    expect((await api.post(`/api/v1/consultations/${secondId}/end`)).body.state).toBe('ended');
    expect((await api.post(`/api/v1/consultations/${secondId}/join`)).status).toBe(409);
  });
});
