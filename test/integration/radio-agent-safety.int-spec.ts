import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { sine } from '#radio';
import { VirtualGateway } from '../../gateways/radio-agent/src/simulator.js';
import { waitFor } from '../support/async.js';
import { RadioHubDouble } from '../support/radio-hub-double.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(60_000);

/**
 * The gateway's own safeties, which must hold with the hub gone (kill -9): the transmit
 * timeout, a lost control link, and a transmit audio stream that stops. Real broker (aedes
 * on a spare port, killed by resetting its connections), real UDP.
 */
const IDS = Array.from({ length: 6 }, (_, i) => `t${String(i + 1).padStart(20, 'b')}`);
const secrets = Object.fromEntries(IDS.map((id) => [id, `secret-${id}`]));
let hub: RadioHubDouble;
const gateways: VirtualGateway[] = [];

beforeAll(async () => {
  hub = await RadioHubDouble.start(secrets);
});
afterEach(async () => {
  for (const g of gateways.splice(0)) await g.stop();
});
afterAll(async () => {
  await hub.close();
});

let next = 0;
async function keyedGateway(timing: Record<string, number> = {}) {
  const id = IDS[next++]!;
  const gw = new VirtualGateway({ url: hub.url, gateway: { id, secret: secrets[id]! }, timing });
  gateways.push(gw);
  await gw.start();
  await hub.media(gw.id);
  await waitFor(() => gw.events.some((e) => e.type === 'media'), 5000, 'media followed');
  await hub.cmd(gw.id, { type: 'key', transmissionId: `tx-${id}`, talker: { kind: 'user', name: 'x' } });
  const stream = hub.stream(gw.rtpPort, sine(1000, 20_000));
  await waitFor(() => gw.keyed.on, 5000, 'PTT on');
  return { gw, stream, keyedAt: gw.keyed.history[0]!.at };
}

const unkeyCause = (gw: VirtualGateway) =>
  gw.events.flatMap((e) => (e.type === 'ptt' && !e.on ? [e.cause] : []));

describe('radio gateway safeties', () => {
  it('unkeys on its own at the transmit timeout, and will not key that transmission again', async () => {
    const { gw, stream, keyedAt } = await keyedGateway({ totMs: 1500 });
    await waitFor(() => !gw.keyed.on, 5000, 'TOT unkey');
    const offAt = gw.keyed.history[1]!.at;
    expect(offAt - keyedAt).toBeGreaterThanOrEqual(1450);
    expect(offAt - keyedAt).toBeLessThan(2000);
    expect(unkeyCause(gw)).toEqual(['timeout']);
    expect(gw.events.find((e) => e.type === 'ptt' && !e.on)).toMatchObject({ transmissionId: `tx-${gw.id}` });
    await waitFor(
      () =>
        hub.from(gw.id, 'state').some((s) => (s.body as { ptt: boolean }).ptt === false && s.at >= offAt - 5),
      5000,
      'ptt false reported',
    );
    await hub.cmd(gw.id, { type: 'key', transmissionId: `tx-${gw.id}`, talker: { kind: 'user', name: 'x' } });
    await waitFor(() => gw.events.some((e) => e.type === 'key-refused'), 5000, 'the re-key refused');
    expect(gw.keyed.on).toBe(false);
    stream.stop();
  });

  it('unkeys within 1 s when the broker dies, and joins again when it is back', async () => {
    const { gw, stream } = await keyedGateway();
    const joinsBefore = hub.from(gw.id, 'join').length;
    const killedAt = Date.now();
    await hub.killBroker();
    await waitFor(() => !gw.keyed.on, 3000, 'unkeyed after the broker died');
    expect(gw.keyed.history[1]!.at - killedAt).toBeLessThan(1000);
    expect(unkeyCause(gw)).toEqual(['link-lost']);
    stream.stop();
    await hub.startBroker();
    await waitFor(() => hub.from(gw.id, 'join').length > joinsBefore, 15_000, 'joined again');
    const sub = hub.subscribes.filter((s) => s.clientId === gw.id && s.topic.endsWith('/radio/cmd')).pop()!;
    const join = hub.from(gw.id, 'join').pop()!;
    expect(join.at).toBeGreaterThanOrEqual(sub.at);
    expect(join.body).toEqual({ codecs: ['PCMA'], ssrc: gw.agent.ssrc, at: expect.any(String) });
  });

  it('unkeys within 1 s when the link is cut without a word', async () => {
    const { gw, stream } = await keyedGateway();
    const cutAt = Date.now();
    gw.agent.killLink();
    await waitFor(() => !gw.keyed.on, 3000, 'unkeyed');
    expect(gw.keyed.history[1]!.at - cutAt).toBeLessThan(1000);
    stream.stop();
  });

  it('unkeys about 1 s after the transmit audio stops while keyed', async () => {
    const { gw, stream } = await keyedGateway();
    await new Promise((r) => setTimeout(r, 500));
    stream.stop();
    const stoppedAt = Date.now();
    await waitFor(() => !gw.keyed.on, 5000, 'unkeyed');
    const after = gw.keyed.history[1]!.at - stoppedAt;
    expect(after).toBeGreaterThanOrEqual(900);
    expect(after).toBeLessThan(1500);
    expect(unkeyCause(gw)).toEqual(['audio-lost']);
  });
});
