// The chaos harness's own backing services on spare ports, each restartable on the same
// port and data: a PostgreSQL cluster (initdb + pg_ctl), Redis with append-only on, and
// Mosquitto with the config the bridge documents (its auth files in the run directory).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { mosquittoConf } from '../../dist/apps/mqtt-bridge/src/broker/mosquitto-config.js';
import { sleep } from '../hub.mjs';

/** Debian's server binaries: CHAOS_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin */
function pgBin() {
  if (process.env.CHAOS_PG_BIN) return process.env.CHAOS_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error(`no PostgreSQL server binaries under ${root}; set CHAOS_PG_BIN`);
  return join(root, versions[0], 'bin');
}
const PG_BIN = pgBin();
// initdb and postgres refuse to run as root: run them as the machine's postgres user then
const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];

function run(cmd, args) {
  const [bin, ...rest] = [...asPostgres, cmd, ...args];
  return execFileSync(bin, rest, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

export async function waitPort(port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = createConnection(port, '127.0.0.1', () => (s.end(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(100);
  }
}

/** A PostgreSQL 15 cluster of our own: trust auth, fsync on (a crash must be a real crash). */
export async function startPostgres(dir, port) {
  const data = join(dir, 'pg');
  mkdirSync(data, { recursive: true });
  chmodSync(dir, 0o777);
  if (asPostgres.length) execFileSync('chown', ['-R', 'postgres', data]);
  run(join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale']);
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    `port = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${data}'\nmax_connections = 300\n`,
  );
  if (asPostgres.length) execFileSync('chown', ['-R', 'postgres', data]);
  const start = async () => {
    run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', join(data, 'log'), '-w', 'start']);
    await waitPort(port);
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    /** a crash as the machine sees one: no checkpoint, recovery from WAL on start */
    async restart(downMs = 2000) {
      run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      await sleep(downMs);
      await start();
    },
    stop() {
      try {
        run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', 'stop']);
      } catch {
        // already down
      }
    },
  };
}

function daemon(cmd, args, log) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'ignore'], detached: false });
  child.on('error', (err) => writeFileSync(log, String(err)));
  return child;
}

/** Redis with the append-only file on, so a restart keeps the queue (BullMQ) and the bus state. */
export async function startRedis(dir, port) {
  const data = join(dir, 'redis');
  mkdirSync(data, { recursive: true });
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--appendonly',
    'yes',
    '--dir',
    data,
    '--save',
    '',
  ];
  const r = {
    url: `redis://127.0.0.1:${port}`,
    child: daemon('redis-server', args, join(data, 'err')),
    /** kill -9: what was written before the last fsync (every second) survives */
    async restart(downMs = 2000) {
      const old = r.child;
      const gone = new Promise((res) => old.once('exit', res));
      old.kill('SIGKILL');
      await gone;
      await sleep(downMs);
      r.child = daemon('redis-server', args, join(data, 'err'));
      await waitPort(port);
    },
    stop: () => r.child.kill('SIGTERM'),
  };
  await waitPort(port);
  return r;
}

/**
 * Mosquitto as bench/mqtt.mjs runs it (no connection limit, persistence off: a restart
 * forgets sessions and retained messages, the worst case for the hub). The bridges write
 * passwd and acl into `dir` and SIGHUP the pid in mosquitto.pid, so start it after them.
 */
export async function startMosquitto(dir, port, terminals) {
  const conf = join(dir, 'mosquitto.conf');
  const pidFile = join(dir, 'mosquitto.pid');
  writeFileSync(
    conf,
    `${mosquittoConf({ port, host: '127.0.0.1', authDir: dir, user: process.getuid?.() === 0 ? 'root' : undefined })}max_connections -1\n`,
  );
  const launch = async () => {
    for (let i = 0; !existsSync(join(dir, 'passwd')) && i < 300; i++) await sleep(100);
    const child = spawn(
      'sh',
      [
        '-c',
        `ulimit -n ${Math.max(terminals * 2 + 100, 4096)} 2>/dev/null || ulimit -n $(ulimit -Hn); exec mosquitto -c ${conf}`,
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(pidFile, String(child.pid));
    await waitPort(port);
    return child;
  };
  const m = {
    url: `mqtt://127.0.0.1:${port}`,
    pidFile,
    child: await launch(),
    async restart(downMs = 2000) {
      const old = m.child;
      const gone = new Promise((res) => old.once('exit', res));
      old.kill('SIGKILL');
      await gone;
      await sleep(downMs);
      m.child = await launch();
    },
    stop: () => m.child.kill('SIGTERM'),
  };
  return m;
}
