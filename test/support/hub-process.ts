import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** every test hub serves /metrics with this bearer token (the default is not to serve it) */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

/** GET /metrics as Prometheus would, with the test hubs' token. */
export function fetchMetrics(baseUrl: string): Promise<Response> {
  return fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
}

export type AppName = 'hub' | 'dispatch' | 'mqtt-bridge' | 'sfu';

export interface HubProcess {
  baseUrl: string;
  port: number;
  pid: number;
  env: Record<string, string>;
  output(): string;
  /** resolves with the exit code */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'yihu-test-'));
}

/** Runs a built app (dist/) as its own process, exactly as an operator would. */
export function spawnApp(
  app: AppName,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps', app, 'src/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

/** Starts an app and waits until its health endpoint answers. */
export async function startHub(
  env: Record<string, string> = {},
  app: AppName = 'hub',
  timeoutMs = 60_000,
): Promise<HubProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  const fullEnv: Record<string, string> = {
    DATA_DIR: env.DATA_DIR ?? tempDataDir(),
    MQTT_PORT: String(await freePort()),
    SFU_WORKERS: '1',
    ADMIN_PASSWORD: 'admin-password-1',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    // the day's automatic round of daily reports would land in every test between 16:00 and 24:00 UTC
    DAILY_REPORT_ROUNDS: 'off',
    ...env,
    PORT: String(port),
  };
  const { child, output, exited } = spawnApp(app, fullEnv);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`${app} exited with ${exitCode} before it was ready:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${app} was not ready within ${timeoutMs} ms:\n${output()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/v1/health`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    port,
    pid: child.pid!,
    env: fullEnv,
    output,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
  };
}

export interface ExitResult {
  code: number | null;
  output: string;
  ms: number;
}

/** Runs an app that is expected to stop by itself (a start-up error), with a hard limit. */
export async function runUntilExit(
  env: Record<string, string>,
  app: AppName = 'hub',
  limitMs = 20_000,
): Promise<ExitResult> {
  const started = Date.now();
  const { child, output, exited } = spawnApp(app, { DATA_DIR: tempDataDir(), SFU_WORKERS: '1', ...env });
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const code = await exited;
  clearTimeout(timer);
  return { code, output: output(), ms: Date.now() - started };
}
