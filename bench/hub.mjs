// The built hub as its own process, for the benchmarks (run `npm run build` first).
//   BENCH_LOG_LEVEL  the hub's LOG_LEVEL (default warn)
//   BENCH_PROFILE    a directory: V8 CPU profiles of the hub (every thread), for Chrome DevTools
//   BENCH_NODE_FLAGS extra node flags for the hub, space separated
//   BENCH_HUB_LOG    a file: the hub's stdout is appended there
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** the node flags `npm start` runs the apps with (package.json config.nodeFlags) */
export const APP_NODE_FLAGS = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  .config.nodeFlags.split(' ')
  .filter(Boolean);
export const profileArgs = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];

// ports handed out already: a port is free again once its probe closes, and the kernel
// may offer it twice before whoever it was meant for listens on it (seen: hub PORT = MQTT_PORT)
const issued = new Set();

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => (issued.has(port) ? resolve(freePort()) : (issued.add(port), resolve(port))));
    });
  });
}

/**
 * Starts dist/apps/hub and waits until its health answers 200. `env` is added to a bare
 * environment (no SFU, a known admin password, spare ports); it runs with the flags of
 * `npm start`, then `nodeArgs`, then BENCH_NODE_FLAGS.
 */
export async function startHub(env = {}, { nodeArgs = [] } = {}) {
  const port = await freePort();
  const full = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    SFU_ENABLED: 'false',
    ADMIN_PASSWORD: 'admin-password-1',
    MQTT_PORT: String(await freePort()),
    ...env,
    PORT: String(port),
  };
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(
    process.execPath,
    [...APP_NODE_FLAGS, ...nodeArgs, ...profileArgs, ...flags, join(ROOT, 'dist/apps/hub/src/main.js')],
    { cwd: ROOT, env: full, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  if (process.env.BENCH_HUB_LOG) child.stdout.on('data', (d) => appendFileSync(process.env.BENCH_HUB_LOG, d));
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    if (child.exitCode !== null || i > 600) {
      child.kill('SIGKILL');
      throw new Error(`hub did not start:\n${out}`);
    }
    const ok = await fetch(`${base}/api/v1/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await sleep(200);
  }
  return {
    base,
    pid: child.pid,
    output: () => out,
    stop: () =>
      new Promise((resolve) =>
        child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')),
      ),
  };
}
