import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { TalkgroupView } from '#contracts';
import { sine } from '#radio';
import { VirtualGateway } from '../../gateways/radio-agent/src/simulator.js';
import { sleep, waitFor } from '../support/async.js';
import { createSite } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { startRadioHub, type RadioHub } from '../support/radio-hub.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { provision } from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(90_000);

/**
 * A gateway whose link was down while the hub keyed it: `radio/cmd` is QoS 1 on a
 * persistent session, so the broker keeps the `key` and hands it over when the gateway is
 * back, long after that transmission ended. The radio must not key up for it. Real agent
 * (VirtualGateway), its link cut by a TCP proxy (a cable pulled), against the real hub with
 * its embedded broker (aedes) and against Mosquitto.
 */
const staleRefusals = (gw: VirtualGateway) =>
  gw.events.filter((e) => e.type === 'key-refused' && e.reason === 'stale').length;
const mediaCount = (gw: VirtualGateway) => gw.events.filter((e) => e.type === 'media').length;

describe('a stale key after an offline spell: the real hub and its embedded broker', () => {
  let hub: RadioHub;
  let proxy: TcpProxy;
  let a: VirtualGateway;
  let b: VirtualGateway;

  beforeAll(async () => {
    hub = await startRadioHub({ RADIO_HANG_MS: '200' });
    const town = await createSite(hub.api, '丁镇', 'township', hub.rootSite);
    const credsA = await provision(hub.api, town, 'A', 'radio');
    const credsB = await provision(hub.api, town, 'B', 'radio');
    const tg = await hub.api.post<TalkgroupView>('/api/v1/talkgroups', {
      name: '丁镇通话组',
      siteId: town,
      gatewayIds: [credsA.id, credsB.id],
    });
    expect(tg.status).toBe(201);
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(new URL(hub.mqttUrl).port) });
    a = new VirtualGateway({ url: hub.mqttUrl, gateway: credsA, timing: { txDelayMs: 0 } });
    // B keys its radio 150 ms before the audio (a real key-up delay): a stale key-then-unkey
    // would hold it on air that long for nothing
    b = new VirtualGateway({
      url: `mqtt://127.0.0.1:${proxy.port}`,
      gateway: credsB,
      timing: { txDelayMs: 150 },
    });
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => mediaCount(a) > 0 && mediaCount(b) > 0, 15_000, 'both joined');
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await proxy?.stop();
    await hub?.stop();
  });

  it('never keys for a transmission that started and ended while it was offline, and keys for the next', async () => {
    // B offline in the middle of a transmission: its own safety unkeys it at once
    const talking = a.transmit(sine(1000, 1500));
    await waitFor(() => b.keyed.on, 5000, 'B keyed for A');
    await proxy.cut();
    await waitFor(() => !b.keyed.on, 1000, 'B unkeyed on the lost link');
    await talking;
    await sleep(500);
    // a whole transmission while B is away: its key (and unkey) wait in B's session
    const keyedBefore = b.keyed.history.length;
    const mediaBefore = mediaCount(b);
    await a.transmit(sine(1000, 600));
    await sleep(800);
    await proxy.restore();
    await waitFor(() => mediaCount(b) > mediaBefore, 15_000, 'B joined again');
    await sleep(1000);
    // the broker did hand the old key over, and the radio stayed off the air
    expect(b.keyed.history.slice(keyedBefore)).toEqual([]);
    expect(staleRefusals(b)).toBeGreaterThanOrEqual(1);

    // after the join is answered, a key is a key
    const t0 = Date.now();
    const heard = b.whenHeard(1000, t0, 5000);
    await a.transmit(sine(1000, 600));
    await heard;
    expect(b.keyed.history.slice(keyedBefore)[0]).toMatchObject({ on: true });
  });
});

describe('a stale key after an offline spell: Mosquitto', () => {
  let dir: string;
  let mosquitto: ChildProcess;
  let port: number;
  let proxy: TcpProxy;
  let hubLink: MqttClient;
  let gw: VirtualGateway;
  const id = `t${'c'.repeat(20)}`;
  const cmdTopic = `yihu/v1/terminals/${id}/radio/cmd`;
  const send = (cmd: object) => hubLink.publishAsync(cmdTopic, JSON.stringify(cmd), { qos: 1 });
  const key = (transmissionId: string) =>
    send({ type: 'key', transmissionId, talker: { kind: 'user', name: '调度员' } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yihu-stale-key-'));
    port = await freePort();
    // Mosquitto 2 as the hub runs it, minus the auth files: a persistent session's QoS 1
    // messages are queued while it is away (max_queued_messages), QoS 0 ones are not
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ''].join('\n'),
    );
    mosquitto = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const s = createConnection(port, '127.0.0.1', () => (s.end(), resolve(true)));
          s.on('error', () => resolve(false));
        }),
      10_000,
      'mosquitto listening',
    );
    proxy = await TcpProxy.start({ host: '127.0.0.1', port });
    // the hub's side: answers every join with `media`
    hubLink = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'hub-double', clean: true });
    await hubLink.subscribeAsync(`yihu/v1/terminals/${id}/radio/join`, { qos: 1 });
    hubLink.on(
      'message',
      () =>
        void send({
          type: 'media',
          host: '127.0.0.1',
          port: 9,
          codec: 'PCMA',
          payloadType: 8,
          clockRate: 8000,
        }),
    );
    gw = new VirtualGateway({
      url: `mqtt://127.0.0.1:${proxy.port}`,
      gateway: { id, secret: 'secret-of-the-gateway' },
    });
    await gw.start();
    await waitFor(() => mediaCount(gw) > 0, 10_000, 'media');
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await hubLink?.endAsync(true);
    await proxy?.stop();
    mosquitto?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands the kept key over on reconnect; the agent does not key for it (no unkey ever comes: the hub died)', async () => {
    await key('tx-live');
    await waitFor(() => gw.keyed.on, 5000, 'keyed');
    await proxy.cut();
    await waitFor(() => !gw.keyed.on, 1000, 'unkeyed on the lost link');
    await sleep(300);
    const keyedBefore = gw.keyed.history.length;
    const mediaBefore = mediaCount(gw);
    await key('tx-while-away');
    await proxy.restore();
    await waitFor(() => mediaCount(gw) > mediaBefore, 15_000, 'joined again');
    await sleep(300);
    expect(gw.keyed.history.slice(keyedBefore)).toEqual([]);
    expect(gw.events).toContainEqual({
      type: 'key-refused',
      transmissionId: 'tx-while-away',
      reason: 'stale',
    });
    // the hub's next key, after the join was answered, keys the radio
    await key('tx-next');
    await waitFor(() => gw.keyed.on, 5000, 'keyed for the next transmission');
  });
});
