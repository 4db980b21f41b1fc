import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { alawDecode, concat, goertzelPower, silence, sine, ToneDetector } from '#radio';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RadioAgent } from '../../gateways/radio-agent/src/agent.js';
import { DEFAULT_TIMING } from '../../gateways/radio-agent/src/config.js';
import { pcmBytes } from '../../gateways/radio-agent/src/drivers/child.js';
import { FileAudio } from '../../gateways/radio-agent/src/drivers/file.js';
import { MemoryPtt } from '../../gateways/radio-agent/src/drivers/memory.js';
import { VoxCor } from '../../gateways/radio-agent/src/drivers/vox.js';
import { VirtualGateway } from '../../gateways/radio-agent/src/simulator.js';
import { waitFor, sleep } from '../support/async.js';
import { RadioHubDouble } from '../support/radio-hub-double.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(60_000);

/**
 * The radio gateway agent against a hub double made of real parts (an aedes broker, UDP
 * sockets): what it says on MQTT, the RTP it sends while the radio hears someone, and what
 * it plays to the radio while keyed.
 */
const IDS = Array.from({ length: 12 }, (_, i) => `t${String(i + 1).padStart(20, 'a')}`);
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
async function gateway(
  o: Partial<ConstructorParameters<typeof VirtualGateway>[0]> = {},
): Promise<VirtualGateway> {
  const id = IDS[next++]!;
  const gw = new VirtualGateway({ url: hub.url, gateway: { id, secret: secrets[id]! }, ...o });
  gateways.push(gw);
  await gw.start();
  return gw;
}

const rtpFrom = (ssrc: number) => hub.rtp.filter((r) => r.packet.ssrc === ssrc);

describe('radio gateway agent', () => {
  it('subscribes to radio/cmd, then joins with its ssrc, says online and its state', async () => {
    const gw = await gateway();
    const sub = hub.subscribes.find((s) => s.clientId === gw.id && s.topic.endsWith('/radio/cmd'));
    expect(sub?.topic).toBe(`yihu/v1/terminals/${gw.id}/radio/cmd`);
    const joins = hub.from(gw.id, 'join');
    expect(joins).toHaveLength(1);
    expect(joins[0]!.body).toEqual({ codecs: ['PCMA'], ssrc: gw.agent.ssrc, at: expect.any(String) });
    expect(joins[0]!.at).toBeGreaterThanOrEqual(sub!.at);
    expect(hub.from(gw.id, 'status').map((s) => s.body)).toEqual(['online']);
    expect(hub.from(gw.id, 'state').map((s) => s.body)).toEqual([
      { cor: false, ptt: false, at: expect.any(String) },
    ]);
  });

  it('sends what the radio receives as RTP PCMA (pt 8, 20 ms) while the carrier is up, and reports COR', async () => {
    const gw = await gateway();
    await hub.media(gw.id);
    await waitFor(() => gw.events.some((e) => e.type === 'media'), 5000, 'media followed');
    await gw.transmit(concat([sine(1000, 600)]));
    await waitFor(() => rtpFrom(gw.agent.ssrc).length >= 30, 5000, 'RTP for 600 ms of audio');
    const packets = rtpFrom(gw.agent.ssrc).map((r) => r.packet);
    expect(packets.every((p) => p.payloadType === 8 && p.payload.length === 160)).toBe(true);
    expect(packets[0]!.marker).toBe(true);
    for (let i = 1; i < packets.length; i++) {
      expect(packets[i]!.sequence).toBe((packets[i - 1]!.sequence + 1) & 0xffff);
      expect(packets[i]!.timestamp - packets[i - 1]!.timestamp).toBe(160);
    }
    const detector = new ToneDetector({ freqHz: 1000 });
    for (const p of packets) detector.push(alawDecode(p.payload));
    expect(detector.onsetMs).not.toBeNull();
    expect(detector.onsetMs!).toBeLessThan(60);
    await waitFor(() => hub.from(gw.id, 'state').length >= 3, 5000, 'COR up and down');
    expect(hub.from(gw.id, 'state').map((s) => (s.body as { cor: boolean }).cor)).toEqual([
      false,
      true,
      false,
    ]);
  });

  it('says hello to its media target at once (an empty RTCP receiver report), so a gateway that only listens can be reached', async () => {
    const gw = await gateway();
    const before = hub.rtcp.length;
    await hub.media(gw.id);
    await waitFor(() => hub.rtcp.length > before, 5000, 'the hello');
    const hello = hub.rtcp[before]!;
    expect(hello.port).toBe(hub.mediaPort);
    expect([...hello.buf]).toEqual([
      0x80,
      201,
      0,
      1,
      ...[3, 2, 1, 0].map((s) => (gw.agent.ssrc >>> (8 * s)) & 0xff),
    ]);
    expect(gw.stats.media.hellos).toBe(1);
    expect(rtpFrom(gw.agent.ssrc)).toEqual([]);
  });

  it('keys PTT, holds the audio that arrives during TX_DELAY and plays it after: the first 100 ms are heard', async () => {
    const gw = await gateway({ timing: { txDelayMs: 150 } });
    await hub.media(gw.id);
    await waitFor(() => gw.events.some((e) => e.type === 'media'), 5000, 'media followed');
    const keyAt = Date.now();
    await hub.cmd(gw.id, { type: 'key', transmissionId: 'tx-1', talker: { kind: 'user', name: '值班员' } });
    // PTT goes on as the key arrives; the audio then comes inside TX_DELAY, while the radio is
    // not yet up (streaming before the key lands races MQTT against UDP on a loaded machine)
    await waitFor(() => gw.keyed.on, 5000, 'PTT on');
    // a 100 ms burst of 1 kHz right at the start, then 400 ms of 600 Hz
    const sent = hub.stream(gw.rtpPort, concat([sine(1000, 100), sine(600, 400)]));
    const pttOnAt = gw.keyed.history[0]!.at;
    const toneAt = await gw.whenHeard(1000, keyAt);
    expect(toneAt - pttOnAt).toBeGreaterThanOrEqual(145);
    await sent.done;
    await hub.cmd(gw.id, { type: 'unkey', transmissionId: 'tx-1', reason: 'ended' });
    await waitFor(() => !gw.keyed.on, 5000, 'PTT off');
    const offAt = gw.keyed.history[1]!.at;
    // all of the 1 kHz burst was played (not clipped): ~100 ms of samples with its energy
    const heard = concat(gw.heard.map((h) => h.pcm));
    let burstMs = 0;
    for (let i = 0; i + 80 <= heard.length; i += 80)
      if (goertzelPower(heard.subarray(i, i + 80), 1000) > 0.05) burstMs += 10;
    expect(burstMs).toBeGreaterThanOrEqual(90);
    // the whole burst of 500 ms was heard, and PTT let go only after it played out
    expect(heard.length).toBeGreaterThanOrEqual(500 * 8 - 160);
    const last = gw.heard[gw.heard.length - 1]!;
    expect(offAt).toBeGreaterThanOrEqual(last.at + 20 - 5);
    await waitFor(() => hub.from(gw.id, 'state').length >= 3, 5000, 'PTT on and off reported');
    expect(hub.from(gw.id, 'state').map((s) => (s.body as { ptt: boolean }).ptt)).toEqual([
      false,
      true,
      false,
    ]);
  });

  it('collects DTMF 0042# into one radio/events message', async () => {
    const gw = await gateway({ dtmfPauseMs: 3000 });
    await gw.keyDtmf('0042#');
    await waitFor(() => hub.from(gw.id, 'events').length >= 1, 5000, 'the DTMF event');
    await sleep(300);
    expect(hub.from(gw.id, 'events').map((e) => e.body)).toEqual([
      { type: 'dtmf', digits: '0042#', at: expect.any(String) },
    ]);
  });

  it('sends DTMF without # after the pause, and an emergency once per press', async () => {
    const gw = await gateway({ dtmfPauseMs: 800 });
    await gw.keyDtmf('12');
    expect(gw.emergency()).toBe(true);
    expect(gw.emergency()).toBe(false);
    await waitFor(() => hub.from(gw.id, 'events').length >= 2, 5000, 'two events');
    const events = hub.from(gw.id, 'events').map((e) => e.body as { type: string; digits?: string });
    expect(events.map((e) => e.type).sort()).toEqual(['dtmf', 'emergency']);
    expect(events.find((e) => e.type === 'dtmf')!.digits).toBe('12');
  });

  it('drops RTP from another address, with a wrong payload type, or malformed, counts it, and keeps working', async () => {
    const gw = await gateway({ dropReportEveryMs: 300 });
    await hub.media(gw.id);
    await waitFor(() => gw.events.some((e) => e.type === 'media'), 5000, 'media followed');
    await hub.cmd(gw.id, { type: 'key', transmissionId: 'tx-d', talker: { kind: 'user', name: 'x' } });
    const other = await hub.openMedia();
    hub.stream(gw.rtpPort, sine(1000, 100), { socketIndex: other, ssrc: 7 }); // 5 from the wrong port
    hub.stream(gw.rtpPort, sine(1000, 60), { payloadType: 0, ssrc: 8 }); // 3 of PCMU
    hub.sendRaw(gw.rtpPort, Buffer.from('not rtp at all'));
    hub.sendRaw(gw.rtpPort, Buffer.from([0x80, 8, 0, 1]));
    const good = hub.stream(gw.rtpPort, sine(800, 400), { ssrc: 9 });
    await good.done;
    await waitFor(
      () =>
        gw.stats.media.dropped.source === 5 &&
        gw.stats.media.dropped['payload-type'] === 3 &&
        gw.stats.media.received === 20,
      5000,
      'drops counted',
    );
    expect(gw.stats.media.dropped.malformed).toBe(2);
    await waitFor(() => gw.events.some((e) => e.type === 'rtp-dropped'), 5000, 'the drop report');
    await gw.whenHeard(800);
    await hub.cmd(gw.id, { type: 'unkey', transmissionId: 'tx-d', reason: 'ended' });
    await waitFor(() => !gw.keyed.on, 5000, 'unkeyed');
  });

  it('refuses a malformed command and never keys while transmit is inhibited; rx inhibit stops COR audio', async () => {
    const gw = await gateway();
    await hub.media(gw.id);
    await waitFor(() => gw.events.some((e) => e.type === 'media'), 5000, 'media followed');
    await hub.cmd(gw.id, '{"type":"key"');
    await hub.cmd(gw.id, { type: 'key', transmissionId: '', talker: { kind: 'user', name: 'x' } });
    await waitFor(() => gw.stats.cmdRejected === 2, 5000, 'two refusals');
    await hub.cmd(gw.id, { type: 'key', transmissionId: 'tx-i', talker: { kind: 'user', name: 'x' } });
    const s = hub.stream(gw.rtpPort, sine(1000, 2000));
    await waitFor(() => gw.keyed.on, 5000, 'keyed');
    await hub.cmd(gw.id, { type: 'inhibit', tx: true, rx: true });
    await waitFor(() => !gw.keyed.on, 5000, 'unkeyed by inhibit');
    await hub.cmd(gw.id, { type: 'key', transmissionId: 'tx-j', talker: { kind: 'user', name: 'x' } });
    await waitFor(() => gw.events.some((e) => e.type === 'key-refused'), 5000, 'key refused');
    expect(gw.keyed.on).toBe(false);
    s.stop();
    const before = rtpFrom(gw.agent.ssrc).length;
    await gw.transmit(sine(1000, 300));
    await sleep(200);
    expect(rtpFrom(gw.agent.ssrc).length).toBe(before);
    expect(gw.agent.cor).toBe(false);
    await hub.cmd(gw.id, { type: 'inhibit', tx: false, rx: false });
    await sleep(200);
    await gw.transmit(sine(1000, 300));
    await waitFor(() => rtpFrom(gw.agent.ssrc).length > before, 5000, 'RTP again');
    expect(gw.stats.tx.unkeys.inhibited).toBe(1);
  });

  it('follows a media command with a new port mid-call: sends there and accepts only it', async () => {
    const gw = await gateway();
    await hub.media(gw.id, 0);
    await waitFor(() => gw.events.some((e) => e.type === 'media'), 5000, 'media followed');
    const second = await hub.openMedia();
    const secondPort = hub.udp[second]!.address().port;
    const talking = gw.transmit(sine(1000, 1200));
    await waitFor(
      () => rtpFrom(gw.agent.ssrc).some((r) => r.port === hub.mediaPort),
      5000,
      'RTP to the first port',
    );
    await hub.media(gw.id, second);
    await talking;
    const mine = rtpFrom(gw.agent.ssrc);
    const switchAt = mine.findIndex((r) => r.port === secondPort);
    expect(switchAt).toBeGreaterThan(0);
    expect(mine.slice(switchAt).every((r) => r.port === secondPort)).toBe(true);
    // the transmit audio: the old port is now a stranger
    await hub.cmd(gw.id, { type: 'key', transmissionId: 'tx-m', talker: { kind: 'user', name: 'x' } });
    const droppedBefore = gw.stats.media.dropped.source;
    await hub.stream(gw.rtpPort, sine(1000, 100), { socketIndex: 0 }).done;
    await hub.stream(gw.rtpPort, sine(700, 300), { socketIndex: second, ssrc: 77 }).done;
    await gw.whenHeard(700);
    expect(gw.stats.media.dropped.source - droppedBefore).toBe(5);
  });

  it('with the file audio driver and VOX: a tone in the received audio raises COR and goes out as RTP', async () => {
    const id = IDS[next++]!;
    const dir = mkdtempSync(join(tmpdir(), 'radio-vox-'));
    // 1.2 s of silence (time to join and get `media`), 600 ms of 1 kHz at -23 dBFS, silence
    writeFileSync(
      join(dir, 'rx.raw'),
      pcmBytes(concat([silence(1200), sine(1000, 600, 8000, 0.1), silence(1000)])),
    );
    const agent = new RadioAgent({
      url: hub.url,
      id,
      secret: secrets[id]!,
      drivers: {
        audio: new FileAudio(join(dir, 'rx.raw'), join(dir, 'tx.raw')),
        ptt: new MemoryPtt(),
        cor: new VoxCor({ thresholdDbfs: -35, attackMs: 50, releaseMs: 500 }),
      },
      timing: DEFAULT_TIMING,
    });
    try {
      await agent.start();
      await hub.media(id);
      await waitFor(() => hub.from(id, 'state').length >= 3, 8000, 'VOX carrier up and down');
      expect(hub.from(id, 'state').map((s) => (s.body as { cor: boolean }).cor)).toEqual([
        false,
        true,
        false,
      ]);
      const packets = rtpFrom(agent.ssrc).map((r) => r.packet);
      // the tone (30 frames) plus the 3 frames before VOX rose, plus ~500 ms of release tail
      expect(packets.length).toBeGreaterThanOrEqual(30 + 20);
      expect(packets.length).toBeLessThanOrEqual(3 + 30 + 27);
      const detector = new ToneDetector({ freqHz: 1000 });
      for (const p of packets) detector.push(alawDecode(p.payload));
      // the first syllable is not lost to the VOX attack: the tone starts within the first frames
      expect(detector.onsetMs).not.toBeNull();
      expect(detector.onsetMs!).toBeLessThanOrEqual(40);
    } finally {
      await agent.stop();
    }
  });

  it('is half duplex: no received audio goes to the hub while it transmits, and it resumes after', async () => {
    const gw = await gateway();
    await hub.media(gw.id);
    await waitFor(() => gw.events.some((e) => e.type === 'media'), 5000, 'media followed');
    await hub.cmd(gw.id, { type: 'key', transmissionId: 'tx-h', talker: { kind: 'user', name: 'x' } });
    const s = hub.stream(gw.rtpPort, sine(600, 1000));
    await waitFor(() => gw.keyed.on, 5000, 'keyed');
    const talking = gw.transmit(sine(1000, 1400));
    await sleep(500);
    expect(rtpFrom(gw.agent.ssrc)).toHaveLength(0);
    expect(gw.agent.cor).toBe(false);
    await s.done;
    await hub.cmd(gw.id, { type: 'unkey', transmissionId: 'tx-h', reason: 'ended' });
    await waitFor(() => !gw.keyed.on, 5000, 'unkeyed');
    await waitFor(() => rtpFrom(gw.agent.ssrc).length > 0, 5000, 'COR audio once off air');
    expect(gw.agent.cor).toBe(true);
    await talking;
  });

  it('survives 400 random datagrams from the media address and still plays the next good stream', async () => {
    const gw = await gateway();
    await hub.media(gw.id);
    await waitFor(() => gw.events.some((e) => e.type === 'media'), 5000, 'media followed');
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 400; i++) {
      const data = Buffer.alloc(1 + Math.floor(rand() * 300));
      for (let j = 0; j < data.length; j++) data[j] = Math.floor(rand() * 256);
      // half of them look like RTP v2 with our payload type, the rest anything at all
      if (i % 2 === 0 && data.length > 1) ((data[0] = 0x80 | (data[0]! & 0x3f)), (data[1] = 8));
      hub.sendRaw(gw.rtpPort, data);
      // paced: a burst of 400 would overflow the socket's receive buffer, not test parsing
      if (i % 40 === 39) await sleep(20);
    }
    await waitFor(
      () => Object.values(gw.stats.media.dropped).reduce((a, b) => a + b, 0) >= 400,
      5000,
      'all counted as dropped',
    );
    expect(gw.stats.media.received).toBe(0);
    await hub.cmd(gw.id, { type: 'key', transmissionId: 'tx-f', talker: { kind: 'user', name: 'x' } });
    await hub.stream(gw.rtpPort, sine(1000, 300), { ssrc: 99 }).done;
    await gw.whenHeard(1000);
  });
});
