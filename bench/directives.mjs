// Directive fan-out benchmark (issue 3, "Performance"). Not a test: it prints figures.
//
//   npm run bench:directives                 # both modes
//   npm run bench:directives -- cluster      # real PostgreSQL + Redis (BullMQ, Redis adapter)
//   npm run bench:directives -- embedded     # PGlite in the hub process, in-process queue
//
// Setup: 2,000 township sites, one duty officer each, 2,000 socket.io-client consoles that
// answer the delivery receipt and send 签收 at once; one directive to all townships.
// Baseline in the same run: the same 2,000 emits from a bare socket.io server, and the same
// 2,000 recipient rows in one multi-row INSERT.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { api } from './http.mjs';
import { freePort, ROOT, sleep, startHub } from './hub.mjs';
import { createDatabase, POSTGRES_ADMIN_URL } from './postgres.mjs';

const N = Number(process.env.BENCH_SITES ?? 2000);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const modes = process.argv.slice(2).filter((a) => a === 'cluster' || a === 'embedded');
const run = modes.length ? modes : ['cluster', 'embedded'];

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const ms = (v) => `${v.toFixed(1)} ms`;

function b64url(obj) {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}
function signJwt(claims, secret) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ ...claims, iat: now, exp: now + 3600 })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** 2,000 township sites and one duty officer each, written straight into the database. */
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

async function connectAll(url, tokens, onDirective) {
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
          s.on('directive', (payload, cb) => onDirective(i + j, s, payload, cb));
          s.once('connect', () => resolve(s));
          s.once('connect_error', reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

async function benchHub(mode) {
  const dataDir = mkdtempSync(join(tmpdir(), 'yihu-bench-'));
  const env = { DATA_DIR: dataDir };
  const database = mode === 'cluster' ? await createDatabase() : undefined;
  if (database) {
    Object.assign(env, {
      DATABASE_URL: database.url,
      REDIS_URL,
      JWT_SECRET: randomBytes(32).toString('hex'),
      AUDIT_KEY: randomBytes(32).toString('hex'),
    });
  }
  let hub = await startHub(env);
  const admin = (
    await api(hub.base, 'POST', '/api/v1/auth/login', null, {
      username: 'admin',
      password: 'admin-password-1',
    })
  ).accessToken;
  const rootId = (await api(hub.base, 'GET', '/api/v1/auth/me', admin)).siteId;
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
  const adminToken = (
    await api(hub.base, 'POST', '/api/v1/auth/login', null, {
      username: 'admin',
      password: 'admin-password-1',
    })
  ).accessToken;

  let t0 = 0;
  let directiveId = null;
  const delivered = new Array(N).fill(NaN);
  const acked = new Array(N).fill(NaN);
  const ackSent = new Array(N).fill(NaN);
  let done = 0;
  let finish;
  const allAcked = new Promise((r) => (finish = r));
  const t = Date.now();
  const sockets = await connectAll(hub.base, tokens, (i, s, payload, cb) => {
    if (payload.id !== directiveId && directiveId !== null) return;
    delivered[i] = performance.now() - t0;
    cb?.({ received: true });
    ackSent[i] = performance.now() - t0;
    s.emit('directive.ack', { directiveId: payload.id }, (res) => {
      if (!res?.ok) console.error('ack refused', res);
      acked[i] = performance.now() - t0;
      done += 1;
      if (done === N) finish();
    });
  });
  const connectMs = Date.now() - t;
  await sleep(1000);

  t0 = performance.now();
  const issued = await api(hub.base, 'POST', '/api/v1/directives', adminToken, {
    title: '基准测试',
    body: '全县乡镇立即签收',
    level: 'red',
    targets: { all: true },
    ackWithinSeconds: 3600,
    drill: true,
  });
  directiveId = issued.id;
  const issueMs = performance.now() - t0;
  await Promise.race([allAcked, sleep(120_000)]);
  const lastAck = Math.max(...acked.filter(Number.isFinite));
  const firstSent = Math.min(...ackSent.filter(Number.isFinite));
  await sleep(1500);
  const view = await api(hub.base, 'GET', `/api/v1/directives/${directiveId}`, adminToken);
  const issuedAt = Date.parse(view.issuedAt);
  const serverDelivered = view.recipients
    .filter((r) => r.deliveredAt)
    .map((r) => Date.parse(r.deliveredAt) - issuedAt);
  const serverAcked = view.recipients
    .filter((r) => r.acknowledgedAt)
    .map((r) => Date.parse(r.acknowledgedAt) - issuedAt);
  for (const s of sockets) s.disconnect();
  await hub.stop();
  await database?.drop();
  return {
    connectMs,
    issueMs,
    recipients: issued.recipients.length,
    deliveredCount: delivered.filter(Number.isFinite).length,
    ackedCount: done,
    delivered: {
      p50: pct(delivered.filter(Number.isFinite), 50),
      p99: pct(delivered.filter(Number.isFinite), 99),
    },
    acked: { p50: pct(acked.filter(Number.isFinite), 50), p99: pct(acked.filter(Number.isFinite), 99) },
    server: {
      deliveredP99: pct(serverDelivered, 99),
      ackedP99: pct(serverAcked, 99),
      recordedAcks: serverAcked.length,
    },
    acksPerSecond: done / ((lastAck - firstSent) / 1000),
  };
}

/** The same 2,000 emits from a bare socket.io server, one room per console. */
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
              s.on('directive', () => {
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
  const payload = {
    id: randomUUID(),
    serial: '2026-0001',
    title: '基准测试',
    body: '全县乡镇立即签收',
    level: 'red',
    ackBy: new Date().toISOString(),
    drill: true,
  };
  t0 = performance.now();
  for (let i = 0; i < N; i += 1) ioServer.to(`site:${i}`).emit('directive', payload);
  await Promise.race([all, sleep(30_000)]);
  for (const s of sockets) s.disconnect();
  ioServer.close();
  return { p50: pct(got.filter(Number.isFinite), 50), p99: pct(got.filter(Number.isFinite), 99) };
}

/** The same 2,000 recipient rows in one multi-row INSERT. */
async function benchInsert(mode) {
  let query;
  let close;
  if (mode === 'cluster') {
    const c = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await c.connect();
    query = (q, p) => c.query(q, p);
    close = () => c.end();
  } else {
    const db = await PGlite.create(mkdtempSync(join(tmpdir(), 'yihu-bench-pglite-')));
    query = (q, p) => db.query(q, p);
    close = () => db.close();
  }
  const table = `bench_rows_${randomBytes(3).toString('hex')}`;
  await query(
    `CREATE ${mode === 'cluster' ? 'TEMP ' : ''}TABLE ${table} (directive_id uuid, site_id uuid, state text, acknowledged_at timestamptz, acknowledged_by uuid, PRIMARY KEY (directive_id, site_id))`,
  );
  const d = randomUUID();
  const values = [];
  const params = [];
  for (let i = 0; i < N; i += 1) {
    params.push(d, randomUUID(), randomUUID());
    values.push(`($${i * 3 + 1}, $${i * 3 + 2}, 'acknowledged', now(), $${i * 3 + 3})`);
  }
  const t0 = performance.now();
  await query(
    `INSERT INTO ${table} (directive_id, site_id, state, acknowledged_at, acknowledged_by) VALUES ${values.join(', ')}`,
    params,
  );
  const elapsed = performance.now() - t0;
  if (mode !== 'cluster') await query(`DROP TABLE ${table}`);
  await close();
  return { ms: elapsed, rowsPerSecond: N / (elapsed / 1000) };
}

const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} CPUs`;
console.log(
  `yihu directive benchmark: ${N} township consoles, one directive to all (Node ${process.version}; ${load()})`,
);
const bare = await benchBareSocketIo();
console.log(`baseline  bare socket.io: ${N} emits, receive p50 ${ms(bare.p50)}, p99 ${ms(bare.p99)}`);
for (const mode of run) {
  const insert = await benchInsert(mode);
  const r = await benchHub(mode);
  console.log(
    `\n== ${mode} (${mode === 'cluster' ? 'PostgreSQL 15 + Redis: BullMQ, Redis adapter' : 'PGlite in-process, jobs table'}) == (${load()})`,
  );
  console.log(
    `consoles connected in ${r.connectMs} ms; POST /directives answered in ${ms(r.issueMs)} with ${r.recipients} recipients`,
  );
  console.log(
    `issue → delivered (console received)     p50 ${ms(r.delivered.p50)}  p99 ${ms(r.delivered.p99)}  (${r.deliveredCount}/${N})`,
  );
  console.log(
    `issue → 签收 recorded (ack answered ok)   p50 ${ms(r.acked.p50)}  p99 ${ms(r.acked.p99)}  (${r.ackedCount}/${N})`,
  );
  console.log(
    `server timestamps: delivered p99 ${ms(r.server.deliveredP99)}, acknowledged p99 ${ms(r.server.ackedP99)} (${r.server.recordedAcks} recorded)`,
  );
  console.log(
    `acks into the database: ${r.acksPerSecond.toFixed(0)} acks/s (first ack sent → last ack answered)`,
  );
  console.log(
    `baseline  one multi-row INSERT of ${N} rows: ${ms(insert.ms)} = ${insert.rowsPerSecond.toFixed(0)} rows/s`,
  );
  console.log(`ratio     delivered p99 / bare socket.io p99: ${(r.delivered.p99 / bare.p99).toFixed(1)}x`);
  console.log(
    `ratio     bare INSERT rows/s / hub acks/s:    ${(insert.rowsPerSecond / r.acksPerSecond).toFixed(1)}x`,
  );
  console.log(
    `goal      p99 issue → 签收 recorded ≤ 1000 ms: ${r.acked.p99 <= 1000 ? 'met' : 'NOT met'} (${ms(r.acked.p99)})`,
  );
}
process.exit(0);
