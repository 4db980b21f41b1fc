// MQTT fan-out benchmark (issue 4, "Performance"). Not a test: it prints figures.
//
//   npm run bench:mqtt                     # embedded broker, then an external Mosquitto
//   npm run bench:mqtt -- embedded         # aedes inside the hub
//   npm run bench:mqtt -- mosquitto        # a Mosquitto started here on a spare port (hub on PGlite)
//   npm run bench:mqtt -- cluster          # that Mosquitto, with the hub on PostgreSQL and Redis
//                                          # (the machine's, at their default ports) as in cluster mode
//   BENCH_TERMINALS=2000 npm run bench:mqtt
//   BENCH_BASELINE=skip npm run bench:mqtt -- embedded   # the hub only, for quick comparisons (no ratio)
//   YIHU_TRACE=1 ...                       # also the hub's fan-out timeline (libs/platform/src/logging/fanout-trace.ts)
//
// Setup: 10,000 terminals provisioned in one township, all connected at once through the
// packet-level load simulator (gateways/push-terminal/src/wire-simulator.ts; BENCH_SIMULATOR=agents
// for full mqtt.js agents), which acks `received` and then 签收 at once, and one directive
// (POST /api/v1/directives) to them. Also printed: the hub's write calls per terminal and its
// CPU by thread.
// Measured: issue → shown on the device (simulator clock), issue → `acknowledged` recorded
// by the hub (terminal_messages.acknowledged_at, read from the database afterwards), acks
// per second, and the broker process's resident memory per connected terminal (read after
// full GCs, from the first terminal connected to all of them: see connectFirst; the hub's
// young generation, a fixed size however many terminals, is printed apart).
// Baseline in the same run: one bare mqtt.js publisher sends the same payload to the same
// 10,000 simulated subscribers (through a bare aedes, or through the same Mosquitto with
// the hub stopped), timed to their `acknowledged` ack arriving back at the publisher.
import { spawn, fork } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Simulator } from '../dist/gateways/push-terminal/src/simulator.js';
import { WireSimulator } from '../dist/gateways/push-terminal/src/wire-simulator.js';
import { mosquittoConf } from '../dist/apps/mqtt-bridge/src/broker/mosquitto-config.js';
import { api } from './http.mjs';
import { APP_NODE_FLAGS, freePort, profileArgs, ROOT, sleep, startHub as startHubProcess } from './hub.mjs';
import { createDatabase } from './postgres.mjs';

const N = Number(process.env.BENCH_TERMINALS ?? 10_000);
// `wire` (default): terminals at the packet level (WireSimulator); `agents`: a full
// TerminalAgent with mqtt.js per terminal, which costs the shared two cores ~3x the CPU
const SIMULATOR = process.env.BENCH_SIMULATOR ?? 'wire';
if (!['wire', 'agents'].includes(SIMULATOR))
  throw new Error(`BENCH_SIMULATOR is wire or agents, not ${SIMULATOR}`);
const simulate = (url, terminals, connectConcurrency) =>
  SIMULATOR === 'agents'
    ? new Simulator({ url, terminals, acknowledgeAfterMs: 0, connectConcurrency })
    : new WireSimulator({ url, terminals, acknowledge: true, connectConcurrency });
const MODES = ['embedded', 'mosquitto', 'cluster'];
const modes = process.argv.slice(2).filter((a) => MODES.includes(a));
const run = modes.length ? modes : MODES;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TITLES = {
  embedded: 'embedded broker (aedes in the hub process), PGlite',
  mosquitto: 'external Mosquitto 2.0 (started here), PGlite',
  cluster: 'external Mosquitto 2.0 (started here), PostgreSQL 15 and Redis 7 (cluster mode)',
};
const BRIDGE_PASSWORD = 'bench-bridge-password-0123456789';

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const ms = (v) => `${Math.round(v)} ms`;
// write(2)/writev(2) calls of a process so far: one per packet unless packets share a write
const writeCalls = (pid) =>
  Number(/syscw:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
// CPU seconds per thread of a process, by thread name (/proc, 100 Hz ticks): the main
// thread, PGlite's worker, V8's GC helpers and libuv's pool
function cpuOf(pid) {
  const threads = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name =
        tid === String(pid) ? 'main' : `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}/${tid}`;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads[name] = (threads[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return threads;
}
const cpuDelta = (a, b) =>
  Object.fromEntries(
    Object.entries(b)
      .map(([name, s]) => [name, s - (a[name] ?? 0)])
      .filter(([, s]) => s >= 0.01),
  );
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
// Node processes run with bench/gc-probe.mjs: full GCs first, so the figure is what stays
// referenced, not the garbage of whatever burst came last (Mosquitto has no GC: read as is)
const GC_PROBE = ['--expose-gc', '--import', join(ROOT, 'bench/gc-probe.mjs')];
const lastProbe = (out) => JSON.parse([...out.matchAll(/^gc-probe (.*)$/gm)].at(-1)?.[1] ?? '{}');
async function settledRssKb(pid, node) {
  if (node) {
    process.kill(pid, 'SIGUSR2');
    await sleep(1500);
  }
  return rssKb(pid);
}

async function waitPort(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => {
      const s = createConnection(port, '127.0.0.1', () => (s.end(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

// polls every 50 ms: a poll costs the processes being measured (the hub answers an HTTP
// GET, the simulator scans its arrivals), and the figures come from recorded timestamps
async function until(check, what, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let currentHub;
process.on('uncaughtException', (err) => {
  console.error(err);
  if (currentHub) console.error(`--- hub output (tail) ---\n${currentHub.output().slice(-4000)}`);
  process.exit(1);
});

async function startHub(env) {
  // the GC probe reports heap figures on SIGUSR2 (settledRssKb)
  const hub = await startHubProcess(
    {
      BENCH_GC_PROBE_REPORT: '1',
      ...(process.env.BENCH_HEAPSNAPSHOT ? { BENCH_HEAPSNAPSHOT: process.env.BENCH_HEAPSNAPSHOT } : {}),
      ...(process.env.YIHU_TRACE ? { YIHU_TRACE: process.env.YIHU_TRACE } : {}),
      ...env,
    },
    { nodeArgs: GC_PROBE },
  );
  return (currentHub = hub);
}

/** The hub's database, opened from outside while the hub is stopped (PGlite) or not (PostgreSQL). */
async function openDb(target) {
  if (target.url) {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    return { query: (sql, params) => client.query(sql, params), close: () => client.end() };
  }
  const db = await PGlite.create(join(target.dataDir, 'pgdata'));
  return { query: (sql, params) => db.query(sql, params), close: () => db.close() };
}

/** N terminals in one site, written straight into the database (secrets hashed as the hub does: Mosquitto's $6$). */
async function seedTerminals(target, siteId) {
  const terminals = Array.from({ length: N }, () => ({
    id: `t${randomBytes(10).toString('hex')}`,
    secret: randomBytes(24).toString('base64url'),
  }));
  const hash = (secret) => {
    const salt = randomBytes(12);
    return `$6$${salt.toString('base64')}$${createHash('sha512').update(secret).update(salt).digest('base64')}`;
  };
  const db = await openDb(target);
  await db.query(
    `INSERT INTO terminals (id, name, site_id, kind, secret_hash)
     SELECT id, 'bench ' || n, $3, 'push', h FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(id, h, n)`,
    [terminals.map((t) => t.id), terminals.map((t) => hash(t.secret)), siteId],
  );
  await db.close();
  return terminals;
}

async function startMosquitto(dir, port) {
  const conf = join(dir, 'mosquitto.conf');
  // 10,000 devices and the bridge: no connection limit on this listener (ulimit -n is raised below)
  writeFileSync(
    conf,
    `${mosquittoConf({ port, host: '127.0.0.1', authDir: dir, user: process.getuid?.() === 0 ? 'root' : undefined })}max_connections -1\n`,
  );
  const child = spawn(
    'sh',
    [
      '-c',
      `ulimit -n ${Math.max(N * 2 + 100, 4096)} 2>/dev/null || ulimit -n $(ulimit -Hn); exec mosquitto -c ${conf}`,
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(join(dir, 'mosquitto.pid'), String(child.pid));
  await waitPort(port);
  return { pid: child.pid, stop: () => child.kill('SIGTERM') };
}

/**
 * Every terminal through the simulator, terminals[0] first on its own: memory is read
 * (rss0) after it, so one-off costs of a broker's first client (mqtt-packet fills a cache
 * of 65,536 encoded numbers on its first write, about 6 MB) are not charged per terminal.
 * The baseline's broker already paid them for its publisher's connection before its rss0.
 */
async function connectFirst(url, terminals) {
  const first = simulate(url, terminals.slice(0, 1), 1);
  await first.start();
  return {
    first,
    rest: undefined,
    async connectRest() {
      this.rest = simulate(url, terminals.slice(1), 100);
      await this.rest.start();
    },
    /** a wire terminal has no reconnect: a link lost mid-run voids the figures */
    check() {
      first.check?.();
      this.rest?.check?.();
    },
    arrivals(directiveId) {
      return [...first.arrivals, ...(this.rest?.arrivals ?? [])].filter((a) => a.directiveId === directiveId);
    },
    async stop() {
      await Promise.all([first.stop(), this.rest?.stop()]);
    },
  };
}

async function runHub(mode) {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-bench-mqtt-'));
  const dataDir = join(dir, 'data');
  const mqttPort = await freePort();
  const env = { DATA_DIR: dataDir, MQTT_HOST: '127.0.0.1' };
  if (mode === 'embedded') env.MQTT_PORT = String(mqttPort);
  else
    Object.assign(env, {
      MQTT_PORT: String(await freePort()),
      MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      MQTT_PASSWORD: BRIDGE_PASSWORD,
      MOSQUITTO_AUTH_DIR: dir,
      MOSQUITTO_PID_FILE: join(dir, 'mosquitto.pid'),
    });
  const database = mode === 'cluster' ? await createDatabase() : undefined;
  if (database)
    Object.assign(env, {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: `bench${randomBytes(4).toString('hex')}`,
      JWT_SECRET: randomBytes(32).toString('hex'),
      AUDIT_KEY: randomBytes(32).toString('hex'),
    });
  const dbTarget = database ? { url: database.url } : { dataDir };
  let hub = await startHub(env);
  const token = (
    await api(hub.base, 'POST', '/api/v1/auth/login', null, {
      username: 'admin',
      password: 'admin-password-1',
    })
  ).accessToken;
  const rootId = (await api(hub.base, 'GET', '/api/v1/auth/me', token)).siteId;
  const site = (
    await api(hub.base, 'POST', '/api/v1/sites', token, {
      name: '一呼百应测试镇',
      kind: 'township',
      parentId: rootId,
    })
  ).id;
  await hub.stop();
  const terminals = await seedTerminals(dbTarget, site);
  hub = await startHub(env);
  const mosquitto = mode === 'embedded' ? undefined : await startMosquitto(dir, mqttPort);
  const brokerPid = mosquitto?.pid ?? hub.pid;
  const url = `mqtt://127.0.0.1:${mqttPort}`;
  const sim = await connectFirst(url, terminals);
  await sleep(2000);
  const rss0 = { broker: await settledRssKb(brokerPid, !mosquitto), hub: await settledRssKb(hub.pid, true) };
  const heap0 = lastProbe(hub.output());

  const c0 = Date.now();
  await sim.connectRest();
  const connectMs = Date.now() - c0;
  await sleep(5000); // presence batches settle
  const rss1 = { broker: await settledRssKb(brokerPid, !mosquitto), hub: await settledRssKb(hub.pid, true) };
  const heap1 = lastProbe(hub.output());

  const load = loadavg()[0];
  const writes0 = writeCalls(hub.pid);
  const cpu0 = cpuOf(hub.pid);
  const simCpu0 = process.cpuUsage();
  const issueAt = Date.now();
  const directive = await api(hub.base, 'POST', '/api/v1/directives', token, {
    title: '防汛紧急转移',
    body: '请立即组织低洼地区群众转移到安全地带，并于30分钟内反馈。',
    level: 'red',
    targets: { siteIds: [site] },
    ackWithinSeconds: 3600,
  });
  await until(() => sim.arrivals(directive.id).length >= N, 'every terminal shows the directive');
  const shown = sim.arrivals(directive.id).map((a) => a.at - issueAt);
  // acks are recorded in batches: wait until the hub has them all, then read the record
  await until(async () => {
    const d = await api(hub.base, 'GET', `/api/v1/directives/${directive.id}`, token);
    return d.recipients[0].state === 'acknowledged';
  }, 'recipient acknowledged');
  await sleep(3000);
  // issue to 3 s after the last arrival: the fan-out, its acks, and a few idle sweeps
  const writes = writeCalls(hub.pid) - writes0;
  const cpu1 = cpuOf(hub.pid);
  const cpu = cpuDelta(cpu0, cpu1);
  const simCpu = process.cpuUsage(simCpu0);
  const recipient = (await api(hub.base, 'GET', `/api/v1/directives/${directive.id}`, token)).recipients[0];
  sim.check();
  await sim.stop();
  await hub.stop();
  // YIHU_TRACE=1: the hub's fan-out steps (libs/platform/src/logging/fanout-trace.ts), from the issue
  for (const [, at, step] of hub.output().matchAll(/^yihu-trace (\d+) (.*)$/gm))
    console.log(`trace ${String(Number(at) - issueAt).padStart(6)} ms  ${step}`);
  const db = await openDb(dbTarget);
  const rows = (
    await db.query(
      `SELECT extract(epoch FROM acknowledged_at) * 1000 AS ack, send_count FROM terminal_messages WHERE directive_id = $1`,
      [directive.id],
    )
  ).rows;
  await db.close();
  await database?.drop();
  const acked = rows.filter((r) => r.ack !== null).map((r) => Number(r.ack) - issueAt);
  const sends = rows.reduce((s, r) => s + r.send_count, 0);
  return {
    mode,
    dir,
    url,
    terminals,
    mosquitto,
    heapKb: (heap1.heapUsed - heap0.heapUsed) / 1024 / (N - 1),
    externalKb: (heap1.external - heap0.external) / 1024 / (N - 1),
    youngMb: (heap1.young - heap0.young) / 1024 / 1024,
    connectMs,
    load,
    shown,
    acked,
    sends,
    recipient,
    writes,
    cpu,
    simCpuS: (simCpu.user + simCpu.system) / 1e6,
    rss0,
    rss1,
    issueAt,
  };
}

async function runBaseline(hubRun) {
  const { mode, terminals } = hubRun;
  const brokerPort = mode === 'embedded' ? await freePort() : 0;
  const url = mode === 'embedded' ? `mqtt://127.0.0.1:${brokerPort}` : hubRun.url;
  const child = fork(join(ROOT, 'bench/mqtt-baseline.mjs'), [], {
    env: {
      ...process.env,
      BASELINE_URL: url,
      BASELINE_BROKER_PORT: String(brokerPort),
      BENCH_GC_PROBE_REPORT: '1',
      ...(mode !== 'embedded'
        ? { BASELINE_USERNAME: 'yihu-bridge', BASELINE_PASSWORD: BRIDGE_PASSWORD }
        : {}),
    },
    // BENCH_PROFILE profiles the baseline's broker too, for comparison with the hub's
    // the hub's own node flags: the ratio is the hub's work against aedes', not a GC setting's
    execArgv: [...APP_NODE_FLAGS, ...GC_PROBE, ...profileArgs],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  // its GC probe's figures (young generation) come on stderr; the rest is passed on
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    const text = String(d).replace(/^gc-probe .*\n/gm, '');
    if (text) process.stderr.write(text);
  });
  const messages = [];
  child.on('message', (m) => messages.push(m));
  await until(() => messages.some((m) => m.ready), 'baseline publisher ready', 20_000);
  const brokerPid = mode === 'embedded' ? child.pid : hubRun.mosquitto.pid;
  const sim = await connectFirst(url, terminals);
  await sleep(1000);
  const rss0 = await settledRssKb(brokerPid, mode === 'embedded');
  const young0 = lastProbe(stderr).young ?? 0;
  await sim.connectRest();
  await sleep(3000);
  const rss1 = await settledRssKb(brokerPid, mode === 'embedded');
  const youngMb = ((lastProbe(stderr).young ?? 0) - young0) / 1024 / 1024;
  const payload = {
    directiveId: randomUUID(),
    serial: 'BENCH-1',
    title: '防汛紧急转移',
    body: '请立即组织低洼地区群众转移到安全地带，并于30分钟内反馈。',
    level: 'red',
    issuedAt: new Date().toISOString(),
    expiresAt: null,
    drill: false,
  };
  const writes0 = writeCalls(brokerPid);
  child.send({ cmd: 'publish', ids: terminals.map((t) => t.id), payload });
  await until(() => messages.some((m) => m.acks), 'baseline acks');
  const writes = writeCalls(brokerPid) - writes0;
  const { started, acks } = messages.find((m) => m.acks);
  const shown = sim.arrivals(payload.directiveId).map((a) => a.at - started);
  sim.check();
  await sim.stop();
  child.kill('SIGTERM');
  return { shown, acked: acks, rss0, rss1, youngMb, writes };
}

process.on('unhandledRejection', (err) => {
  throw err;
});
for (const mode of run) {
  console.log(
    `\n== ${TITLES[mode]}: ${N} terminals (${SIMULATOR === 'wire' ? 'packet-level simulator' : 'agent simulator'}) ==`,
  );
  const h = await runHub(mode);
  const b = process.env.BENCH_BASELINE === 'skip' ? undefined : await runBaseline(h);
  h.mosquitto?.stop();
  const span = (xs) => Math.max(...xs) - Math.min(...xs);
  const perTerminal = (r0, r1) => (r1 - r0) / (N - 1);
  const hubAck99 = pct(h.acked, 99);
  const baseAck99 = b ? pct(b.acked, 99) : NaN;
  console.log(
    `load average ${h.load.toFixed(2)} (1 min) on ${cpus().length} cores; ${N} terminals connected in ${(h.connectMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `hub:      issue → first shown ${ms(Math.min(...h.shown))}, first ack recorded ${ms(Math.min(...h.acked))}`,
  );
  console.log(
    `hub:      issue → shown on device p50 ${ms(pct(h.shown, 50))}  p99 ${ms(pct(h.shown, 99))} | issue → ack recorded p50 ${ms(pct(h.acked, 50))}  p99 ${ms(hubAck99)} | ${h.acked.length} acks recorded, ${Math.round(h.acked.length / (span(h.acked) / 1000))} acks/s | ${h.sends} sends | ${(h.writes / N).toFixed(1)} write calls per terminal `,
  );
  if (b)
    console.log(
      `baseline: publish → shown on device p50 ${ms(pct(b.shown, 50))}  p99 ${ms(pct(b.shown, 99))} | publish → ack at publisher p50 ${ms(pct(b.acked, 50))}  p99 ${ms(baseAck99)} | ${Math.round(b.acked.length / (span(b.acked) / 1000))} acks/s | broker ${(b.writes / N).toFixed(1)} write calls per terminal`,
    );
  console.log(
    `ratio p99 ack hub/baseline: ${(hubAck99 / baseAck99).toFixed(2)}x (goal ≤ 2x; p99 ≤ 2000 ms: ${hubAck99 <= 2000 ? 'met' : 'MISSED'})`,
  );
  const cpuTotal = Object.values(h.cpu).reduce((a, b) => a + b, 0);
  console.log(
    `hub CPU, issue to 3 s after the last ack: ${cpuTotal.toFixed(2)} s (${Object.entries(h.cpu)
      .sort((a, b) => b[1] - a[1])
      .map(([name, s]) => `${name} ${s.toFixed(2)}`)
      .join(', ')}); the simulated terminals (this process) ${h.simCpuS.toFixed(2)} s`,
  );
  const brokerName = mode === 'embedded' ? 'hub process (bridge + aedes)' : 'mosquitto';
  // The hub's young generation grows with the traffic up to twice --max-semi-space-size
  // (package.json config.nodeFlags), the same at 10 or 10,000 terminals: a fixed cost,
  // printed apart and taken out of the hub's per-terminal figure.
  const youngKb = (h.youngMb * 1024) / (N - 1);
  // a process whose young generation was already resident reads a little below zero
  const kb = (v) => (v < 0.05 ? '< 0.1' : v.toFixed(1));
  const hubKb = perTerminal(h.rss0.hub, h.rss1.hub) - youngKb;
  const brokerKb = perTerminal(h.rss0.broker, h.rss1.broker) - (mode === 'embedded' ? youngKb : 0);
  console.log(
    `memory per connected terminal: ${brokerName} ${kb(brokerKb)} KB (goal ≤ 20 KB)${mode !== 'embedded' ? `, hub ${kb(hubKb)} KB` : ''}; hub's young generation grew ${h.youngMb.toFixed(0)} MB besides (fixed, at most 2 × --max-semi-space-size: ${youngKb.toFixed(1)} KB per terminal if counted); hub JS heap after GC ${h.heapKb.toFixed(1)} KB, buffers/WASM ${h.externalKb.toFixed(1)} KB; baseline ${!b ? 'skipped' : mode === 'embedded' ? `bare aedes ${(perTerminal(b.rss0, b.rss1) - (b.youngMb * 1024) / (N - 1)).toFixed(1)} KB (its young generation grew ${b.youngMb.toFixed(0)} MB besides)` : 'n/a (the same Mosquitto, its sessions already allocated)'}`,
  );
  console.log(`recipient: ${h.recipient.state} via ${h.recipient.acknowledgedVia}`);
}
process.exit(0);
