import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io, type Socket } from 'socket.io-client';
import { RADIO_BUS, RADIO_EVENTS as E, type RadioPressResult, type TalkgroupView } from '#contracts';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { createSite, createUser } from '../support/directives.js';
import { startRadioHub, type RadioHub } from '../support/radio-hub.js';
import { provision } from '../support/terminals.js';

type Answer = { ok: true } & Record<string, any>;
type Refusal = { ok: false; error: string };

/** PCMA as a browser would offer it (no WebRTC needed: mediasoup produces before ICE connects). */
const pcma = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/PCMA', payloadType: 8, clockRate: 8000, channels: 1 }],
  encodings: [{ ssrc }],
});
const opus = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 77 }],
};

/**
 * Browser PTT signalling on `/radio` (docs/radio.md, "Browser PTT") against an embedded hub
 * with real mediasoup: who may join, what each event refuses, the floor taken at the user's
 * rank with the user's microphone, and released when the socket goes.
 */
describe('radio browser PTT signalling', () => {
  let hub: RadioHub;
  let tg: TalkgroupView;
  let gatewayId: string;
  let town: string;
  let base: string;
  const tokens: Record<string, string> = {};
  const sockets: Socket[] = [];

  const connect = async (who: string): Promise<Socket> => {
    const s = io(`${base}/radio`, {
      auth: { token: tokens[who] },
      transports: ['websocket'],
      reconnection: false,
    });
    sockets.push(s);
    await new Promise<void>((ok, fail) => {
      s.once('connect', () => ok());
      s.once('connect_error', fail);
    });
    return s;
  };
  const ask = (s: Socket, event: string, body: unknown = {}) =>
    s.timeout(10_000).emitWithAck(event, body) as Promise<Answer | Refusal>;
  /** joined with a send transport and a PCMA microphone */
  const talker = async (who: string, ssrc: number) => {
    const s = await connect(who);
    expect(await ask(s, E.join, { talkgroupId: tg.id })).toMatchObject({
      ok: true,
      rank: expect.any(String),
    });
    const t = (await ask(s, E.createTransport, { direction: 'send' })) as Answer;
    expect(t.ok).toBe(true);
    expect(await ask(s, E.produce, { transportId: t.id, rtpParameters: pcma(ssrc) })).toMatchObject({
      ok: true,
    });
    return { s, transportId: t.id as string };
  };
  const floor = async () => (await hub.api.get(`/api/v1/talkgroups/${tg.id}`)).body.floor;

  beforeAll(async () => {
    hub = await startRadioHub({ RADIO_HANG_MS: '0', SFU_TRANSPORTS_PER_USER: '3' });
    base = hub.api.baseUrl;
    town = await createSite(hub.api, '北坡镇', 'township', hub.rootSite);
    const other = await createSite(hub.api, '南河乡', 'township', hub.rootSite);
    for (const [name, role, site] of [
      ['bdisp', 'dispatcher', hub.rootSite],
      ['bcmd', 'commander', hub.rootSite],
      ['bduty', 'duty_officer', town],
      ['bstranger', 'duty_officer', other],
    ] as const)
      tokens[name] = (await createUser(hub.api, name, role, site)).token;
    const gw = await provision(hub.api, town, '北坡中继', 'radio');
    gatewayId = gw.id;
    tg = (await hub.api.post('/api/v1/talkgroups', { name: '北坡组', siteId: town, gatewayIds: [gw.id] }))
      .body as TalkgroupView;
  }, 180_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await hub?.stop();
  });

  it('refuses a malformed body, a talkgroup out of scope, and every step before its prerequisite', async () => {
    const s = await connect('bstranger');
    expect(await ask(s, E.join, { talkgroupId: 'nope' })).toMatchObject({ ok: false });
    expect(await ask(s, E.join, { talkgroupId: tg.id, extra: 1 })).toMatchObject({ ok: false });
    expect(await ask(s, E.join, { talkgroupId: tg.id })).toEqual({
      ok: false,
      error: `talkgroup ${tg.id} is outside your scope`,
    });
    expect(await ask(s, E.press)).toEqual({ ok: false, error: 'join a talkgroup first' });
    expect(await ask(s, E.createTransport, { direction: 'send' })).toEqual({
      ok: false,
      error: 'join a talkgroup first',
    });

    const d = await connect('bduty');
    expect(await ask(d, E.join, { talkgroupId: tg.id })).toMatchObject({ ok: true, rank: 'dispatcher' });
    expect(await ask(d, E.join, { talkgroupId: tg.id })).toMatchObject({
      ok: false,
      error: /already on a talkgroup/,
    });
    expect(await ask(d, E.press)).toMatchObject({ ok: false, error: /radio.produce/ });
    expect(await ask(d, E.consume, { rtpCapabilities: {} })).toMatchObject({
      ok: false,
      error: /recv transport/,
    });
    const t = (await ask(d, E.createTransport, { direction: 'send' })) as Answer;
    expect(await ask(d, E.createTransport, { direction: 'send' })).toMatchObject({
      ok: false,
      error: /already open/,
    });
    // the talkgroup speaks PCMA: an opus microphone is refused with the reason
    expect(await ask(d, E.produce, { transportId: t.id, rtpParameters: opus })).toMatchObject({
      ok: false,
      error: /talkgroup speaks PCMA/,
    });
    expect(await ask(d, E.produce, { transportId: 'not-mine', rtpParameters: pcma(5) })).toMatchObject({
      ok: false,
      error: /not yours/,
    });
    d.close();
  });

  it('caps transports per user (SFU_TRANSPORTS_PER_USER)', async () => {
    const one = await connect('bdisp');
    const two = await connect('bdisp');
    for (const s of [one, two])
      expect(await ask(s, E.join, { talkgroupId: tg.id })).toMatchObject({ ok: true });
    expect(await ask(one, E.createTransport, { direction: 'send' })).toMatchObject({ ok: true });
    expect(await ask(one, E.createTransport, { direction: 'recv' })).toMatchObject({ ok: true });
    expect(await ask(two, E.createTransport, { direction: 'send' })).toMatchObject({ ok: true });
    expect(await ask(two, E.createTransport, { direction: 'recv' })).toMatchObject({
      ok: false,
      error: /SFU_TRANSPORTS_PER_USER/,
    });
    // leaving gives them back
    expect(await ask(one, E.leave)).toMatchObject({ ok: true });
    expect(await ask(two, E.createTransport, { direction: 'recv' })).toMatchObject({ ok: true });
    one.close();
    two.close();
  });

  it('grants the floor at the user’s rank; a commander pre-empts; equal rank is busy; a disconnect releases', async () => {
    const d = await talker('bdisp', 1001);
    const granted = (await ask(d.s, E.press)) as Answer & RadioPressResult;
    expect(granted).toMatchObject({ ok: true, verdict: 'granted' });
    expect(await floor()).toMatchObject({ talker: { kind: 'user', name: 'bdisp' } });

    const duty = await talker('bduty', 1002);
    const busy = (await ask(duty.s, E.press)) as Answer;
    expect(busy).toMatchObject({
      ok: true,
      verdict: 'busy',
      heldBy: { talker: { kind: 'user', name: 'bdisp' }, rank: 'dispatcher' },
    });

    const c = await talker('bcmd', 1003);
    expect(await ask(c.s, E.press)).toMatchObject({ ok: true, verdict: 'preempted' });
    expect(await floor()).toMatchObject({ talker: { name: 'bcmd' } });
    // the pre-empted dispatcher's release ends nothing of the commander's
    expect(await ask(d.s, E.release)).toEqual({ ok: true, released: false });
    expect(await floor()).toMatchObject({ talker: { name: 'bcmd' } });

    c.s.close();
    await waitFor(async () => (await floor()) === null, 5000, 'floor freed by the disconnect');
    const tx = (await hub.api.get(`/api/v1/talkgroups/${tg.id}/transmissions`)).body as {
      talker: { name: string };
      endedAt: string | null;
    }[];
    expect(tx.slice(0, 2).map((t) => t.talker.name)).toEqual(['bcmd', 'bdisp']);
    expect(tx.every((t) => t.endedAt !== null)).toBe(true);
  });

  it('lists the emergencies still open to those who may use the talkgroup, until acknowledged', async () => {
    const as = (who: string) => new Api(base, tokens[who]);
    // a console watching (not joined to any talkgroup) is told when it is raised and acknowledged
    const watcher = await connect('bduty');
    const pushed: { id: string; ackedAt: string | null }[] = [];
    watcher.on('radio.emergency', (e: { id: string; ackedAt: string | null }) => pushed.push(e));
    await hub.bus.publish(RADIO_BUS.gateway, {
      terminalId: gatewayId,
      siteId: town,
      bridge: 'test',
      leaf: 'events',
      body: { type: 'emergency', at: new Date().toISOString() },
    });
    const open = await waitFor(
      async () => {
        const list = (await as('bdisp').get('/api/v1/radio/emergencies')).body as {
          id: string;
          terminalId: string;
        }[];
        return list.length ? list : null;
      },
      5000,
      'the open emergency listed',
    );
    expect(open).toEqual([
      expect.objectContaining({ terminalId: gatewayId, talkgroupId: tg.id, ackedAt: null }),
    ]);
    expect((await as('bduty').get('/api/v1/radio/emergencies')).body).toHaveLength(1);
    // a duty officer of another township does not see it
    expect((await as('bstranger').get('/api/v1/radio/emergencies')).body).toEqual([]);
    expect((await as('bdisp').post(`/api/v1/radio/emergencies/${open![0]!.id}/ack`, {})).status).toBe(200);
    expect((await as('bdisp').get('/api/v1/radio/emergencies')).body).toEqual([]);
    await waitFor(() => pushed.length === 2, 5000, 'raised and acknowledged, pushed');
    expect(pushed.map((e) => [e.id, e.ackedAt === null])).toEqual([
      [open![0]!.id, true],
      [open![0]!.id, false],
    ]);
  });
});
