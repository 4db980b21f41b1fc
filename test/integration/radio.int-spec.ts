import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RADIO_BUS, RADIO_CODEC_RTP, type RadioEmergencyMessage, type TalkgroupView } from '#contracts';
import type { EventBus } from '#platform';
import { alawFrames, goertzelPower, readWav, silence } from '#radio';
import { RadioAir } from '../../apps/sfu/src/radio/radio-air.js';
import { RadioFloorService } from '../../apps/sfu/src/radio/radio-floor.service.js';
import type { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { createSite, createUser } from '../support/directives.js';
import { fetchMetrics } from '../support/hub-process.js';
import { RadioGatewayDouble } from '../support/radio-gateway.js';
import { onset, startRadioHub, tone, type RadioHub } from '../support/radio-hub.js';
import { decodeWithFfmpeg, opusTonePackets } from '../support/opus.js';
import { provision } from '../support/terminals.js';

const HANG_MS = 600;
const TOT_S = 3;

describe('radio server: talkgroups, gateway media, floor, recording (real mediasoup, real UDP)', () => {
  let hub: RadioHub;
  let api: Api;
  let token: string;
  let bus: EventBus;
  let rootSite: string;
  let townA: string;
  let townB: string;
  let tg: TalkgroupView;
  let a: RadioGatewayDouble;
  let b: RadioGatewayDouble;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    hub = await startRadioHub({ RADIO_HANG_MS: String(HANG_MS), RADIO_TOT_SECONDS: String(TOT_S) });
    ({ api, token, bus, rootSite } = hub);
    townA = await createSite(api, '甲镇', 'township', rootSite);
    townB = await createSite(api, '乙镇', 'township', rootSite);
  }, 120_000);

  afterAll(async () => {
    for (const c of closers) await c().catch(() => undefined);
    await hub?.stop();
  });

  it('creates a talkgroup of radio gateways, refusing others with a reason', async () => {
    const gA = await provision(api, townA, '甲镇网关', 'radio');
    const gB = await provision(api, townB, '乙镇网关', 'radio');
    const push = await provision(api, townA, 'push', 'push');
    const bad = await api.post('/api/v1/talkgroups', { name: 'x', siteId: rootSite, gatewayIds: [push.id] });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([{ path: 'gatewayIds', message: 'not_radio' }]);
    const res = await api.post<TalkgroupView>('/api/v1/talkgroups', {
      name: '全县应急',
      siteId: rootSite,
      gatewayIds: [gA.id, gB.id],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: '全县应急', siteId: rootSite, codec: 'PCMA', floor: null });
    expect(res.body.gatewayIds.sort()).toEqual([gA.id, gB.id].sort());
    tg = res.body;
    const again = await api.post('/api/v1/talkgroups', { name: 'y', siteId: rootSite, gatewayIds: [gA.id] });
    expect(again.status).toBe(409);
    a = await new RadioGatewayDouble(bus, gA.id, townA).start();
    b = await new RadioGatewayDouble(bus, gB.id, townB).start();
    closers.push(
      () => a.stop(),
      () => b.stop(),
    );
  });

  it('scopes talkgroups: a duty officer of another site gets 403, of its own site sees its own only', async () => {
    const tgA = await api.post<TalkgroupView>('/api/v1/talkgroups', {
      name: '甲镇组',
      siteId: townA,
      gatewayIds: [],
    });
    expect(tgA.status).toBe(201);
    const dutyB = await createUser(api, 'radio-duty-b', 'duty_officer', townB);
    expect((await dutyB.api.get(`/api/v1/talkgroups/${tgA.body.id}`)).status).toBe(403);
    expect((await dutyB.api.get(`/api/v1/talkgroups/${tg.id}`)).status).toBe(403);
    expect((await dutyB.api.get('/api/v1/talkgroups')).body).toEqual([]);
    const dutyA = await createUser(api, 'radio-duty-a', 'duty_officer', townA);
    expect((await dutyA.api.get('/api/v1/talkgroups')).body.map((t: TalkgroupView) => t.id)).toEqual([
      tgA.body.id,
    ]);
    expect(
      (await dutyA.api.post('/api/v1/talkgroups', { name: 'z', siteId: townA, gatewayIds: [] })).status,
    ).toBe(403);
    expect((await api.get(`/api/v1/talkgroups/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('ignores a join from a gateway in no talkgroup', async () => {
    const lone = await provision(api, townA, '孤立网关', 'radio');
    const gw = await new RadioGatewayDouble(bus, lone.id, townA).start();
    closers.push(() => gw.stop());
    await expect(gw.join(['PCMA'], 1500)).rejects.toThrow(/timed out/);
    expect(gw.cmds).toEqual([]);
  });

  it('refuses a join whose codecs lack the talkgroup codec', async () => {
    await expect(a.join(['opus'], 1500)).rejects.toThrow(/timed out/);
    const metrics = await (await fetchMetrics(api.baseUrl)).text();
    expect(metrics).toMatch(/yihu_radio_gateway_events_total\{outcome="refused_codec"[^}]*\} 1/);
    expect(metrics).toMatch(/yihu_radio_gateway_events_total\{outcome="ignored_no_talkgroup"[^}]*\} 1/);
  });

  it('carries a 1 kHz tone from gateway A to gateway B between key and unkey', async () => {
    await a.join();
    await b.join();
    const t0 = performance.now();
    await a.state(true);
    await waitFor(() => b.cmdsOf('key').length > 0, 5000, 'B keyed');
    const key = b.cmdsOf('key')[0]!;
    console.log(`access: COR at A → key command for B after ${(key.at - t0).toFixed(1)} ms`);
    expect(key.talker).toEqual({ kind: 'gateway', name: '甲镇网关' });
    expect(a.cmdsOf('key')).toEqual([]);
    const sentAt = await a.sendFrames(tone(1000));
    await a.state(false);
    await waitFor(() => b.cmdsOf('unkey').length > 0, 5000, 'B unkeyed');
    expect(b.cmdsOf('unkey')[0]).toMatchObject({ transmissionId: key.transmissionId, reason: 'ended' });
    const heard = onset(b, t0);
    expect(heard.onsetMs).not.toBeNull();
    const latency = heard.first! - sentAt;
    console.log(
      `A→B: first packet after ${latency.toFixed(1)} ms, tone onset detected ${heard.onsetMs} ms into B's audio`,
    );
    expect(latency).toBeLessThan(300);
    // the floor is free again (after the hang) and the talkgroup view says so
    const view = await api.get<TalkgroupView>(`/api/v1/talkgroups/${tg.id}`);
    expect(view.body.gateways.find((g) => g.id === a.terminalId)).toMatchObject({ cor: false });
  });

  it('records the transmission as a playable A-law WAV of about its length', async () => {
    const list = await waitFor(
      async () => {
        const r = await api.get(`/api/v1/talkgroups/${tg.id}/transmissions?limit=5`);
        return r.body[0]?.endedAt ? r.body : null;
      },
      5000,
      'transmission closed',
    );
    const t = list[0];
    expect(t).toMatchObject({
      talker: { kind: 'gateway', id: a.terminalId },
      interrupted: false,
      directiveId: null,
    });
    expect(t.durationMs).toBeGreaterThan(900);
    expect(t.durationMs).toBeLessThan(2500);
    const res = await fetch(`${api.baseUrl}${t.audioUrl}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('audio/wav');
    const wav = readWav(Buffer.from(await res.arrayBuffer()));
    expect(wav).toMatchObject({ format: 'alaw', sampleRate: 8000, channels: 1 });
    const seconds = wav.samples.length / 8000;
    console.log(`recording: ${seconds.toFixed(2)} s of audio for a ${t.durationMs} ms transmission`);
    expect(seconds).toBeGreaterThan(0.8);
    expect(seconds).toBeLessThan(1.3);
    expect(goertzelPower(wav.samples.subarray(1600, 4800), 1000)).toBeGreaterThan(0.1);
    await sleep(HANG_MS + 300);
  });

  it('refuses B while A holds the floor, and keeps A on air', async () => {
    await a.state(true);
    await waitFor(() => b.cmdsOf('key').length === 2, 5000, 'B keyed again');
    const keysOfA = a.cmdsOf('key').length;
    await b.state(true);
    await sleep(500);
    expect(a.cmdsOf('key').length).toBe(keysOfA);
    const floor = (await api.get<TalkgroupView>(`/api/v1/talkgroups/${tg.id}`)).body.floor;
    expect(floor?.talker.id).toBe(a.terminalId);
    await b.state(false);
  });

  it('pre-empts A by a dispatcher, telling A and B (unkey preempted)', async () => {
    const floor = hub.app.app.get(RadioFloorService);
    const keyed = b.cmdsOf('key').at(-1)!;
    const out = await floor.requestFloor(tg.id, { kind: 'user', id: 'u1', name: '调度员' }, 'dispatcher');
    expect(out.verdict).toBe('preempted');
    await waitFor(
      () => a.cmdsOf('unkey').some((u) => u.transmissionId === keyed.transmissionId),
      5000,
      'A told',
    );
    expect(a.cmdsOf('unkey').at(-1)).toMatchObject({ reason: 'preempted' });
    expect(b.cmdsOf('unkey').at(-1)).toMatchObject({
      transmissionId: keyed.transmissionId,
      reason: 'preempted',
    });
    await waitFor(() => a.cmdsOf('key').length > 0, 5000, 'A keyed for the dispatcher');
    await floor.releaseFloor(tg.id, 'u1');
    await a.state(false);
    await sleep(HANG_MS + 300);
  });

  it('keeps the floor for the last talker during hang time, then lets another in', async () => {
    await a.state(true);
    await sleep(200);
    await a.state(false);
    const keysOfA = a.cmdsOf('key').length;
    const releasedAt = Date.now();
    await b.state(true);
    await sleep(HANG_MS / 3);
    expect(a.cmdsOf('key').length).toBe(keysOfA);
    await waitFor(() => a.cmdsOf('key').length > keysOfA, 5000, 'B granted after the hang');
    const waited = Date.now() - releasedAt;
    console.log(`hang: B waited ${waited} ms (RADIO_HANG_MS=${HANG_MS})`);
    expect(waited).toBeGreaterThanOrEqual(HANG_MS - 100);
    await b.state(false);
    await sleep(HANG_MS + 300);
  });

  it('cuts a transmission at the transmit timeout (unkey timeout)', async () => {
    const before = b.cmdsOf('unkey').length;
    const t0 = Date.now();
    await a.state(true);
    const unkey = await waitFor(
      () =>
        b
          .cmdsOf('unkey')
          .slice(before)
          .find((u) => u.reason === 'timeout'),
      (TOT_S + 5) * 1000,
      'timeout',
    );
    expect(unkey!.reason).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TOT_S * 1000 - 100);
    expect(a.cmdsOf('unkey').at(-1)?.reason).toBe('timeout');
    // still carrying: not granted again until the carrier drops
    await sleep(HANG_MS + 500);
    expect((await api.get<TalkgroupView>(`/api/v1/talkgroups/${tg.id}`)).body.floor).toBeNull();
    await a.state(false);
    await sleep(HANG_MS + 300);
  });

  it('drops RTP with a wrong payload type instead of relaying it', async () => {
    await a.state(true);
    await waitFor(() => (b.cmdsOf('key').at(-1)?.at ?? 0) > 0, 5000, 'keyed');
    const t0 = performance.now();
    await a.sendFrames(tone(400), 0);
    await sleep(200);
    expect(b.received.filter((r) => r.at >= t0)).toEqual([]);
    await a.sendFrames(tone(400));
    await waitFor(() => onset(b, t0).onsetMs !== null, 3000, 'the right payload type still flows');
    await a.state(false);
    await sleep(HANG_MS + 300);
  });

  it('gives a gateway whose source port changed a fresh leg, and audio flows again', async () => {
    const old = a.media!;
    await a.rebind();
    const fresh = await a.join();
    expect(fresh.port).not.toBe(old.port);
    await a.state(true);
    const t0 = performance.now();
    await a.sendFrames(tone(600));
    await a.state(false);
    await waitFor(() => onset(b, t0).onsetMs !== null, 3000, 'tone after re-join');
    await sleep(HANG_MS + 300);
  });

  it("plays the hub's own audio through RadioAir, and says busy while a gateway talks", async () => {
    const air = hub.app.app.get(RadioAir);
    expect(await air.talkgroupsOfSite(townA)).toContain(tg.id);
    const t0 = performance.now();
    const done = await air.play(
      tg.id,
      tone(800),
      { kind: 'system', id: 'tts', name: '系统播报' },
      { rank: 'directive' },
    );
    expect(done.complete).toBe(true);
    for (const gw of [a, b]) {
      expect(gw.cmdsOf('key').at(-1)).toMatchObject({
        transmissionId: done.transmissionId,
        talker: { kind: 'system' },
      });
      await waitFor(() => onset(gw, t0).onsetMs !== null, 3000, 'system audio heard');
    }
    await sleep(HANG_MS + 300);
    await a.state(true);
    await waitFor(() => b.cmdsOf('key').at(-1)?.talker.kind === 'gateway', 5000, 'A on air');
    await expect(
      air.play(tg.id, tone(100), { kind: 'system', id: 'tts', name: 'x' }, { rank: 'radio' }),
    ).rejects.toMatchObject({
      code: 'radio_busy',
    });
    await a.state(false);
    await sleep(HANG_MS + 300);
  });

  it('raises a radio emergency: top rank, alarm on the bus, acknowledged by a dispatcher', async () => {
    const alarms: RadioEmergencyMessage[] = [];
    const off = await bus.subscribe<RadioEmergencyMessage>(RADIO_BUS.emergency, (m) => alarms.push(m));
    await a.state(true);
    await waitFor(() => b.cmdsOf('key').at(-1)?.talker.name === '甲镇网关', 5000, 'A on air');
    await b.state(true);
    await b.emergency();
    await waitFor(() => alarms.length > 0, 5000, 'alarm');
    off();
    expect(alarms[0]!.emergency).toMatchObject({
      talkgroupId: tg.id,
      terminalId: b.terminalId,
      ackedAt: null,
    });
    await waitFor(() => a.cmdsOf('unkey').at(-1)?.reason === 'preempted', 5000, 'A pre-empted');
    const duty = await createUser(api, 'radio-duty-ack', 'duty_officer', townB);
    expect((await duty.api.post(`/api/v1/radio/emergencies/${alarms[0]!.emergency.id}/ack`)).status).toBe(
      403,
    );
    const ack = await api.post(`/api/v1/radio/emergencies/${alarms[0]!.emergency.id}/ack`);
    expect(ack.status).toBe(200);
    expect(ack.body.ackedAt).not.toBeNull();
    expect((await api.post(`/api/v1/radio/emergencies/${alarms[0]!.emergency.id}/ack`)).status).toBe(409);
    await b.state(false);
    await a.state(false);
  });

  it('keeps silence silent: a leg hears nothing while nobody holds the floor', async () => {
    await sleep(HANG_MS + 300);
    const t0 = performance.now();
    a.send(Buffer.from(alawFrames(silence(20))[0]!));
    await a.sendFrames(tone(200));
    await sleep(200);
    expect(b.received.filter((r) => r.at >= t0)).toEqual([]);
  });

  it('joins gateways that arrive at the same moment so each hears the others', async () => {
    const creds = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => provision(api, rootSite, `同时${i}`, 'radio')),
    );
    const res = await api.post<TalkgroupView>('/api/v1/talkgroups', {
      name: '同时入网',
      siteId: rootSite,
      gatewayIds: creds.map((c) => c.id),
    });
    expect(res.status).toBe(201);
    const gws = await Promise.all(creds.map((c) => new RadioGatewayDouble(bus, c.id, rootSite).start()));
    closers.push(...gws.map((g) => () => g.stop()));
    await Promise.all(gws.map((g) => g.join()));
    const [talker, ...listeners] = gws;
    const t0 = performance.now();
    await talker!.state(true);
    await waitFor(() => listeners.every((l) => l.cmdsOf('key').length > 0), 5000, 'all keyed');
    await talker!.sendFrames(tone(300));
    await talker!.state(false);
    await waitFor(
      () => listeners.every((l) => onset(l, t0).onsetMs !== null),
      5000,
      'every listener hears the tone',
    );
  });

  it('records an Opus talkgroup as Ogg Opus that a decoder plays at its length', async () => {
    const [c, d] = await Promise.all([
      provision(api, townA, 'Opus 甲', 'radio'),
      provision(api, townB, 'Opus 乙', 'radio'),
    ]);
    const res = await api.post<TalkgroupView>('/api/v1/talkgroups', {
      name: 'Opus 组',
      siteId: rootSite,
      codec: 'opus',
      gatewayIds: [c.id, d.id],
    });
    expect(res.status).toBe(201);
    const [gc, gd] = await Promise.all([
      new RadioGatewayDouble(bus, c.id, townA).start(),
      new RadioGatewayDouble(bus, d.id, townB).start(),
    ]);
    closers.push(
      () => gc.stop(),
      () => gd.stop(),
    );
    await gc.join(['opus']);
    await gd.join(['opus']);
    const packets = opusTonePackets(1000, 1);
    await gc.state(true);
    await waitFor(() => gd.cmdsOf('key').length > 0, 5000, 'the other gateway keyed');
    await gc.sendFrames(packets, RADIO_CODEC_RTP.opus.payloadType);
    await gc.state(false);
    const t = await waitFor(
      async () => {
        const r = await api.get(`/api/v1/talkgroups/${res.body.id}/transmissions?limit=5`);
        return r.body[0]?.endedAt ? r.body[0] : null;
      },
      5000,
      'transmission closed',
    );
    expect(t.durationMs).toBeGreaterThan(900);
    await sleep(300); // the recording closes just after the transmission row (its last page)
    const audio = await fetch(`${api.baseUrl}${t.audioUrl}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toContain('audio/ogg');
    const file = join(mkdtempSync(join(tmpdir(), 'yihu-radio-opus-')), 'tx.opus');
    writeFileSync(file, Buffer.from(await audio.arrayBuffer()));
    const pcm = decodeWithFfmpeg(file);
    const seconds = pcm.length / 48_000;
    console.log(`opus recording: ${seconds.toFixed(2)} s decoded for ${packets.length} packets sent`);
    // the first packet or two may come before the tap follows the new holder
    expect(seconds).toBeGreaterThan(0.8);
    expect(seconds).toBeLessThan(1.3);
    const mid = pcm.subarray(9600, 9600 + 4800);
    expect(goertzelPower(mid, 1000, 48_000)).toBeGreaterThan(50 * goertzelPower(mid, 1500, 48_000));
  });
});
