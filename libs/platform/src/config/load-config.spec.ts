import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../startup-error.js';
import { loadConfig, parseConfig } from './load-config.js';

const SECRET = 'x'.repeat(32);
let dir: string;
let configDir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'yihu-config-'));
  configDir = join(dir, 'config');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeYaml(file: string, text: string): string {
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, file), text);
  return join(configDir, file);
}

/** Runs `fn`, expects a StartupError, and returns its message. */
function startupError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StartupError);
    return (err as Error).message;
  }
  throw new Error('expected a StartupError, nothing was thrown');
}

describe('parseConfig', () => {
  it('fills in defaults when nothing is set', () => {
    const raw = parseConfig({ env: {}, configDir });
    expect(raw).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      DATA_DIR: './data',
      MQTT_PORT: 1883,
      JWT_TTL_SECONDS: 12 * 3600,
      LOG_LEVEL: 'info',
      DB_POOL_SIZE: 10,
      SFU_ENABLED: true,
      TERMINAL_RESEND_AFTER_SECONDS: 60,
    });
    expect(raw.DATABASE_URL).toBeUndefined();
    expect(raw.JWT_SECRET).toBeUndefined();
  });

  it('coerces numbers from the environment', () => {
    expect(parseConfig({ env: { PORT: '8080', MQTT_PORT: '1884' }, configDir })).toMatchObject({
      PORT: 8080,
      MQTT_PORT: 1884,
    });
  });

  const PORT_MSG = 'expected a TCP port number (1-65535)';
  const PG_MSG = 'expected a URL starting with postgres:// or postgresql://';
  it.each([
    ['PORT', 'abc', PORT_MSG],
    ['PORT', '70000', PORT_MSG],
    ['DATABASE_URL', 'http://x', PG_MSG],
    ['DATABASE_URL', 'not a url', PG_MSG],
    ['REDIS_URL', 'foo', 'expected a URL starting with redis:// or rediss://'],
    ['MQTT_PORT', '0', PORT_MSG],
    ['JWT_SECRET', 'too-short', 'expected at least 32 characters'],
    ['LOG_LEVEL', 'loud', 'expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"'],
    ['MOSQUITTO_BRIDGE_USERNAMES', 'yihu-a, yihu b', 'expected a comma-separated list of user names'],
    ['MOSQUITTO_BRIDGE_USERNAMES', 'yihu-a,,yihu-b', 'expected a comma-separated list of user names'],
    ['TERMINAL_RESEND_AFTER_SECONDS', '0', 'expected a positive integer'],
    ['TERMINAL_RESEND_AFTER_SECONDS', 'soon', 'expected a positive integer'],
  ])('rejects %s=%s with one line naming the variable', (name, value, expected) => {
    const message = startupError(() => parseConfig({ env: { [name]: value }, configDir }));
    expect(message.startsWith(`invalid ${name}: `)).toBe(true);
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  // A rejected secret must not land in the start-up output.
  it.each([
    ['JWT_SECRET', 'short-but-real-secret'],
    ['ADMIN_PASSWORD', 'hunter2'],
    ['MQTT_PASSWORD', 'short-mqtt-pw'],
    ['MQTT_HTTP_AUTH_TOKEN', 'short-http-token'],
  ])('does not echo a rejected %s', (name, value) => {
    const message = startupError(() => parseConfig({ env: { [name]: value }, configDir }));
    expect(message).toMatch(new RegExp(`^invalid ${name}: `));
    expect(message).not.toContain(value);
  });

  it('requires JWT_SECRET when DATABASE_URL is set', () => {
    const message = startupError(() =>
      parseConfig({ env: { DATABASE_URL: 'postgres://db/yihu' }, configDir }),
    );
    expect(message).toMatch(/^missing JWT_SECRET: /);
    expect(message).not.toContain('\n');
  });

  it('reads YAML files, later files overriding earlier ones', () => {
    writeYaml('10-base.yaml', 'PORT: 4000\nLOG_LEVEL: debug\n');
    writeYaml('20-site.yml', 'LOG_LEVEL: warn\n');
    writeYaml('notes.txt', 'PORT: not-read\n');
    expect(parseConfig({ env: {}, configDir })).toMatchObject({ PORT: 4000, LOG_LEVEL: 'warn' });
  });

  it('lets the environment override YAML, ignoring empty env values', () => {
    writeYaml('app.yaml', 'PORT: 4000\nLOG_LEVEL: debug\n');
    expect(parseConfig({ env: { PORT: '5000', LOG_LEVEL: '' }, configDir })).toMatchObject({
      PORT: 5000,
      LOG_LEVEL: 'debug',
    });
  });

  it('names a bad YAML value like a bad env value', () => {
    writeYaml('app.yaml', 'PORT: 99999\n');
    expect(startupError(() => parseConfig({ env: {}, configDir }))).toMatch(/^invalid PORT: /);
  });

  it('rejects an unknown YAML key, naming file and key', () => {
    const file = writeYaml('app.yaml', 'PORT: 4000\nPROT: 4001\n');
    expect(startupError(() => parseConfig({ env: {}, configDir }))).toBe(
      `config file ${file}: unknown setting PROT`,
    );
  });

  it('rejects invalid YAML with the file name, on one line', () => {
    const file = writeYaml('broken.yaml', 'PORT: [4000\nHOST: x\n');
    const message = startupError(() => parseConfig({ env: {}, configDir }));
    expect(message.startsWith(`config file ${file} is not valid YAML: `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('rejects a YAML file that is not a map', () => {
    const file = writeYaml('list.yaml', '- PORT\n- 4000\n');
    expect(startupError(() => parseConfig({ env: {}, configDir }))).toBe(
      `config file ${file} must be a map of VARIABLE: value`,
    );
  });
});

describe('loadConfig', () => {
  it('in embedded mode generates DATA_DIR/jwt-secret once (mode 0600) and reuses it', () => {
    const dataDir = join(dir, 'data', 'nested');
    const first = loadConfig({ env: { DATA_DIR: dataDir }, configDir });
    const file = join(dataDir, 'jwt-secret');

    expect(first.mode).toBe('embedded');
    expect(first.dataDir).toBe(dataDir);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8')).toBe(`${first.jwtSecret}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = loadConfig({ env: { DATA_DIR: dataDir }, configDir });
    expect(second.jwtSecret).toBe(first.jwtSecret);
  });

  it('stays embedded with a configured JWT_SECRET, using it instead of a generated file', () => {
    const dataDir = join(dir, 'data');
    const config = loadConfig({ env: { DATA_DIR: dataDir, JWT_SECRET: SECRET }, configDir });
    expect(config.mode).toBe('embedded');
    expect(config.jwtSecret).toBe(SECRET);
    expect(() => statSync(join(dataDir, 'jwt-secret'))).toThrow();
  });

  it('refuses a jwt-secret file that is too short', () => {
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'jwt-secret'), 'short\n');
    expect(startupError(() => loadConfig({ env: { DATA_DIR: dataDir }, configDir }))).toMatch(/jwt-secret/);
  });

  it('is in cluster mode when DATABASE_URL is set, using the configured secret and no file', () => {
    const dataDir = join(dir, 'data');
    const config = loadConfig({
      env: { DATA_DIR: dataDir, DATABASE_URL: 'postgres://db/yihu', JWT_SECRET: SECRET, PORT: '3100' },
      configDir,
    });
    expect(config.mode).toBe('cluster');
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.port).toBe(3100);
    expect(() => statSync(join(dataDir, 'jwt-secret'))).toThrow();
  });
});
