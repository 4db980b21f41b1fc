import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  MAX_ANNOUNCE_CHARS,
  RADIO_BUS,
  type DirectiveView,
  type RadioGatewayMessage,
  type TalkgroupView,
} from '#contracts';
import { EventBus, startApp, type StartedApp } from '#platform';
import { alertTone, dtmfCodeForSerial, goertzelPower, rmsDbfs } from '#radio';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { RadioFloorService } from '../../apps/sfu/src/radio/radio-floor.service.js';
import { DirectiveBroadcast } from '../../apps/sfu/src/radio/voice/directive-broadcast.js';
import { DtmfAcks } from '../../apps/sfu/src/radio/voice/dtmf-acks.js';
import { SpeechEngine } from '../../apps/sfu/src/radio/voice/speech-engine.js';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { RadioGatewayDouble } from '../support/radio-gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { inProcessHubEnv, provision } from '../support/terminals.js';

/**
 * The radio's voice on a real hub (PostgreSQL, the job queue, espeak-ng, mediasoup): a
 * directive is spoken on its sites' talkgroups (alert tone, then speech) and heard by a
 * gateway double over real RTP/UDP; DTMF from a gateway is 签收; typed announcements go on air.
 */
const rate = 8000;

/** the strongest frequency of a block, by Goertzel over the voice band */
function peakFrequency(samples: Int16Array): number {
  let best = 0;
  let bestPower = -1;
  for (let f = 300; f <= 3400; f += 10) {
    const p = goertzelPower(samples, f, rate);
    if (p > bestPower) [best, bestPower] = [f, p];
  }
  return best;
}

/** what a gateway heard of one transmission: its packets between the key and unkey commands */
function heard(gw: RadioGatewayDouble, transmissionId: string): Int16Array {
  const key = gw.cmdsOf('key').find((c) => c.transmissionId === transmissionId)!;
  const unkey = gw.cmdsOf('unkey').find((c) => c.transmissionId === transmissionId);
  const until = unkey?.at ?? Infinity;
  const { pcm } = gw.pcm(key.at);
  const frames = gw.received.filter(
    (r) => r.at >= key.at && r.at <= until + 200 && r.payloadType === 8,
  ).length;
  return pcm.subarray(0, frames * 160);
}

describe('directives spoken on the radio, DTMF 签收 and announcements', () => {
  let db: TestDatabase;
  let dir: string;
  let hub: StartedApp;
  let admin: Api;
  let dispatcher: Api;
  let dutyB: Api;
  let ds: DataSource;
  let bus: EventBus;
  let townA: string;
  let townB: string;
  let townC: string;
  const gw: Record<'a' | 'b' | 'c', RadioGatewayDouble> = {} as never;
  const tg: Record<'a' | 'b' | 'c', string> = {} as never;

  const directive = async (id: string) =>
    (await dispatcher.get<DirectiveView>(`/api/v1/directives/${id}`)).body;
  const recipient = async (id: string, site: string) =>
    (await directive(id)).recipients.find((r) => r.siteId === site)!;
  const issue = async (siteIds: string[], extra: Record<string, unknown> = {}) => {
    const at = performance.now();
    const res = await dispatcher.post('/api/v1/directives', {
      title: '防汛紧急转移',
      body: '立即组织转移低洼地区群众，结果报县防指。',
      level: 'red',
      targets: { siteIds },
      ...extra,
    });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, serial: res.body.serial as string, at };
  };
  const dtmf = (terminalId: string, siteId: string, digits: string): RadioGatewayMessage => ({
    terminalId,
    siteId,
    bridge: 'test',
    leaf: 'events',
    body: { type: 'dtmf', digits, at: new Date().toISOString() },
  });
  const transmissionsOf = async (talkgroupId: string, directiveId: string) =>
    (await dispatcher.get(`/api/v1/talkgroups/${talkgroupId}/transmissions?limit=50`)).body.filter(
      (t: { directiveId: string | null }) => t.directiveId === directiveId,
    ) as { id: string; endedAt: string | null; durationMs: number | null }[];
  const holdFloor = (talkgroupId: string) =>
    hub.app
      .get(RadioFloorService)
      .requestFloor(talkgroupId, { kind: 'user', id: 'commander-1', name: '指挥长' }, 'commander');
  const releaseFloor = (talkgroupId: string) =>
    hub.app.get(RadioFloorService).releaseFloor(talkgroupId, 'commander-1');

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'yihu-radio-voice-'));
    const port = await freePort();
    const env = {
      ...inProcessHubEnv(join(dir, 'data'), port),
      DATABASE_URL: db.url,
      JWT_SECRET: 'radio-voice-test-secret-0123456789abcdef',
      AUDIT_KEY: 'radio-voice-test-audit-key-0123456789abcdef',
      MQTT_PORT: String(await freePort()),
      SFU_ENABLED: 'true',
      SFU_WORKERS: '1',
      RADIO_BROADCAST_RETRIES: '1',
      RADIO_BROADCAST_RETRY_MS: '200',
      RADIO_ANNOUNCE_PER_MINUTE: '2',
    };
    hub = await startApp('hub', hubApp, env);
    ds = hub.runtime.dataSource;
    bus = hub.app.get(EventBus);
    admin = await adminLogin(`http://127.0.0.1:${port}`);
    await waitFor(
      async () => (await admin.get('/api/v1/health')).body.components.sfu.status === 'up',
      30_000,
      'sfu up',
    );
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    townA = await createSite(admin, '甲镇', 'township', root);
    townB = await createSite(admin, '乙镇', 'township', root);
    townC = await createSite(admin, '丙镇', 'township', root);
    dispatcher = (await createUser(admin, 'rv-dispatcher', 'dispatcher', root)).api;
    dutyB = (await createUser(admin, 'rv-duty-b', 'duty_officer', townB)).api;
    for (const [k, site] of [
      ['a', townA],
      ['b', townB],
      ['c', townC],
    ] as const) {
      const id = (await provision(admin, site, `gw-${k}`, 'radio')).id;
      const res = await admin.post<TalkgroupView>('/api/v1/talkgroups', {
        name: `tg-${k}`,
        siteId: site,
        gatewayIds: [id],
      });
      expect(res.status).toBe(201);
      tg[k] = res.body.id;
      gw[k] = await new RadioGatewayDouble(bus, id, site).start();
      await gw[k].join();
    }
  }, 120_000);

  afterAll(async () => {
    for (const g of Object.values(gw)) await g.stop().catch(() => undefined);
    await hub?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks Mandarin as 8 kHz audio of plausible length', async () => {
    const speech = hub.app.get(SpeechEngine);
    const pcm = await speech.synthesize('红色等级指令，编号二零二六杠零零四二，请签收。');
    const seconds = pcm.length / rate;
    // ~2.6 characters a second at 150 words a minute
    expect(seconds).toBeGreaterThan(3);
    expect(seconds).toBeLessThan(20);
    expect(rmsDbfs(pcm)).toBeGreaterThan(-35);
    expect(speech.health().status).toBe('up');
  });

  it('broadcasts a directive: alert tone, then speech, twice; the site is delivered via radio', async () => {
    const d = await issue([townA]);
    const txs = await waitFor(
      async () => {
        const t = await transmissionsOf(tg.a, d.id);
        return t.length >= 2 && t.every((x) => x.endedAt) ? t : null;
      },
      150_000,
      'two transmissions on talkgroup A',
    );
    // newest first
    const [repeat, first] = txs!;
    const key = gw.a.cmdsOf('key').find((c) => c.transmissionId === first.id)!;
    expect(key.talker).toEqual({ kind: 'system', name: expect.stringContaining(d.serial) });
    const audio = heard(gw.a, first.id);

    const tone = alertTone('red');
    // red's first step: 125 ms of one frequency
    const toneFreq = peakFrequency(tone.subarray(0, 800));
    const head = audio.subarray(0, 800);
    expect(goertzelPower(head, toneFreq, rate)).toBeGreaterThan(0.05);
    expect(Math.abs(peakFrequency(head) - toneFreq)).toBeLessThanOrEqual(20);
    // after the tone and the lead-in: speech, loud enough and long enough
    const speech = audio.subarray(tone.length + 2400);
    const speechSeconds = speech.length / rate;
    expect(speechSeconds).toBeGreaterThan(10);
    expect(speechSeconds).toBeLessThan(55);
    expect(rmsDbfs(speech)).toBeGreaterThan(-35);
    // the repeat is the same speech without the tone
    const again = heard(gw.a, repeat.id);
    expect(Math.abs(again.length - (audio.length - tone.length))).toBeLessThan(4000);
    expect(goertzelPower(again.subarray(0, 800), toneFreq, rate)).toBeLessThan(0.01);

    const r = await waitFor(
      async () => {
        const x = await recipient(d.id, townA);
        return x.state === 'delivered' ? x : null;
      },
      20_000,
      'recipient delivered',
    );
    expect(r!.deliveredVia).toBe('radio');

    const firstPacket = gw.a.received.find((p) => p.at >= key.at && p.payloadType === 8)!.at;
    const toFirstFrame = firstPacket - d.at;
    const toSpeech = toFirstFrame + ((tone.length + 2400) / rate) * 1000;
    console.log(
      `radio voice: directive issued → key ${Math.round(key.at - d.at)} ms, → first frame at the gateway (tone) ${Math.round(toFirstFrame)} ms, → first speech frame ${Math.round(toSpeech)} ms; speech ${speechSeconds.toFixed(1)} s`,
    );
    // settled just after the repeat's play resolves (the transmission rows end a moment earlier)
    const rows = await waitFor(
      async () => {
        const r = await ds.query(
          `SELECT state, attempts, transmission_ids FROM radio_broadcasts WHERE directive_id = $1`,
          [d.id],
        );
        return r[0]?.state === 'waiting' ? null : r;
      },
      10_000,
      'broadcast settled',
    );
    expect(rows).toEqual([{ state: 'sent', attempts: 1, transmission_ids: [first.id, repeat.id] }]);

    // DTMF 签收 from the site's own gateway
    const code = dtmfCodeForSerial(d.serial);
    const acks = hub.app.get(DtmfAcks);
    // the same code from another site's gateway: refused, that site has no such directive
    expect(await acks.take(dtmf(gw.b.terminalId, townB, code))).toMatchObject({ outcome: 'other_site' });
    await bus.publish(RADIO_BUS.gateway, dtmf(gw.a.terminalId, townA, code));
    const acked = await waitFor(
      async () => {
        const x = await recipient(d.id, townA);
        return x.state === 'acknowledged' ? x : null;
      },
      20_000,
      'recipient acknowledged',
    );
    expect(acked!.acknowledgedVia).toBe('radio');
    // again: already taken
    expect(await acks.take(dtmf(gw.a.terminalId, townA, code))).toMatchObject({
      outcome: 'already_acknowledged',
    });
    expect(await acks.take(dtmf(gw.a.terminalId, townA, '*#'))).toMatchObject({ outcome: 'malformed' });
    expect(await acks.take({ leaf: 'events', body: { type: 'dtmf', digits: 'x' } })).toMatchObject({
      outcome: 'malformed',
    });
    const audit = await ds.query(`SELECT data FROM audit_log WHERE action = 'directive.ack.refused'`);
    expect(audit.length).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it('refuses the code of an expired directive', async () => {
    const d = await issue([townB], { expiresAt: new Date(Date.now() + 3000).toISOString() });
    await waitFor(async () => (await recipient(d.id, townB)).state === 'expired', 30_000, 'expired');
    const outcome = await hub.app
      .get(DtmfAcks)
      .take(dtmf(gw.b.terminalId, townB, dtmfCodeForSerial(d.serial)));
    expect(outcome).toMatchObject({ outcome: 'expired' });
    expect((await recipient(d.id, townB)).state).toBe('expired');
  }, 60_000);

  it('reports the site failed via radio when the talkgroup stays busy past the retries; a lost broadcast is resumed', async () => {
    expect((await holdFloor(tg.c)).verdict).toBe('granted');
    const d = await issue([townC]);
    await waitFor(async () => (await recipient(d.id, townC)).state === 'failed', 60_000, 'recipient failed');
    const rows = await ds.query(
      `SELECT state, attempts, reason FROM radio_broadcasts WHERE directive_id = $1`,
      [d.id],
    );
    expect(rows).toEqual([{ state: 'failed', attempts: 2, reason: expect.stringMatching(/busy/) }]);
    expect(await transmissionsOf(tg.c, d.id)).toHaveLength(0);
    await releaseFloor(tg.c);

    // a broadcast whose worker died mid-air (its lease ran out) is started again by the sweep
    await ds.query(
      `UPDATE radio_broadcasts SET state = 'waiting', attempts = 0, claimed_until = now() - interval '1 second'
       WHERE directive_id = $1`,
      [d.id],
    );
    await ds.query(`UPDATE directive_recipients SET state = 'pending' WHERE directive_id = $1`, [d.id]);
    const broadcast = hub.app.get(DirectiveBroadcast);
    expect(await broadcast.sweep()).toBe(1);
    expect(await broadcast.sweep()).toBe(0);
    await waitFor(
      async () => (await recipient(d.id, townC)).state === 'delivered',
      90_000,
      'delivered after the sweep',
    );
    expect((await transmissionsOf(tg.c, d.id)).length).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('announces typed text: 202 with the transmission, 400, 403, 404, 409, 429', async () => {
    const res = await dispatcher.post(`/api/v1/talkgroups/${tg.b}/announce`, {
      text: '各单位注意，暴雨将至。',
    });
    expect(res.status).toBe(202);
    const id = res.body.transmissionId as string;
    // answered while the audio still plays: the gateway was keyed, not yet unkeyed
    const key = await waitFor(() => gw.b.cmdsOf('key').find((c) => c.transmissionId === id), 5000, 'key');
    expect(key!.talker).toEqual({ kind: 'user', name: 'rv-dispatcher' });
    expect(gw.b.cmdsOf('unkey').find((c) => c.transmissionId === id)).toBeUndefined();
    await waitFor(() => gw.b.cmdsOf('unkey').find((c) => c.transmissionId === id), 30_000, 'unkey');
    expect(rmsDbfs(heard(gw.b, id))).toBeGreaterThan(-40);

    const empty = await dispatcher.post(`/api/v1/talkgroups/${tg.b}/announce`, { text: '   ' });
    expect(empty.status).toBe(400);
    const long = await dispatcher.post(`/api/v1/talkgroups/${tg.b}/announce`, {
      text: '长'.repeat(MAX_ANNOUNCE_CHARS + 1),
    });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).toMatch(/text/);
    // a duty officer: own site only
    expect((await dutyB.post(`/api/v1/talkgroups/${tg.a}/announce`, { text: '测试' })).status).toBe(403);
    expect(
      (await dispatcher.post(`/api/v1/talkgroups/${randomUUID()}/announce`, { text: '测试' })).status,
    ).toBe(404);
    expect((await holdFloor(tg.b)).verdict).toBe('granted');
    const busy = await dutyB.post(`/api/v1/talkgroups/${tg.b}/announce`, { text: '测试' });
    await releaseFloor(tg.b);
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('radio_busy');
    // RADIO_ANNOUNCE_PER_MINUTE=2 here; refusals before the budget (400, 403, 404) cost nothing
    expect((await dispatcher.post(`/api/v1/talkgroups/${tg.a}/announce`, { text: '测试' })).status).toBe(202);
    const limited = await dispatcher.post(`/api/v1/talkgroups/${tg.a}/announce`, { text: '测试' });
    expect(limited.status).toBe(429);
  }, 90_000);

  it('speaks a change (with the level tone) and a withdrawal (without) after the directive; neither touches 签收 state', async () => {
    const d = await issue([townB], { title: '测试', body: '注意。', level: 'orange' });
    const ended = async (n: number) =>
      waitFor(
        async () => {
          const t = await transmissionsOf(tg.b, d.id);
          return t.length >= n && t.every((x) => x.endedAt) ? t : null;
        },
        120_000,
        `${n} transmissions on talkgroup B`,
      );
    await ended(2);
    await waitFor(async () => (await recipient(d.id, townB)).state === 'delivered', 20_000, 'delivered');
    const talkerOf = (id: string) => gw.b.cmdsOf('key').find((c) => c.transmissionId === id)?.talker;
    const toneFreq = peakFrequency(alertTone('orange').subarray(0, 800));

    const updated = await dispatcher.post(`/api/v1/directives/${d.id}/updates`, {
      text: '转移范围扩大到沿河两岸。',
    });
    expect(updated.status).toBe(201);
    const [, changeFirst] = (await ended(4))!; // newest first: the change's repeat, then its first
    expect(talkerOf(changeFirst!.id)).toEqual({ kind: 'system', name: expect.stringMatching(/变更$/) });
    const change = heard(gw.b, changeFirst!.id);
    expect(goertzelPower(change.subarray(0, 800), toneFreq, rate)).toBeGreaterThan(0.05);
    expect(rmsDbfs(change.subarray(alertTone('orange').length + 2400))).toBeGreaterThan(-35);
    // a change is no delivery: the site stays as it was
    expect((await recipient(d.id, townB)).state).toBe('delivered');

    const cancelled = await dispatcher.post(`/api/v1/directives/${d.id}/cancel`, { reason: '雨情减弱' });
    expect(cancelled.status).toBe(200);
    const [, cancelFirst] = (await ended(6))!;
    expect(talkerOf(cancelFirst!.id)).toEqual({ kind: 'system', name: expect.stringMatching(/撤销$/) });
    const withdrawal = heard(gw.b, cancelFirst!.id);
    expect(goertzelPower(withdrawal.subarray(0, 800), toneFreq, rate)).toBeLessThan(0.01);
    expect(withdrawal.length / rate).toBeGreaterThan(3);
    // each settles just after its repeat's play resolves
    const rows = await waitFor(
      async () => {
        const r = await ds.query(
          `SELECT state, array_length(transmission_ids, 1) AS n FROM radio_broadcasts WHERE directive_id = $1`,
          [d.id],
        );
        return r.some((x: { state: string }) => x.state === 'waiting') ? null : r;
      },
      10_000,
      'three broadcasts settled',
    );
    expect(rows).toEqual([
      { state: 'sent', n: 2 },
      { state: 'sent', n: 2 },
      { state: 'sent', n: 2 },
    ]);
  }, 300_000);
});
