// 查岗 spot-check benchmark (issue 17, "Performance"). Not a test: it prints figures.
//
//   npm run bench:duty                 # both modes
//   npm run bench:duty -- cluster      # real PostgreSQL + Redis (BullMQ, Redis adapter)
//   npm run bench:duty -- embedded     # PGlite in the hub process, jobs table
//   YIHU_TRACE=1 npm run bench:duty    # also the hub's timeline of the check (start, answer batches), from the check
//
// Setup: 2,000 township sites, one duty officer each, 2,000 socket.io-client consoles that
// answer 在岗 (`spotcheck.answer`) the moment the `spotcheck` alarm arrives; one console
// spot check sampling all 2,000 townships. Measured: check → answer recorded (the answer's
// ack, which comes after the commit), p50 and p99, and the server's own latencyMs.
// Baseline in the same run: the same 2,000 emits from a bare socket.io server.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { api } from './http.mjs';
import { freePort, sleep, startHub } from './hub.mjs';
import { createDatabase } from './postgres.mjs';

const N = Number(process.env.BENCH_SITES ?? 2000);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const modes = process.argv.slice(2).filter((a) => a === 'cluster' || a === 'embedded');
const run = modes.length ? modes : ['cluster', 'embedded'];

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const ms = (v) => `${v.toFixed(1)} ms`;
const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
function signJwt(claims, secret) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ ...claims, iat: now, exp: now + 3600 })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** N township sites and one duty officer each, written straight into the database. */
async function seed(query, rootId) {
  const [{ path: rootPath }] = await query('SELECT path FROM sites WHERE id = $1', [rootId]);
  const sites = Array.from({ length: N }, (_, i) => ({ id: randomUUID(), user: randomUUID(), i }));
  await query(
    `INSERT INTO sites (id, name, kind, parent_id, path) SELECT id, '乡镇' || n, 'township', $2, $3 || id || '/'
     FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [sites.map((s) => s.id), rootId, rootPath],
  );
  await query(
    `INSERT INTO users (id, username, password_hash, role, site_id)
     SELECT u, 'bench-' || n, 'scrypt$unusable', 'duty_officer', s FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS t(u, s, n)`,
    [sites.map((s) => s.user), sites.map((s) => s.id)],
  );
  return sites;
}

async function connectAll(url, tokens, onAlarm) {
  const sockets = [];
  for (let i = 0; i < tokens.length; i += 100) {
    const batch = tokens.slice(i, i + 100).map(
      (token, j) =>
        new Promise((resolve, reject) => {
          const s = io(url, {
            auth: { token },
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
          });
          s.on('spotcheck', (payload) => onAlarm(i + j, s, payload));
          s.once('connect', () => resolve(s));
          s.once('connect_error', reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

async function benchHub(mode) {
  const dataDir = mkdtempSync(join(tmpdir(), 'yihu-bench-duty-'));
  const env = {
    DATA_DIR: dataDir,
    ...(process.env.YIHU_TRACE ? { YIHU_TRACE: process.env.YIHU_TRACE } : {}),
  };
  const database = mode === 'cluster' ? await createDatabase() : undefined;
  if (database) {
    Object.assign(env, {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_PREFIX: `bd${randomBytes(3).toString('hex')}`,
      JWT_SECRET: randomBytes(32).toString('hex'),
      AUDIT_KEY: randomBytes(32).toString('hex'),
    });
  }
  let hub = await startHub(env);
  const login = async () =>
    (
      await api(hub.base, 'POST', '/api/v1/auth/login', null, {
        username: 'admin',
        password: 'admin-password-1',
      })
    ).accessToken;
  const rootId = (await api(hub.base, 'GET', '/api/v1/auth/me', await login())).siteId;
  let sites;
  if (mode === 'cluster') {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    sites = await seed(async (q, p) => (await client.query(q, p)).rows, rootId);
    await client.end();
  } else {
    // PGlite serves one process: stop the hub, seed the data dir directly, start again
    await hub.stop();
    const db = await PGlite.create(join(dataDir, 'pgdata'));
    sites = await seed(async (q, p) => (await db.query(q, p)).rows, rootId);
    await db.close();
    hub = await startHub(env);
  }
  const secret = env.JWT_SECRET ?? readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim();
  const tokens = sites.map((s) =>
    signJwt({ sub: s.user, username: `bench-${s.i}`, role: 'duty_officer', siteId: s.id }, secret),
  );
  const adminToken = await login();

  let t0 = 0;
  let checkId = null;
  const alarmed = new Array(N).fill(NaN);
  const recorded = new Array(N).fill(NaN);
  let done = 0;
  let refused = 0;
  let finish;
  const allAnswered = new Promise((r) => (finish = r));
  const t = Date.now();
  const sockets = await connectAll(hub.base, tokens, (i, s, payload) => {
    if (checkId !== null && payload.checkId !== checkId) return;
    alarmed[i] = performance.now() - t0;
    s.emit('spotcheck.answer', { checkId: payload.checkId }, (res) => {
      if (!res?.ok || res.duplicate) {
        if (refused++ < 3) console.error('answer refused or repeated', res);
      }
      recorded[i] = performance.now() - t0;
      if (++done === N) finish();
    });
  });
  const connectMs = Date.now() - t;
  await sleep(1000);

  t0 = performance.now();
  const epoch0 = Date.now();
  const started = await api(hub.base, 'POST', '/api/v1/spot-checks', adminToken, {
    sample: { count: N },
    windowSeconds: 3600,
    channels: ['console'],
    drill: true,
  });
  checkId = started.id;
  const startMs = performance.now() - t0;
  await Promise.race([allAnswered, sleep(120_000)]);
  await sleep(500);
  const view = await api(hub.base, 'GET', `/api/v1/spot-checks/${checkId}`, adminToken);
  const serverLatency = view.targets.filter((x) => x.state === 'answered').map((x) => x.latencyMs);
  for (const s of sockets) s.disconnect();
  // YIHU_TRACE=1: the hub's steps (libs/platform/src/logging/fanout-trace.ts), ms from the check
  const timeline = hub
    .output()
    .split('\n')
    .map((line) => /^yihu-trace (\d+) (.*)$/.exec(line))
    .filter((m) => m && Number(m[1]) >= epoch0)
    .map((m) => `  +${Number(m[1]) - epoch0} ms ${m[2]}`);
  await hub.stop();
  await database?.drop();
  const fin = (xs) => xs.filter(Number.isFinite);
  return {
    connectMs,
    startMs,
    targets: started.targets.length,
    alarmed: { n: fin(alarmed).length, p50: pct(fin(alarmed), 50), p99: pct(fin(alarmed), 99) },
    recorded: { n: done, p50: pct(fin(recorded), 50), p99: pct(fin(recorded), 99) },
    refused,
    server: { n: serverLatency.length, p99: pct(serverLatency, 99) },
    timeline,
  };
}

/** The same N emits from a bare socket.io server, one room per console. */
async function benchBareSocketIo() {
  const http = createServer();
  const ioServer = new Server(http);
  ioServer.on('connection', (s) => s.join(`site:${s.handshake.auth.i}`));
  const port = await freePort();
  await new Promise((r) => http.listen(port, '127.0.0.1', r));
  const got = new Array(N).fill(NaN);
  let t0 = 0;
  let n = 0;
  let finish;
  const all = new Promise((r) => (finish = r));
  const sockets = [];
  for (let i = 0; i < N; i += 100) {
    sockets.push(
      ...(await Promise.all(
        Array.from(
          { length: Math.min(100, N - i) },
          (_, j) =>
            new Promise((resolve) => {
              const s = io(`http://127.0.0.1:${port}`, {
                auth: { i: i + j },
                transports: ['websocket'],
                forceNew: true,
              });
              s.on('spotcheck', () => {
                got[i + j] = performance.now() - t0;
                if (++n === N) finish();
              });
              s.once('connect', () => resolve(s));
            }),
        ),
      )),
    );
  }
  await sleep(500);
  const payload = { checkId: randomUUID(), deadline: new Date().toISOString(), drill: true };
  t0 = performance.now();
  ioServer.to(Array.from({ length: N }, (_, i) => `site:${i}`)).emit('spotcheck', payload);
  await Promise.race([all, sleep(30_000)]);
  for (const s of sockets) s.disconnect();
  ioServer.close();
  return { p50: pct(got.filter(Number.isFinite), 50), p99: pct(got.filter(Number.isFinite), 99) };
}

const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} CPUs`;
console.log(
  `yihu 查岗 benchmark: ${N} township consoles, one console spot check of all (Node ${process.version}; ${new Date().toISOString()}; ${load()})`,
);
const bare = await benchBareSocketIo();
console.log(`baseline  bare socket.io: ${N} emits, receive p50 ${ms(bare.p50)}, p99 ${ms(bare.p99)}`);
for (const mode of run) {
  const r = await benchHub(mode);
  console.log(
    `\n== ${mode} (${mode === 'cluster' ? 'PostgreSQL + Redis: BullMQ, Redis adapter' : 'PGlite in-process, jobs table'}) == (${load()})`,
  );
  console.log(
    `consoles connected in ${r.connectMs} ms; POST /spot-checks answered in ${ms(r.startMs)} with ${r.targets} targets`,
  );
  console.log(
    `check → alarm received          p50 ${ms(r.alarmed.p50)}  p99 ${ms(r.alarmed.p99)}  (${r.alarmed.n}/${N})`,
  );
  console.log(
    `check → answer recorded (ack ok) p50 ${ms(r.recorded.p50)}  p99 ${ms(r.recorded.p99)}  (${r.recorded.n}/${N}, ${r.refused} refused or repeated)`,
  );
  console.log(`server latencyMs (created → answered) p99 ${ms(r.server.p99)} (${r.server.n} answered)`);
  if (r.timeline.length) console.log(`the hub's timeline (YIHU_TRACE):\n${r.timeline.join('\n')}`);
  console.log(`ratio     alarm p99 / bare socket.io p99: ${(r.alarmed.p99 / bare.p99).toFixed(1)}x`);
  console.log(
    `goal      p99 check → answer recorded ≤ 1000 ms: ${r.recorded.p99 <= 1000 ? 'met' : 'NOT met'} (${ms(r.recorded.p99)})`,
  );
}
process.exit(0);
