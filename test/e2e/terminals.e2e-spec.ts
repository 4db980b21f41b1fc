import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Simulator } from '../../gateways/push-terminal/src/simulator.js';
import type { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { ROOT, startHub, type HubProcess } from '../support/hub-process.js';
import { freePort } from '../support/ports.js';
import {
  counter,
  provision,
  startMosquitto,
  type Credentials,
  type MosquittoProcess,
} from '../support/terminals.js';

/**
 * Push terminals end to end, against the built hub, with the embedded broker and with a
 * Mosquitto started here: the real agent process (签收 typed on its console), and the
 * load simulator through broker and hub restarts.
 */
type BrokerKind = 'embedded' | 'mosquitto';

class AgentProcess {
  out = '';
  readonly child: ChildProcess;
  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [join(ROOT, 'dist/gateways/push-terminal/src/main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.out += d.toString()));
  }
  type(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }
  async kill9(): Promise<void> {
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await gone;
  }
}

describe.each<BrokerKind>(['embedded', 'mosquitto'])('push terminals end to end (%s broker)', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-terminals-'));
  let hub: HubProcess;
  let mosquitto: MosquittoProcess | undefined;
  let mqttUrl: string;
  let dispatcher: Api;
  let admin: Api;
  let town: string;
  const agents: AgentProcess[] = [];
  const sims: Simulator[] = [];

  beforeAll(async () => {
    const mqttPort = await freePort();
    const env: Record<string, string> = {
      DATA_DIR: join(dir, 'data'),
      SFU_ENABLED: 'false',
      MQTT_HOST: '127.0.0.1',
    };
    if (kind === 'embedded') env.MQTT_PORT = String(mqttPort);
    else {
      Object.assign(env, {
        MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
        MQTT_PASSWORD: 'bridge-password-0123456789',
        MOSQUITTO_AUTH_DIR: dir,
        MOSQUITTO_PID_FILE: join(dir, 'mosquitto.pid'),
      });
    }
    hub = await startHub(env);
    // the bridge has written passwd and acl: Mosquitto reads them now, and again on SIGHUP
    if (kind === 'mosquitto') mosquitto = await startMosquitto(dir, mqttPort);
    mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    town = await createSite(admin, `白水镇-${kind}`, 'township', rootId);
    dispatcher = (await createUser(admin, `disp-t-${kind}`, 'dispatcher', rootId)).api;
  });

  afterAll(async () => {
    if (process.env.YIHU_TEST_DEBUG)
      process.stderr.write(`--- hub output (${kind}) ---\n${hub?.output().slice(-6000)}\n`);
    for (const s of sims) s.kill();
    for (const a of agents) a.child.kill('SIGKILL');
    await hub?.stop('SIGKILL');
    mosquitto?.stop();
  });

  const issue = async (title: string) => {
    const res = await dispatcher.post('/api/v1/directives', {
      title,
      body: `${title}: 立即转移低洼地区群众`,
      level: 'orange',
      targets: { siteIds: [town] },
      ackWithinSeconds: 3600,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const recipient = async (id: string) =>
    (await dispatcher.get(`/api/v1/directives/${id}`)).body.recipients[0];

  it('POST /api/v1/directives reaches the agent; only Enter on its console is 签收 (channel terminal); kill -9 of the agent shows nothing twice', async () => {
    const creds = await provision(admin, town, '村口大喇叭');
    const env = {
      YIHU_MQTT_URL: mqttUrl,
      YIHU_TERMINAL_ID: creds.id,
      YIHU_TERMINAL_SECRET: creds.secret,
      YIHU_INBOX_DIR: join(dir, `inbox-${creds.id}`),
      YIHU_SPEECH: 'off',
      YIHU_LINK: 'satellite',
    };
    let agent = new AgentProcess(env);
    agents.push(agent);
    await waitFor(() => agent.out.includes('[link] connected'), 20_000, 'agent connected');
    await waitFor(
      async () => {
        const t = (await admin.get(`/api/v1/terminals/${creds.id}`)).body;
        return t.presence === 'online' && t.telemetry?.link === 'satellite';
      },
      10_000,
      'presence and telemetry',
    );

    const id = await issue('防汛转移');
    await waitFor(() => agent.out.includes('【防汛转移】'), 10_000, 'directive on the TTY');
    await waitFor(
      async () => (await recipient(id)).state === 'delivered',
      10_000,
      'delivered by the terminal',
    );
    expect((await recipient(id)).deliveredVia).toBe('terminal');
    // the device's `received` (and the broker's PUBACK before it) is not 签收
    await sleep(500);
    expect((await recipient(id)).acknowledgedAt).toBeNull();

    // the box loses power: its inbox on disk remembers the directive, so the replay is not shown again
    const replays = await counter(hub.baseUrl, 'yihu_mqtt_directives_published_total', 'kind="replay"');
    await agent.kill9();
    agent = new AgentProcess(env);
    agents.push(agent);
    await waitFor(() => agent.out.includes('[link] connected'), 20_000, 'agent reconnected');
    await waitFor(
      async () =>
        (await counter(hub.baseUrl, 'yihu_mqtt_directives_published_total', 'kind="replay"')) > replays,
      10_000,
      'replayed',
    );
    await sleep(300);
    expect(agent.out).toContain('1 waiting for 签收');
    expect(agent.out).not.toContain('【防汛转移】');

    agent.type('');
    await waitFor(() => agent.out.includes('签收 ✓'), 5000, 'agent acknowledged');
    await waitFor(
      async () => (await recipient(id)).state === 'acknowledged',
      10_000,
      'recipient acknowledged',
    );
    expect((await recipient(id)).acknowledgedVia).toBe('terminal');

    // updates and cancellations arrive on the notices topic and are shown
    const other = await issue('山洪预警');
    await waitFor(() => agent.out.includes('【山洪预警】'), 10_000, 'second directive');
    expect(
      (await dispatcher.post(`/api/v1/directives/${other}/updates`, { text: '转移范围扩大到下游三个村' }))
        .status,
    ).toBe(201);
    await waitFor(
      () => agent.out.includes('指令更新 UPDATE') && agent.out.includes('转移范围扩大到下游三个村'),
      10_000,
      'update shown',
    );
    expect((await dispatcher.post(`/api/v1/directives/${other}/cancel`, { reason: '雨势减弱' })).status).toBe(
      200,
    );
    await waitFor(
      () => agent.out.includes('指令已撤销 CANCELLED') && agent.out.includes('雨势减弱'),
      10_000,
      'cancel shown',
    );
    agent.type('list');
    await waitFor(
      () => agent.out.includes('nothing waiting for 签收'),
      5000,
      'cancelled directive no longer waits for 签收',
    );
  });

  it('a terminal offline while 3 directives are sent gets all 3, in order, when it returns', async () => {
    const creds = await provision(admin, town, 'offline');
    const sim = new Simulator({ url: mqttUrl, terminals: [creds], acknowledgeAfterMs: 0 });
    sims.push(sim);
    await sim.start();
    await sim.stop();
    const ids = [await issue('一'), await issue('二'), await issue('三')];
    await sleep(300);
    const back = new Simulator({ url: mqttUrl, terminals: [creds], acknowledgeAfterMs: 0 });
    sims.push(back);
    await back.start();
    await waitFor(
      () => ids.every((id) => back.arrivals.some((a) => a.directiveId === id)),
      15_000,
      '3 directives',
    );
    expect(back.arrivals.filter((a) => ids.includes(a.directiveId)).map((a) => a.directiveId)).toEqual(ids);
    await back.stop();
  });

  /** N simulated terminals; `disrupt` runs as soon as the fan-out of 3 directives has begun. */
  async function fanOutThrough(disrupt: () => Promise<void>, n = 150) {
    const t0 = Date.now();
    const mark = (what: string) =>
      process.env.YIHU_TEST_DEBUG && process.stderr.write(`${kind} +${Date.now() - t0} ms ${what}\n`);
    const creds: Credentials[] = [];
    for (let i = 0; i < n; i++) creds.push(await provision(admin, town, `sim-${i}`));
    const sim = new Simulator({ url: mqttUrl, terminals: creds, acknowledgeAfterMs: 0 });
    sims.push(sim);
    mark('provisioned');
    await sim.start();
    mark('connected');
    const begun = new Promise<void>((resolve) => sim.onArrival(() => resolve()));
    const ids = [await issue('fan-out 甲'), await issue('fan-out 乙'), await issue('fan-out 丙')];
    await begun;
    const shownBefore = sim.arrivals.length;
    mark(`fan-out begun, ${shownBefore} shown`);
    await disrupt();
    mark('disrupted');
    const debug = setInterval(
      () => mark(`${sim.arrivals.length} arrivals, ${sim.connectedCount()} connected`),
      2000,
    );
    try {
      const has = () =>
        new Set(
          sim.arrivals
            .filter((a) => ids.includes(a.directiveId))
            .map((a) => `${a.terminalId}/${a.directiveId}`),
        );
      await waitFor(() => has().size === n * 3, 60_000, 'every terminal has all 3');
    } finally {
      clearInterval(debug);
    }
    mark('all arrived');
    // shown once each: the simulator counts show() per (terminal, messageId); one message per (terminal, directive)
    const perDirective = new Map<string, number>();
    for (const a of sim.arrivals)
      if (ids.includes(a.directiveId))
        perDirective.set(
          `${a.terminalId}/${a.directiveId}`,
          (perDirective.get(`${a.terminalId}/${a.directiveId}`) ?? 0) + 1,
        );
    expect(perDirective.size).toBe(n * 3);
    expect([...perDirective.values()].every((c) => c === 1)).toBe(true);
    expect([...sim.shows.values()].every((c) => c === 1)).toBe(true);
    // each message acknowledged, once, on the hub's record; every recipient 签收 via terminal
    await waitFor(
      async () => {
        for (const c of creds) {
          const msgs = (
            (await admin.get(`/api/v1/terminals/${c.id}/messages`)).body as {
              directiveId: string;
              state: string;
            }[]
          ).filter((m) => ids.includes(m.directiveId));
          if (msgs.length !== 3 || msgs.some((m) => m.state !== 'acknowledged')) {
            mark(`${c.id}: ${JSON.stringify(msgs.map((m) => m.state))}`);
            return false;
          }
        }
        return true;
      },
      30_000,
      'every message acknowledged on the hub',
    );
    mark('all acknowledged');
    // A receipt reaches its directive after it is recorded on the message: live within
    // moments, or, when the hub was killed between the two, by the receipt sweep (its
    // first round 30 s after the restart, for receipts at least 30 s old)
    for (const id of ids)
      await waitFor(
        async () => {
          const r = await recipient(id);
          return r.state === 'acknowledged' && r.acknowledgedVia === 'terminal';
        },
        45_000,
        `recipient of ${id} acknowledged via terminal`,
      );
    mark('recipients acknowledged');
    await sim.stop();
    mark('stopped');
    return { shownBefore, total: n * 3 };
  }

  it('the broker restarted in the middle of a fan-out: nothing is lost', async () => {
    const { shownBefore, total } = await fanOutThrough(async () => {
      if (mosquitto) await mosquitto.restart();
      else {
        // the embedded broker lives in the hub: restart the hub (graceful stop) instead
        await hub.stop('SIGTERM');
        hub = await startHub(hub.env);
      }
    });
    expect(shownBefore).toBeLessThan(total);
  });

  it('the hub killed with kill -9 in the middle of a fan-out: each directive shown once and acknowledged once', async () => {
    const { shownBefore, total } = await fanOutThrough(async () => {
      await hub.stop('SIGKILL');
      hub = await startHub(hub.env);
    });
    expect(shownBefore).toBeLessThan(total);
  });
});
