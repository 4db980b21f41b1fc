// Chaos harness (issue 20 part 1): `npm run chaos`. Not a test by itself: it prints figures
// and exits non-zero on any invariant violation. Method and figures: docs/reliability.md.
//
//   CHAOS_MINUTES (10)  CHAOS_TERMINALS (2000)  CHAOS_CONSOLES (500: one duty site each)
//   CHAOS_RATE (12 directives a minute)  CHAOS_SEED (random; printed)  CHAOS_FAULT_EVERY_S (30)
//   CHAOS_SITES_PER_DIRECTIVE (5)  CHAOS_SETTLE_S (240: the longest wait for eventual truth)
//   CHAOS_KEEP=1 keeps the run directory (logs of every process, histories)
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { api } from '../http.mjs';
import { freePort, sleep } from '../hub.mjs';
import { clusterApps } from './apps.mjs';
import { faultRunner } from './faults.mjs';
import { checkInvariants, INVARIANTS } from './invariants.mjs';
import { ipc, pick, rng } from './random.mjs';
import { seed as seedData } from './seed.mjs';
import { startMosquitto, startPostgres, startRedis } from './services.mjs';
import { printReport } from './report.mjs';

const env = (name, def) => Number(process.env[name] ?? def);
const cfg = {
  minutes: env('CHAOS_MINUTES', 10),
  terminals: env('CHAOS_TERMINALS', 2000),
  consoles: env('CHAOS_CONSOLES', 500),
  rate: env('CHAOS_RATE', 12),
  seed: env('CHAOS_SEED', randomBytes(4).readUInt32BE(0)),
  faultEveryMs: env('CHAOS_FAULT_EVERY_S', 30) * 1000,
  sitesPerDirective: env('CHAOS_SITES_PER_DIRECTIVE', 5),
  settleMs: env('CHAOS_SETTLE_S', 240) * 1000,
  expirySlackMs: env('CHAOS_EXPIRY_SLACK_MS', 2000),
  /** share of directives with an expiry 30–90 s ahead */
  expiringShare: env('CHAOS_EXPIRING_SHARE', 0.3),
};
const t0 = Date.now();
const log = (m) => console.log(`[chaos +${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);
log(`seed ${cfg.seed} (CHAOS_SEED=${cfg.seed} replays the schedule)`);
const random = rng(cfg.seed);
const dir = mkdtempSync(join(tmpdir(), 'yihu-chaos-'));
const cleanup = [];

async function main() {
  const [pgPort, redisPort, mqttPort] = [await freePort(), await freePort(), await freePort()];
  const postgres = await startPostgres(dir, pgPort);
  cleanup.push(() => postgres.stop());
  const redis = await startRedis(dir, redisPort);
  cleanup.push(() => redis.stop());
  const secrets = { jwt: randomBytes(32).toString('hex'), audit: randomBytes(32).toString('hex') };
  const mqtt = { url: `mqtt://127.0.0.1:${mqttPort}`, pidFile: join(dir, 'mosquitto.pid') };
  const apps = await clusterApps({ dir, dbUrl: postgres.url, redisUrl: redis.url, mqtt, secrets });
  cleanup.push(() => Promise.all(apps.map((a) => a.stop())));
  const dispatch = apps.filter((a) => a.app === 'dispatch');
  // the first dispatch runs the migrations and the admin bootstrap; the seed goes in before
  // the bridges start, so the passwd they write for Mosquitto holds every terminal
  await dispatch[0].start();
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  const data = await seedData(db, { sites: cfg.consoles, terminals: cfg.terminals, jwtSecret: secrets.jwt });
  await db.end();
  await Promise.all(apps.slice(1).map((a) => a.start()));
  const mosquitto = await startMosquitto(dir, mqttPort, cfg.terminals);
  cleanup.push(() => mosquitto.stop());
  log(
    `cluster up: ${apps.map((a) => a.name).join(', ')}; PostgreSQL :${pgPort}, Redis :${redisPort}, Mosquitto :${mqttPort}`,
  );

  const procs = Math.max(1, Math.min(4, Math.ceil(cfg.terminals / 2500)));
  const workers = [];
  for (let i = 0; i < procs; i++) {
    const child = fork(new URL('./terminal-worker.mjs', import.meta.url), { stdio: 'inherit' });
    workers.push({ child, call: ipc(child), file: join(dir, `terminals-${i}.jsonl`) });
  }
  await Promise.all(
    workers.map((w, i) =>
      w.call({
        cmd: 'start',
        url: mosquitto.url,
        file: w.file,
        seed: cfg.seed + i + 1,
        terminals: data.terminals.filter((_, j) => j % procs === i),
        ackProbability: 0.05,
        ackDelayMs: 20_000,
      }),
    ),
  );
  const consoleChild = fork(new URL('./console-worker.mjs', import.meta.url), { stdio: 'inherit' });
  const consoles = { child: consoleChild, call: ipc(consoleChild), file: join(dir, 'consoles.jsonl') };
  await consoles.call({
    cmd: 'start',
    file: consoles.file,
    seed: cfg.seed + 99,
    urls: dispatch.map((d) => d.baseUrl),
    consoles: data.consoles,
    ackProbability: 0.5,
    ackDelayMs: 30_000,
  });
  const connected = async () => {
    const t = (await Promise.all(workers.map((w) => w.call({ cmd: 'status' })))).reduce(
      (n, r) => n + r.connected,
      0,
    );
    const c = (await consoles.call({ cmd: 'status' })).connected;
    return { t, c };
  };
  for (let i = 0; ; i++) {
    const { t, c } = await connected();
    if (t === cfg.terminals && c === cfg.consoles) break;
    if (i % 20 === 0) log(`connecting: ${t}/${cfg.terminals} terminals, ${c}/${cfg.consoles} consoles`);
    if (i > 600) throw new Error('terminals or consoles did not all connect');
    await sleep(500);
  }
  await sleep(5000); // presence settles: the bridges mark the terminals online
  log(`${cfg.terminals} terminals in ${procs} processes and ${cfg.consoles} consoles connected`);

  const admin = (
    await api(dispatch[0].baseUrl, 'POST', '/api/v1/auth/login', null, {
      username: 'admin',
      password: 'admin-password-1',
    })
  ).accessToken;
  const faults = faultRunner({
    random: rng(cfg.seed ^ 0x5eed),
    apps,
    redis,
    mosquitto,
    postgres,
    log,
    dropTerminals: async (fraction, outageMs) =>
      (await Promise.all(workers.map((w) => w.call({ cmd: 'drop', fraction, outageMs })))).reduce(
        (n, r) => n + r.dropped,
        0,
      ),
  });
  const issueStart = Date.now();
  const until = issueStart + cfg.minutes * 60_000;
  const accepted = [];
  const refused = { total: 0, byStatus: {}, answers: [] };
  let faultsDone = false;
  const issuing = (async () => {
    const every = 60_000 / cfg.rate;
    // directives keep coming until the last fault healed (every kind runs at least once)
    for (let next = Date.now(); Date.now() < until || !faultsDone; next += every) {
      await sleep(Math.max(0, next - Date.now()));
      void issueOne(dispatch, admin, data.sites, accepted, refused);
    }
  })();
  const faulting = faults.run(until, cfg.faultEveryMs).finally(() => (faultsDone = true));
  await issuing;
  await faulting;
  await sleep(2000); // the last issue requests answer
  log(
    `issued for ${((Date.now() - issueStart) / 60_000).toFixed(1)} min: ${accepted.length} accepted, ${refused.total} not accepted; settling`,
  );

  // eventual truth: every process running, every terminal back, then the invariants until
  // they hold or the settle time is up
  for (const a of apps) if (a.child?.exitCode !== null) await a.start();
  const readHistory = () =>
    [...workers.map((w) => w.file), consoles.file]
      .filter((f) => existsSync(f))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      );
  const check = new pg.Client({ connectionString: postgres.url });
  await check.connect();
  const query = async (sql, params) => (await check.query(sql, params)).rows;
  const verifyAudit = () =>
    api(dispatch[1].baseUrl, 'GET', '/api/v1/audit/verify', admin).catch((e) => ({
      ok: false,
      error: e.message,
    }));
  const settleUntil = Date.now() + cfg.settleMs;
  let result;
  for (;;) {
    await sleep(10_000);
    await connected();
    result = await checkInvariants({
      query,
      history: readHistory(),
      accepted,
      terminals: data.terminals,
      verifyAudit,
      expirySlackMs: cfg.expirySlackMs,
      now: Date.now(),
    });
    const open = Object.entries(result.violations).filter(([, xs]) => xs.length);
    if (!open.length || Date.now() > settleUntil) break;
    log(`settling: ${open.map(([k, xs]) => `${k} ${xs.length}`).join(', ')}`);
  }
  await check.end();
  await Promise.all([...workers.map((w) => w.call({ cmd: 'stop' })), consoles.call({ cmd: 'stop' })]);
  const total = printReport({
    cfg,
    accepted,
    refused,
    faults,
    result,
    history: readHistory(),
    invariants: INVARIANTS,
    dir,
  });
  return total;
}

async function issueOne(dispatch, token, sites, accepted, refused) {
  const n = 1 + Math.floor(random() * cfg.sitesPerDirective * 2 - 1);
  const targets = Array.from({ length: Math.max(1, n) }, () => pick(random, sites));
  const expiring = random() < cfg.expiringShare;
  const body = {
    title: `混沌演练 ${accepted.length + 1}`,
    body: '故障注入期间的指令',
    level: pick(random, ['red', 'orange', 'yellow', 'blue']),
    targets: { siteIds: [...new Set(targets)] },
    ackWithinSeconds: 20 + Math.floor(random() * 60),
    drill: true,
    ...(expiring ? { expiresAt: new Date(Date.now() + 30_000 + random() * 60_000).toISOString() } : {}),
  };
  const order = random() < 0.5 ? dispatch : [...dispatch].reverse();
  for (const d of order) {
    const at = Date.now();
    try {
      const res = await fetch(`${d.baseUrl}/api/v1/directives`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      if (res.status === 201) {
        accepted.push({ id: (await res.json()).id, at, sites: body.targets.siteIds });
        return;
      }
      refused.byStatus[res.status] = (refused.byStatus[res.status] ?? 0) + 1;
      refused.answers.push({ status: res.status, at, error: (await res.text()).slice(0, 200) });
    } catch {
      refused.byStatus.network = (refused.byStatus.network ?? 0) + 1;
    }
  }
  refused.total += 1;
}

let code = 1;
try {
  code = (await main()) > 0 ? 1 : 0;
} catch (err) {
  console.error(err);
  console.error(`run directory (logs): ${dir}`);
}
for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
if (!process.env.CHAOS_KEEP && code === 0) rmSync(dir, { recursive: true, force: true });
else console.log(`run directory kept: ${dir}`);
process.exit(code);
