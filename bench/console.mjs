// Web console benchmark (issue 6, "Performance"). Not a test: it prints figures.
//
//   npm run bench:console
//
// 1. A directive to 200 townships: time from POST until it is visible on each duty console:
//    200 socket.io-client consoles (the browser console's own transport and receipt), plus
//    a few real console pages in headless Chromium (until the card is in the DOM).
//    Baseline in the same run: a bare socket.io server emitting to 200 clients.
// 2. The console bundle, gzipped (first load, and the lazy consultation chunk). Baseline: a
//    bare React "hello" page built with the same Vite.
// 3. First load of the console over a 1 Mbit/s link (Chromium network emulation, 40 ms RTT,
//    cold cache) until the login form is usable. Goal <= 3 s. Baseline: the same link
//    loading a 1-byte page (what the link's latency alone costs).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { build } from 'vite';
import { api } from './http.mjs';
import { ROOT, sleep, startHub } from './hub.mjs';

const N = Number(process.env.BENCH_CONSOLES ?? 200);
const PAGES = Number(process.env.BENCH_PAGES ?? 4);
const PASSWORD = 'password-123';
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const f = (v) => `${v.toFixed(0)} ms`;
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;

async function pool(items, width, fn) {
  const out = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (i < items.length) {
        const k = i++;
        out[k] = await fn(items[k], k);
      }
    }),
  );
  return out;
}

async function fanOut(hub, browser) {
  let admin;
  for (let i = 0; i < 50 && !admin; i++)
    admin = await api(hub.base, 'POST', '/api/v1/auth/login', null, {
      username: 'admin',
      password: 'admin-password-1',
    }).catch(() => sleep(200));
  const token = admin.accessToken;
  const rootId = admin.user.siteId;
  const t0 = performance.now();
  const officers = await pool([...Array(N).keys()], 4, async (i) => {
    const site = await api(hub.base, 'POST', '/api/v1/sites', token, {
      name: `乡镇${i}`,
      kind: 'township',
      parentId: rootId,
    });
    const username = `duty${i}`;
    await api(hub.base, 'POST', '/api/v1/users', token, {
      username,
      password: PASSWORD,
      role: 'duty_officer',
      siteId: site.id,
    });
    const login = await api(hub.base, 'POST', '/api/v1/auth/login', null, { username, password: PASSWORD });
    return { siteId: site.id, username, token: login.accessToken };
  });
  await api(hub.base, 'POST', '/api/v1/users', token, {
    username: 'bench-disp',
    password: PASSWORD,
    role: 'dispatcher',
    siteId: rootId,
  });
  const disp = (
    await api(hub.base, 'POST', '/api/v1/auth/login', null, { username: 'bench-disp', password: PASSWORD })
  ).accessToken;
  console.log(`setup: ${N} townships and duty officers in ${f(performance.now() - t0)}`);

  // real console pages for the first few officers
  const pages = [];
  for (const o of officers.slice(0, PAGES)) {
    const ctx = await browser.newContext();
    await ctx.addInitScript((t) => sessionStorage.setItem('yihu.token', t), o.token);
    const page = await ctx.newPage();
    await page.goto(`${hub.base}/duty`);
    await page.locator('[data-testid="conn-state"][data-state="online"]').waitFor();
    pages.push(page);
  }
  // socket consoles for the rest
  const sockets = [];
  const seen = new Map();
  let issuedAt = 0;
  await Promise.all(
    officers.slice(PAGES).map(
      (o) =>
        new Promise((resolve, reject) => {
          const s = io(hub.base, { auth: { token: o.token }, transports: ['websocket'], forceNew: true });
          s.on('directive', (d, cb) => {
            cb?.('received');
            if (!seen.has(`${o.username}:${d.id}`))
              seen.set(`${o.username}:${d.id}`, performance.now() - issuedAt);
          });
          s.once('connect', resolve);
          s.once('connect_error', reject);
          sockets.push(s);
        }),
    ),
  );
  await sleep(500);
  issuedAt = performance.now();
  const res = await api(hub.base, 'POST', '/api/v1/directives', disp, {
    title: '基准测试指令',
    body: '压力测试',
    level: 'orange',
    targets: { all: true },
  });
  const post = performance.now() - issuedAt;
  const pageTimes = await Promise.all(
    pages.map((p) =>
      p
        .locator(`[data-testid="inbox-item"][data-directive-id="${res.id}"]`)
        .waitFor({ timeout: 60_000 })
        .then(() => performance.now() - issuedAt),
    ),
  );
  while (
    [...seen.keys()].filter((k) => k.endsWith(res.id)).length < sockets.length &&
    performance.now() - issuedAt < 60_000
  )
    await sleep(10);
  const times = [...seen.entries()].filter(([k]) => k.endsWith(res.id)).map(([, v]) => v);
  for (const s of sockets) s.close();
  for (const p of pages) await p.context().close();
  return { post, times, pageTimes, missing: sockets.length - times.length };
}

async function bareSocketBaseline() {
  const http = createServer();
  const server = new Server(http);
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${http.address().port}`;
  const times = [];
  let t0 = 0;
  const clients = await Promise.all(
    Array.from(
      { length: N },
      () =>
        new Promise((resolve) => {
          const c = io(url, { transports: ['websocket'], forceNew: true });
          c.on('directive', (_d, cb) => {
            cb?.('received');
            times.push(performance.now() - t0);
          });
          c.once('connect', () => resolve(c));
        }),
    ),
  );
  t0 = performance.now();
  for (const s of server.sockets.sockets.values())
    s.emit('directive', { id: 'x', title: '基准' }, () => undefined);
  while (times.length < N) await sleep(5);
  for (const c of clients) c.close();
  server.close();
  return times;
}

function bundleSizes() {
  const dist = join(ROOT, 'apps/console/dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const initial = ['index.html', ...[...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1])];
  const gz = (p) => gzipSync(readFileSync(join(dist, p)), { level: 9 }).length;
  const raw = (p) => statSync(join(dist, p)).size;
  const lazy = readdirSync(join(dist, 'assets')).filter(
    (n) => n.endsWith('.js') && !initial.includes(`assets/${n}`),
  );
  return {
    initialGz: initial.reduce((a, p) => a + gz(p), 0),
    initialRaw: initial.reduce((a, p) => a + raw(p), 0),
    lazyGz: lazy.reduce((a, n) => a + gz(`assets/${n}`), 0),
  };
}

async function bareReactSize() {
  const dir = mkdtempSync(join(tmpdir(), 'yihu-bench-react-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><div id="root"></div><script type="module" src="/src/main.jsx"></script>',
  );
  writeFileSync(
    join(dir, 'src/main.jsx'),
    "import { createRoot } from 'react-dom/client';\ncreateRoot(document.getElementById('root')).render(<h1>hello</h1>);\n",
  );
  const out = join(dir, 'dist');
  await build({
    root: dir,
    logLevel: 'silent',
    build: { outDir: out },
    oxc: { jsx: { runtime: 'automatic' } },
    resolve: {
      alias: { react: join(ROOT, 'node_modules/react'), 'react-dom': join(ROOT, 'node_modules/react-dom') },
    },
  });
  const files = readdirSync(join(out, 'assets')).map((n) => join(out, 'assets', n));
  return files.reduce((a, p) => a + gzipSync(readFileSync(p), { level: 9 }).length, 0);
}

async function throttledLoad(browser, url, ready) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  // 1 Mbit/s both ways, 40 ms round trip
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 40,
    downloadThroughput: 125_000,
    uploadThroughput: 125_000,
  });
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready(page);
  const ms = performance.now() - t0;
  await ctx.close();
  return ms;
}

const hub = await startHub({
  DATA_DIR: mkdtempSync(join(tmpdir(), 'yihu-bench-console-')),
  SFU_ENABLED: 'true',
  SFU_WORKERS: '1',
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
  ],
});
try {
  const load1 = loadavg()[0];
  const fan = await fanOut(hub, browser);
  const base = await bareSocketBaseline();
  const sizes = bundleSizes();
  const react = await bareReactSize();
  const loads = [];
  for (let i = 0; i < 3; i++)
    loads.push(await throttledLoad(browser, `${hub.base}/`, (p) => p.getByLabel('用户名').waitFor()));
  const floor = [];
  for (let i = 0; i < 3; i++)
    floor.push(await throttledLoad(browser, `${hub.base}/api/v1/health`, (p) => p.waitForLoadState('load')));
  const p99 = pct(fan.times, 99);
  const bp99 = pct(base, 99);
  console.log('\n== web console benchmark (embedded hub, one machine)');
  console.log(`load average (1 min) at start / end: ${load1.toFixed(2)} / ${loadavg()[0].toFixed(2)}`);
  console.log(`directive to ${N} duty consoles: POST answered in ${f(fan.post)}`);
  console.log(
    `  socket consoles (${fan.times.length}, missing ${fan.missing}): visible p50 ${f(pct(fan.times, 50))}, p99 ${f(p99)}, max ${f(Math.max(...fan.times))}`,
  );
  console.log(
    `  console pages in Chromium (${fan.pageTimes.length}): card in DOM max ${f(Math.max(...fan.pageTimes))}`,
  );
  console.log(
    `  baseline bare socket.io emit to ${N}: p50 ${f(pct(base, 50))}, p99 ${f(bp99)} -> ratio ${(p99 / bp99).toFixed(1)}x`,
  );
  console.log(
    `bundle: first load ${kib(sizes.initialGz)} gzipped (${kib(sizes.initialRaw)} raw); consultation chunk (lazy) ${kib(sizes.lazyGz)} gzipped`,
  );
  console.log(
    `  baseline bare React page: ${kib(react)} gzipped -> ratio ${(sizes.initialGz / react).toFixed(2)}x`,
  );
  console.log(
    `first load at 1 Mbit/s, 40 ms RTT (login form usable): ${loads.map(f).join(', ')} (median ${f(pct(loads, 50))}; goal <= 3000 ms: ${pct(loads, 50) <= 3000 ? 'met' : 'NOT met'})`,
  );
  console.log(
    `  baseline tiny page over the same link: median ${f(pct(floor, 50))} -> ratio ${(pct(loads, 50) / pct(floor, 50)).toFixed(1)}x`,
  );
} finally {
  await browser.close();
  await hub.stop();
}
