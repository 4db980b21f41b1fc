// The apps of a cluster as separate processes (dist/apps/<app>/src/main.js), each one
// killable (-9), restartable with the same environment, and freezable (SIGSTOP/SIGCONT).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP_NODE_FLAGS, freePort, ROOT, sleep } from '../hub.mjs';

export class AppProcess {
  /** @param {string} name e.g. dispatch-a  @param {string} app dispatch | mqtt-bridge | sfu */
  constructor(name, app, env, logDir) {
    this.name = name;
    this.app = app;
    this.env = env;
    this.log = join(logDir, `${name}.log`);
    this.child = undefined;
    this.starts = 0;
    this.frozen = false;
  }

  get baseUrl() {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  async start(timeoutMs = 120_000) {
    const out = createWriteStream(this.log, { flags: 'a' });
    const child = spawn(
      process.execPath,
      [...APP_NODE_FLAGS, join(ROOT, 'dist/apps', this.app, 'src/main.js')],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    this.child = child;
    this.starts += 1;
    const deadline = Date.now() + timeoutMs;
    while (child.exitCode === null && Date.now() < deadline) {
      const ok = await fetch(`${this.baseUrl}/api/v1/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return;
      await sleep(250);
    }
    throw new Error(`${this.name} did not become healthy (exit ${child.exitCode}); log: ${this.log}`);
  }

  /** kill -9, as a crash or the OOM killer would */
  async kill9() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    if (this.frozen) child.kill('SIGCONT');
    child.kill('SIGKILL');
    this.frozen = false;
    await gone;
  }

  freeze() {
    this.frozen = true;
    this.child?.kill('SIGSTOP');
  }

  thaw() {
    this.frozen = false;
    this.child?.kill('SIGCONT');
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    if (this.frozen) this.thaw();
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
  }
}

export const BRIDGE_PASSWORD = 'chaos-bridge-password-0123456789';

/**
 * 2 dispatch, 2 MQTT bridges and 1 SFU on one PostgreSQL, Redis and Mosquitto, as
 * docs/operations.md and docs/mqtt-bridge.md ("Several bridges") describe a split cluster.
 */
export async function clusterApps({ dir, dbUrl, redisUrl, mqtt: mosquitto, secrets, sfu = true }) {
  const shared = {
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: 'chaos',
    JWT_SECRET: secrets.jwt,
    AUDIT_KEY: secrets.audit,
    ADMIN_PASSWORD: 'admin-password-1',
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    DAILY_REPORT_ROUNDS: 'off',
    // the harness is one issuer sending far more than a person would
    DIRECTIVE_SENDS_PER_MINUTE: '100000',
    SOCKET_CONSOLE_SOCKETS_PER_USER: '100',
  };
  const bridgeUsers = ['yihu-bridge-a', 'yihu-bridge-b'];
  const apps = [];
  const add = async (name, app, extra) => {
    const dataDir = join(dir, 'apps', name);
    mkdirSync(dataDir, { recursive: true });
    const env = { ...shared, INSTANCE_ID: name, DATA_DIR: dataDir, PORT: String(await freePort()), ...extra };
    env.MQTT_PORT = String(await freePort());
    apps.push(new AppProcess(name, app, env, join(dir, 'logs')));
  };
  for (const n of ['a', 'b'])
    await add(`dispatch-${n}`, 'dispatch', { DELIVERY_CHANNELS: 'console,terminal' });
  for (const [i, n] of ['a', 'b'].entries())
    await add(`bridge-${n}`, 'mqtt-bridge', {
      MQTT_URL: mosquitto.url,
      MQTT_USERNAME: bridgeUsers[i],
      MQTT_PASSWORD: BRIDGE_PASSWORD,
      MOSQUITTO_BRIDGE_USERNAMES: bridgeUsers.join(','),
      MOSQUITTO_AUTH_DIR: dir,
      MOSQUITTO_PID_FILE: mosquitto.pidFile,
    });
  if (sfu) await add('sfu', 'sfu', { SFU_WORKERS: '1' });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  return apps;
}
