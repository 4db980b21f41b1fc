// Warning publication benchmark (issue 19, "Performance"). Not a test: it prints figures.
//
//   npm run bench:warnings                   # embedded (PGlite, embedded broker)
//   npm run bench:warnings -- cluster        # PostgreSQL + Redis at their default ports
//   BENCH_SITES=2000 BENCH_TERMINALS=10000 npm run bench:warnings
//
// Setup (the harnesses of bench/directives.mjs and bench/mqtt.mjs): BENCH_SITES township
// sites with region codes under one city code, one duty officer each with a socket.io-client
// console that answers the delivery receipt and sends 签收; BENCH_TERMINALS push terminals
// spread over the townships, connected through the packet-level WireSimulator (acks
// `received` and 签收 at once). An orange warning for the city code is drafted, submitted,
// signed off by a second person and published (POST /warnings/:id/publish).
// Measured, from the publish request: time until 95% and 100% of consoles and of terminals
// have it (client clocks, same machine), the publish answer, and the hub's own coverage
// figures. Baseline in the same run: the same number of emits from a bare socket.io server.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { WireSimulator } from '../dist/gateways/push-terminal/src/wire-simulator.js';
import { api } from './http.mjs';
import { freePort, sleep, startHub } from './hub.mjs';
import { createDatabase } from './postgres.mjs';

const SITES = Number(process.env.BENCH_SITES ?? 2000);
const TERMINALS = Number(process.env.BENCH_TERMINALS ?? 10_000);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const mode = process.argv.includes('cluster') ? 'cluster' : 'embedded';
const COUNTIES = ['330106', '330107', '330108', '330109'];

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : 'n/a');
const b64url = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function signJwt(claims, secret) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ ...claims, iat: now, exp: now + 3600 })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** Townships with region codes (under 3301, the city the root gets), officers, terminals. */
async function seed(query, rootId) {
  await query(`UPDATE sites SET region_code = '330100' WHERE id = $1`, [rootId]);
  const [{ path: rootPath }] = await query('SELECT path FROM sites WHERE id = $1', [rootId]);
  const per = Math.ceil(SITES / COUNTIES.length);
  const sites = Array.from({ length: SITES }, (_, i) => ({
    id: randomUUID(),
    user: randomUUID(),
    i,
    code: `${COUNTIES[Math.floor(i / per)]}${String((i % per) + 1).padStart(3, '0')}`,
  }));
  await query(
    `INSERT INTO sites (id, name, kind, parent_id, path, region_code)
     SELECT id, '乡镇' || n, 'township', $3, $4 || id || '/', code FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(id, code, n)`,
    [sites.map((s) => s.id), sites.map((s) => s.code), rootId, rootPath],
  );
  await query(
    `INSERT INTO users (id, username, password_hash, role, site_id)
     SELECT u, 'bench-' || n, 'scrypt$unusable', 'duty_officer', s FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS t(u, s, n)`,
    [sites.map((s) => s.user), sites.map((s) => s.id)],
  );
  const terminals = Array.from({ length: TERMINALS }, () => ({
    id: `t${randomBytes(10).toString('hex')}`,
    secret: randomBytes(24).toString('base64url'),
  }));
  const hash = (secret) => {
    const salt = randomBytes(12);
    return `$6$${salt.toString('base64')}$${createHash('sha512').update(secret).update(salt).digest('base64')}`;
  };
  await query(
    `INSERT INTO terminals (id, name, site_id, kind, secret_hash)
     SELECT id, 'bench ' || n, site, 'push', h FROM unnest($1::text[], $2::text[], $3::uuid[]) WITH ORDINALITY AS t(id, h, site, n)`,
    [
      terminals.map((t) => t.id),
      terminals.map((t) => hash(t.secret)),
      terminals.map((_, i) => sites[i % SITES].id),
    ],
  );
  return { sites, terminals };
}

async function connectConsoles(url, tokens, onWarning) {
  const sockets = [];
  for (let i = 0; i < tokens.length; i += 100) {
    const batch = tokens.slice(i, i + 100).map(
      (token) =>
        new Promise((resolve, reject) => {
          const s = io(url, {
            auth: { token },
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
          });
          s.on('directive', (payload, cb) => onWarning(s, payload, cb));
          s.once('connect', () => resolve(s));
          s.once('connect_error', reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

async function benchBareSocketIo(n) {
  const http = createServer();
  const server = new Server(http);
  server.on('connection', (s) => s.join(`site:${s.handshake.auth.i}`));
  const port = await freePort();
  await new Promise((r) => http.listen(port, '127.0.0.1', r));
  const got = [];
  let t0 = 0;
  let finish;
  const all = new Promise((r) => (finish = r));
  const sockets = [];
  for (let i = 0; i < n; i += 100)
    sockets.push(
      ...(await Promise.all(
        Array.from(
          { length: Math.min(100, n - i) },
          (_, j) =>
            new Promise((resolve) => {
              const s = io(`http://127.0.0.1:${port}`, {
                auth: { i: i + j },
                transports: ['websocket'],
                forceNew: true,
              });
              s.on('directive', () => got.push(Date.now() - t0) === n && finish());
              s.once('connect', () => resolve(s));
            }),
        ),
      )),
    );
  await sleep(500);
  t0 = Date.now();
  for (let i = 0; i < n; i += 1)
    server.to(`site:${i}`).emit('directive', { id: randomUUID(), title: '基准' });
  await Promise.race([all, sleep(30_000)]);
  for (const s of sockets) s.disconnect();
  server.close();
  return { p95: pct(got, 95), max: Math.max(...got) };
}

const dataDir = mkdtempSync(join(tmpdir(), 'yihu-bench-warn-'));
const env = { DATA_DIR: dataDir, MQTT_HOST: '127.0.0.1' };
const database = mode === 'cluster' ? await createDatabase() : undefined;
if (database)
  Object.assign(env, {
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    AUDIT_KEY: randomBytes(32).toString('hex'),
  });
const mqttPort = await freePort();
env.MQTT_PORT = String(mqttPort);
const bare = await benchBareSocketIo(SITES);
let hub = await startHub(env);
const login = async (username, password) =>
  (await api(hub.base, 'POST', '/api/v1/auth/login', null, { username, password })).accessToken;
let admin = await login('admin', 'admin-password-1');
const rootId = (await api(hub.base, 'GET', '/api/v1/auth/me', admin)).siteId;
await api(hub.base, 'POST', '/api/v1/users', admin, {
  username: 'bench-chief',
  password: 'password-123',
  role: 'commander',
  siteId: rootId,
});
let seeded;
if (database) {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  seeded = await seed(async (q, p) => (await client.query(q, p)).rows, rootId);
  await client.end();
} else {
  await hub.stop();
  const db = await PGlite.create(join(dataDir, 'pgdata'));
  seeded = await seed(async (q, p) => (await db.query(q, p)).rows, rootId);
  await db.close();
  hub = await startHub(env);
  admin = await login('admin', 'admin-password-1');
}
const chief = await login('bench-chief', 'password-123');
const secret = env.JWT_SECRET ?? readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim();
const tokens = seeded.sites.map((s) =>
  signJwt({ sub: s.user, username: `bench-${s.i + 1}`, role: 'duty_officer', siteId: s.id }, secret),
);

let t0 = 0;
let directiveId = null;
const consoleAt = [];
const sockets = await connectConsoles(hub.base, tokens, (s, payload, cb) => {
  if (payload.kind !== 'warning') return;
  consoleAt.push(Date.now() - t0);
  cb?.({ received: true });
  s.emit('directive.ack', { directiveId: payload.id }, () => undefined);
});
const sim = new WireSimulator({
  url: `mqtt://127.0.0.1:${mqttPort}`,
  terminals: seeded.terminals,
  acknowledge: true,
  connectConcurrency: 100,
});
const c0 = Date.now();
await sim.start();
console.log(`${SITES} consoles and ${TERMINALS} terminals connected (terminals in ${Date.now() - c0} ms)`);
await sleep(5000);

const draft = await api(hub.base, 'POST', '/api/v1/warnings', admin, {
  event: '暴雨',
  level: 'orange',
  headline: '市气象台发布暴雨橙色预警（基准测试）',
  description: '预计未来6小时内全市大部分地区降雨量将达50毫米以上。',
  instruction: '请各乡镇做好防汛准备。',
  areas: { regionCodes: ['330100'] },
  onset: new Date(Date.now() + 3600_000).toISOString(),
  expires: new Date(Date.now() + 6 * 3600_000).toISOString(),
  status: 'Exercise',
});
await api(hub.base, 'POST', `/api/v1/warnings/${draft.id}/submit`, admin, {});
await api(hub.base, 'POST', `/api/v1/warnings/${draft.id}/approve`, chief, {});
const load = loadavg()[0];
t0 = Date.now();
const published = await api(hub.base, 'POST', `/api/v1/warnings/${draft.id}/publish`, admin, {});
const publishMs = Date.now() - t0;
directiveId = published.directiveId;
const deadline = Date.now() + 120_000;
const terminalAt = () => sim.arrivals.filter((a) => a.directiveId === directiveId).map((a) => a.at - t0);
while (Date.now() < deadline && (consoleAt.length < SITES || terminalAt().length < TERMINALS))
  await sleep(200);
await sleep(3000);
const coverage = await api(hub.base, 'GET', `/api/v1/warnings/${draft.id}/coverage`, admin);
const terms = terminalAt();
console.log(
  `\nyihu warning benchmark, ${mode} (${new Date().toISOString()}, Node ${process.version}, ${cpus().length} CPUs, load ${load.toFixed(2)} at publish)`,
);
console.log(`POST /warnings/:id/publish answered in ${publishMs} ms; ${coverage.targets} recipient sites`);
console.log(
  `consoles   ${consoleAt.length}/${SITES}: 95% in ${ms(pct(consoleAt, 95))}, 100% in ${consoleAt.length === SITES ? ms(Math.max(...consoleAt)) : 'not reached'}`,
);
console.log(
  `terminals  ${terms.length}/${TERMINALS}: 95% in ${ms(pct(terms, 95))}, 100% in ${terms.length === TERMINALS ? ms(Math.max(...terms)) : 'not reached'}`,
);
console.log(`hub coverage: ${JSON.stringify(coverage)}`);
console.log(`baseline  bare socket.io, ${SITES} emits: 95% in ${ms(bare.p95)}, 100% in ${ms(bare.max)}`);
console.log(
  `goal      95% within 10 s per channel: consoles ${pct(consoleAt, 95) <= 10_000 ? 'met' : 'NOT met'}, terminals ${pct(terms, 95) <= 10_000 ? 'met' : 'NOT met'}`,
);
for (const s of sockets) s.disconnect();
await sim.stop();
await hub.stop();
await database?.drop();
process.exit(0);
