// Soak (issue 20, part 3): steady traffic against one built hub for SOAK_MINUTES, sampling
// its memory, handles and database connections every 10 s; prints the samples, the slope per
// hour after warm-up (least squares) and a verdict. Exits 1 on a "growing" verdict or errors.
//
//   npm run soak                         # 60 minutes, embedded (PGlite in the hub process)
//   SOAK_MINUTES=30 npm run soak
//   SOAK_DB=postgres npm run soak        # the hub on a fresh database of the machine's PostgreSQL
//                                          (then pg_stat_activity counts its connections)
//   SOAK_WARMUP_MINUTES                  # left out of the fit (default: a sixth, at least 1)
//   SOAK_DIRECTIVE_MS                    # one directive every … ms, townships in turn (4000)
//
// Traffic: 3 townships × 5 MQTT terminals (persistent sessions, confirm + 签收 every message,
// one dropped every 3 s, cleanly or by a cut socket, back 2–8 s later), 3 duty-officer
// consoles (one replaced every 20 s), a consultation joined and left on /sfu every 30 s.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { io } from 'socket.io-client';
import { api } from './http.mjs';
import { freePort, sleep, startHub } from './hub.mjs';
import { createDatabase } from './postgres.mjs';
import { formatJudgement, judge, table } from './soak-stats.mjs';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 60);
const DB = process.env.SOAK_DB ?? 'pglite';
const WARMUP_S = Number(process.env.SOAK_WARMUP_MINUTES ?? Math.max(1, MINUTES / 6)) * 60;
const DIRECTIVE_MS = Number(process.env.SOAK_DIRECTIVE_MS ?? 4000);
const TOWNSHIPS = 3;
const TERMINALS_PER_TOWNSHIP = 5;
const SAMPLE_MS = 10_000;
const METRICS_TOKEN = randomBytes(16).toString('hex');
const PASSWORD = 'Soak-Duty-Pass-5531';

const errors = new Map();
const fail = (kind, detail) => {
  const e = errors.get(kind) ?? { count: 0, first: String(detail) };
  e.count += 1;
  errors.set(kind, e);
};
const stats = { directives: 0, deliveries: 0, acks: 0, drops: 0, consoles: 0, consultations: 0 };
let running = true;
const rand = (a, b) => a + Math.floor(Math.random() * (b - a + 1));

/** a device as docs/device-protocol-v1.md describes it: persistent session, Will, confirms and 签收 */
class Device {
  seen = new Set(); // directive ids shown
  answered = new Set(); // message ids answered
  client = null;
  constructor(url, creds, township) {
    Object.assign(this, { url, creds, township });
  }
  topic(kind) {
    return `yihu/v1/terminals/${this.creds.id}/${kind}`;
  }
  async connect() {
    const c = mqtt.connect(this.url, {
      clientId: this.creds.id,
      username: this.creds.id,
      password: this.creds.secret,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      will: { topic: this.topic('status'), payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    c.on('message', (topic, payload) => {
      if (topic !== this.topic('directives') && topic !== this.topic('notices')) return;
      const m = JSON.parse(payload.toString());
      if (m.directiveId && topic === this.topic('directives') && !this.seen.has(m.directiveId)) {
        this.seen.add(m.directiveId);
        stats.deliveries += 1;
      }
      if (this.answered.has(m.messageId)) return;
      this.answered.add(m.messageId);
      for (const state of topic.endsWith('notices') ? ['received'] : ['received', 'acknowledged'])
        c.publish(
          this.topic('acks'),
          JSON.stringify({ messageId: m.messageId, state, at: new Date().toISOString() }),
          {
            qos: 1,
          },
        );
      stats.acks += 1;
    });
    await new Promise((resolve, reject) => {
      c.once('connect', resolve);
      c.once('error', reject);
    });
    c.on('error', () => undefined);
    await c.subscribeAsync([this.topic('directives'), this.topic('notices')], { qos: 1 });
    await c.publishAsync(this.topic('status'), 'online', { qos: 1, retain: true });
    this.client = c;
  }
  async drop(clean) {
    const c = this.client;
    this.client = null;
    if (clean) {
      await c.publishAsync(this.topic('status'), 'offline', { qos: 1, retain: true }).catch(() => undefined);
      await c.endAsync(true);
    } else c.stream.destroy(); // the broker sends the Will
  }
}

function openConsole(base, token, seen) {
  const s = io(base, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  s.on('directive', (p, cb) => {
    cb?.({ received: true });
    seen.add(p.id);
    s.emit('directive.ack', { directiveId: p.id }, () => undefined);
  });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

const call = (s, event, body) => s.timeout(10_000).emitWithAck(event, body);

/** runs `step` every `ms` until the run ends; an exception counts as an error of `kind` */
async function every(ms, kind, step) {
  while (running) {
    await step().catch((err) => fail(kind, err?.message ?? err));
    await sleep(ms);
  }
}

function childRssMiB(pid) {
  // the mediasoup worker is the hub's child process; /proc/<pid>/stat field 4 is the parent
  let total = null;
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1] !== String(pid)) continue;
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      total = (total ?? 0) + kb / 1024;
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total;
}

const metric = (text, name) =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);

async function main() {
  const database = DB === 'postgres' ? await createDatabase() : null;
  const dataDir = mkdtempSync(join(tmpdir(), 'yihu-soak-'));
  const mqttPort = await freePort();
  const hub = await startHub({
    DATA_DIR: dataDir,
    MQTT_PORT: String(mqttPort),
    SFU_ENABLED: 'true',
    SFU_WORKERS: '1',
    METRICS_TOKEN,
    DAILY_REPORT_ROUNDS: 'off',
    ...(database
      ? {
          DATABASE_URL: database.url,
          JWT_SECRET: randomBytes(32).toString('hex'),
          AUDIT_KEY: randomBytes(32).toString('hex'),
        }
      : {}),
  });
  const pgClient = database ? new pg.Client({ connectionString: database.url }) : null;
  await pgClient?.connect();
  const base = hub.base;
  const admin = (
    await api(base, 'POST', '/api/v1/auth/login', null, { username: 'admin', password: 'admin-password-1' })
  ).accessToken;
  const me = await api(base, 'GET', '/api/v1/auth/me', admin);
  const townships = [];
  const devices = [];
  const brokerUrl = `mqtt://127.0.0.1:${mqttPort}`;
  for (let t = 0; t < TOWNSHIPS; t += 1) {
    const site = await api(base, 'POST', '/api/v1/sites', admin, {
      name: `耐久镇${t}`,
      kind: 'township',
      parentId: me.siteId,
    });
    await api(base, 'POST', '/api/v1/users', admin, {
      username: `soak-duty-${t}`,
      password: PASSWORD,
      role: 'duty_officer',
      siteId: site.id,
    });
    const token = (
      await api(base, 'POST', '/api/v1/auth/login', null, { username: `soak-duty-${t}`, password: PASSWORD })
    ).accessToken;
    const seen = new Set();
    townships.push({ id: site.id, token, seen, console: await openConsole(base, token, seen), issued: [] });
    for (let n = 0; n < TERMINALS_PER_TOWNSHIP; n += 1) {
      const creds = await api(base, 'POST', '/api/v1/terminals', admin, {
        name: `soak-${t}-${n}`,
        siteId: site.id,
        kind: 'push',
      });
      const d = new Device(brokerUrl, creds, t);
      await d.connect();
      devices.push(d);
    }
  }
  const consultation = await api(base, 'POST', '/api/v1/consultations', admin, {
    title: '耐久会商',
    siteIds: townships.map((t) => t.id),
  });

  const started = Date.now();
  const samples = [];
  const loops = [
    every(DIRECTIVE_MS, 'directive issue', async () => {
      const t = townships[stats.directives % TOWNSHIPS];
      const d = await api(base, 'POST', '/api/v1/directives', admin, {
        title: `耐久 ${stats.directives}`,
        body: 'soak',
        level: 'blue',
        targets: { siteIds: [t.id] },
      });
      t.issued.push(d.id);
      stats.directives += 1;
    }),
    every(3000, 'terminal churn', async () => {
      const online = devices.filter((d) => d.client);
      if (online.length < 2) return;
      const d = online[rand(0, online.length - 1)];
      await d.drop(stats.drops % 2 === 0);
      stats.drops += 1;
      setTimeout(
        () => void d.connect().catch((err) => fail('terminal reconnect', err.message)),
        rand(2000, 8000),
      );
    }),
    every(20_000, 'console reconnect', async () => {
      const t = townships[stats.consoles % TOWNSHIPS];
      t.console.close();
      t.console = await openConsole(base, t.token, t.seen);
      stats.consoles += 1;
    }),
    every(30_000, 'consultation', async () => {
      const s = io(`${base}/sfu`, {
        auth: { token: admin },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      try {
        await new Promise((resolve, reject) => (s.once('connect', resolve), s.once('connect_error', reject)));
        const joined = await call(s, 'sfu:join', { consultationId: consultation.id });
        if (!joined.ok) throw new Error(`sfu:join ${JSON.stringify(joined)}`);
        for (const direction of ['send', 'recv']) {
          const t = await call(s, 'sfu:transport:create', { direction });
          if (!t.ok) throw new Error(`sfu:transport:create ${JSON.stringify(t)}`);
        }
        await sleep(5000);
        // every other round leaves politely, the others just vanish
        if (stats.consultations % 2 === 0) {
          const left = await call(s, 'sfu:leave', {});
          if (!left.ok) throw new Error(`sfu:leave ${JSON.stringify(left)}`);
        }
        stats.consultations += 1;
      } finally {
        s.close();
      }
    }),
    every(SAMPLE_MS, 'sample', async () => {
      const health = await fetch(`${base}/api/v1/health`).catch(() => null);
      if (health?.status !== 200) fail('health', health?.status ?? 'no answer');
      const text = await (
        await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      ).text();
      const db = pgClient
        ? Number(
            (
              await pgClient.query(
                'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
              )
            ).rows[0].n,
          )
        : null;
      const sample = {
        t: (Date.now() - started) / 1000,
        rss: metric(text, 'yihu_process_resident_memory_bytes') / 2 ** 20,
        heap: metric(text, 'yihu_nodejs_heap_size_used_bytes') / 2 ** 20,
        handles: metric(text, 'yihu_nodejs_active_handles_total'),
        worker: childRssMiB(hub.pid),
        db,
        directives: stats.directives,
        deliveries: stats.deliveries,
      };
      if (![sample.rss, sample.heap, sample.handles].every(Number.isFinite))
        fail('metrics', text.slice(0, 200));
      samples.push(sample);
      if (samples.length % 30 === 0)
        process.stdout.write(`  ${Math.round(sample.t / 60)} min: ${JSON.stringify(sample)}\n`);
    }),
  ];
  await sleep(MINUTES * 60_000);
  running = false;
  await Promise.all(loops);

  // every device back online; each must have shown every directive sent to its township
  await Promise.all(
    devices
      .filter((d) => !d.client)
      .map((d) => d.connect().catch((e) => fail('terminal reconnect', e.message))),
  );
  const missing = () =>
    devices.reduce((n, d) => n + townships[d.township].issued.filter((id) => !d.seen.has(id)).length, 0);
  const until = Date.now() + 120_000;
  while (missing() && Date.now() < until) await sleep(1000);
  if (missing()) fail('directive not shown on a terminal', `${missing()} (device × directive) pairs`);

  const rows = judge(samples, WARMUP_S);
  process.stdout.write(
    `\nsoak: ${MINUTES} min, ${DB === 'postgres' ? 'hub on PostgreSQL' : 'embedded hub (PGlite)'}, warm-up ${+(WARMUP_S / 60).toFixed(1)} min, node ${process.version}\n` +
      `traffic: ${stats.directives} directives, ${stats.deliveries} terminal displays, ${stats.acks} messages answered, ` +
      `${stats.drops} terminal drops, ${stats.consoles} console reconnects, ${stats.consultations} consultation joins\n\n` +
      `${table(samples)}\n\nslope per hour after warm-up (least squares):\n${formatJudgement(rows)}\n` +
      `errors: ${errors.size ? [...errors].map(([k, e]) => `${k} × ${e.count} (first: ${e.first})`).join('; ') : 'none'}\n`,
  );
  for (const d of devices) d.client?.end(true);
  for (const t of townships) t.console.close();
  await pgClient?.end();
  await hub.stop();
  await database?.drop();
  const leak = rows.some((r) => r.verdict === 'growing');
  process.stdout.write(`verdict: ${leak ? 'GROWING' : 'flat'}${errors.size ? ', with errors' : ''}\n`);
  process.exit(leak || errors.size ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
