import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../startup-error.js';
import { loadConfig, parseConfig } from './load-config.js';

const SECRET = 'x'.repeat(32);
const AUDIT_KEY = 'k'.repeat(40);
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
      MQTT_MAX_PACKET_BYTES: 20_000,
      MQTT_MAX_CONNECT_BYTES: 4096,
      MQTT_CONNECT_TIMEOUT_SECONDS: 10,
      MQTT_PENDING_PER_ADDRESS: 256,
      MQTT_PENDING_MAX: 4096,
      AUDIT_ANCHOR_SECONDS: 5,
      DB_QUEUE_MAX: 500,
    });
    expect(raw.DATABASE_URL).toBeUndefined();
    expect(raw.AUDIT_KEY).toBeUndefined();
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
    ['MQTT_MAX_PACKET_BYTES', '100', 'expected an integer from 1024 to 268435455'],
    ['MQTT_MAX_CONNECT_BYTES', '1000000', 'expected an integer from 128 to 65535'],
    ['MQTT_PENDING_PER_ADDRESS', '0', 'expected a positive integer'],
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
    ['METRICS_TOKEN', 'short-metrics-token'],
  ])('does not echo a rejected %s', (name, value) => {
    const message = startupError(() => parseConfig({ env: { [name]: value }, configDir }));
    expect(message).toMatch(new RegExp(`^invalid ${name}: `));
    expect(message).not.toContain(value);
  });

  it('holds ADMIN_PASSWORD to the password policy, with the reason in both languages', () => {
    const message = startupError(() => parseConfig({ env: { ADMIN_PASSWORD: 'qwertyuiop' }, configDir }));
    expect(message).toBe(
      'invalid ADMIN_PASSWORD: 密码太弱：密码过于常见 / weak password: the password is too common (got <redacted>)',
    );
    expect(parseConfig({ env: { ADMIN_PASSWORD: 'admin-password-1' }, configDir }).ADMIN_PASSWORD).toBe(
      'admin-password-1',
    );
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
      env: {
        DATA_DIR: dataDir,
        DATABASE_URL: 'postgres://db/yihu',
        JWT_SECRET: SECRET,
        AUDIT_KEY: AUDIT_KEY,
        PORT: '3100',
      },
      configDir,
    });
    expect(config.mode).toBe('cluster');
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.port).toBe(3100);
    expect(() => statSync(join(dataDir, 'jwt-secret'))).toThrow();
  });
});

describe('the audit key', () => {
  it('in embedded mode is generated once into DATA_DIR/audit-key (mode 0600) and reused', () => {
    const dataDir = join(dir, 'data');
    const first = loadConfig({ env: { DATA_DIR: dataDir }, configDir });
    const file = join(dataDir, 'audit-key');
    expect(first.auditKey.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8')).toBe(`${first.auditKey.toString('utf8')}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ env: { DATA_DIR: dataDir }, configDir }).auditKey).toEqual(first.auditKey);
  });

  it('is AUDIT_KEY when set, and no file is written', () => {
    const dataDir = join(dir, 'data');
    const config = loadConfig({ env: { DATA_DIR: dataDir, AUDIT_KEY }, configDir });
    expect(config.auditKey.toString('utf8')).toBe(AUDIT_KEY);
    expect(() => statSync(join(dataDir, 'audit-key'))).toThrow();
  });

  it('is read from AUDIT_KEY_FILE (one file every instance shares)', () => {
    const file = join(dir, 'shared-audit-key');
    writeFileSync(file, `${AUDIT_KEY}\n`);
    const config = loadConfig({
      env: {
        DATA_DIR: join(dir, 'data'),
        DATABASE_URL: 'postgres://db/yihu',
        JWT_SECRET: SECRET,
        AUDIT_KEY_FILE: file,
      },
      configDir,
    });
    expect(config.auditKey.toString('utf8')).toBe(AUDIT_KEY);
  });

  it('is required with DATABASE_URL: instances must not each generate their own', () => {
    const message = startupError(() =>
      parseConfig({ env: { DATABASE_URL: 'postgres://db/yihu', JWT_SECRET: SECRET }, configDir }),
    );
    expect(message).toMatch(/^missing AUDIT_KEY: required when DATABASE_URL is set/);
    expect(message).toContain('AUDIT_KEY_FILE');
  });

  it('refuses a missing or short AUDIT_KEY_FILE, a short AUDIT_KEY, and both at once', () => {
    const env = { DATA_DIR: join(dir, 'data'), DATABASE_URL: 'postgres://db/yihu', JWT_SECRET: SECRET };
    const missing = join(dir, 'nowhere');
    expect(startupError(() => loadConfig({ env: { ...env, AUDIT_KEY_FILE: missing }, configDir }))).toBe(
      `invalid AUDIT_KEY_FILE: ${missing} does not exist`,
    );
    const short = join(dir, 'short');
    writeFileSync(short, 'short\n');
    expect(startupError(() => loadConfig({ env: { ...env, AUDIT_KEY_FILE: short }, configDir }))).toMatch(
      /expected an audit key of at least 32 characters/,
    );
    const tooShort = startupError(() => parseConfig({ env: { AUDIT_KEY: 'short' }, configDir }));
    expect(tooShort).toMatch(/^invalid AUDIT_KEY: expected at least 32 characters/);
    expect(tooShort).not.toContain('short)');
    expect(
      startupError(() => parseConfig({ env: { ...env, AUDIT_KEY, AUDIT_KEY_FILE: short }, configDir })),
    ).toMatch(/not both/);
  });
});
