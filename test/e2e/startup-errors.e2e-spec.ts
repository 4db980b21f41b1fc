import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../support/ports.js';
import { runUntilExit, startHub, tempDataDir, type HubProcess } from '../support/hub-process.js';

const SECRET = 'x'.repeat(40);

/** The output must be exactly one line, and it must say what to change. */
function expectOneLine(output: string, ...needles: string[]): void {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  for (const needle of needles) expect(lines[0]).toContain(needle);
}

describe('start-up errors stop the process with one clear line', () => {
  it.each([
    ['PORT', { PORT: 'abc' }, ['invalid PORT', 'TCP port']],
    ['PORT range', { PORT: '70000' }, ['invalid PORT']],
    ['MQTT_PORT', { MQTT_PORT: '-1' }, ['invalid MQTT_PORT']],
    [
      'malformed DATABASE_URL',
      { DATABASE_URL: 'not a url', JWT_SECRET: SECRET, AUDIT_KEY: SECRET },
      ['invalid DATABASE_URL', 'postgres://'],
    ],
    ['wrong scheme REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }, ['invalid REDIS_URL', 'redis://']],
    [
      'DATABASE_URL without JWT_SECRET',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' },
      ['missing JWT_SECRET'],
    ],
    ['short JWT_SECRET', { JWT_SECRET: 'short' }, ['invalid JWT_SECRET', '32']],
    [
      'DATABASE_URL without AUDIT_KEY (each instance would key its own chain)',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', JWT_SECRET: SECRET },
      ['missing AUDIT_KEY', 'AUDIT_KEY_FILE'],
    ],
    [
      'a bridge missing from MOSQUITTO_BRIDGE_USERNAMES',
      {
        MQTT_URL: 'mqtt://127.0.0.1:1',
        MQTT_PASSWORD: 'bridge-password-0123456789',
        MQTT_USERNAME: 'yihu-bridge-c',
        MOSQUITTO_AUTH_DIR: tempDataDir(),
        MOSQUITTO_BRIDGE_USERNAMES: 'yihu-bridge-a,yihu-bridge-b',
      },
      ['invalid MOSQUITTO_BRIDGE_USERNAMES', 'yihu-bridge-c'],
    ],
    [
      'a bridge login shaped like a terminal id',
      {
        MQTT_URL: 'mqtt://127.0.0.1:1',
        MQTT_PASSWORD: 'bridge-password-0123456789',
        MQTT_USERNAME: 't0123456789abcdef0123',
        MOSQUITTO_AUTH_DIR: tempDataDir(),
      },
      ['invalid MQTT_USERNAME', 'form of a terminal id'],
    ],
  ])('%s', async (_name, env, needles) => {
    const result = await runUntilExit({
      PORT: String(await freePort()),
      MQTT_PORT: String(await freePort()),
      ...env,
    });
    expect(result.code).toBe(1);
    expectOneLine(result.output, ...needles);
  });

  it('an unreachable DATABASE_URL fails within 10 s, without echoing the password', async () => {
    const result = await runUntilExit({
      PORT: String(await freePort()),
      DATABASE_URL: `postgres://postgres:hunter2secret@127.0.0.1:${await freePort()}/nowhere`,
      JWT_SECRET: SECRET,
      AUDIT_KEY: SECRET,
    });
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(10_000);
    expectOneLine(result.output, 'cannot reach DATABASE_URL');
    expect(result.output).not.toContain('hunter2secret');
  });

  it('an unreachable REDIS_URL fails within 10 s', async () => {
    const result = await runUntilExit({
      PORT: String(await freePort()),
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(10_000);
    expectOneLine(result.output, 'cannot reach REDIS_URL');
  });

  describe('ports in use', () => {
    let blocker: Server;
    let busyPort: number;

    beforeAll(async () => {
      busyPort = await freePort();
      blocker = createServer();
      await new Promise<void>((r) => blocker.listen(busyPort, '0.0.0.0', () => r()));
    });
    afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

    it('names MQTT_PORT and MQTT_URL when the broker port is taken (as Mosquitto takes 1883 here)', async () => {
      const result = await runUntilExit({ PORT: String(await freePort()), MQTT_PORT: String(busyPort) });
      expect(result.code).toBe(1);
      expectOneLine(result.output, `port ${busyPort} is in use`, 'MQTT_PORT', 'MQTT_URL');
    });

    it('names PORT when the HTTP port is taken', async () => {
      const result = await runUntilExit({ PORT: String(busyPort), MQTT_PORT: String(await freePort()) });
      expect(result.code).toBe(1);
      expectOneLine(result.output, `port ${busyPort} is in use (PORT)`);
    });
  });

  describe('a DATA_DIR already in use', () => {
    let first: HubProcess;
    const dataDir = tempDataDir();

    beforeAll(async () => {
      first = await startHub({ DATA_DIR: dataDir, SFU_ENABLED: 'false' });
    }, 90_000);
    afterAll(async () => {
      await first.stop();
    });

    it('is refused, naming DATA_DIR and the pid holding it', async () => {
      const result = await runUntilExit({
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        MQTT_PORT: String(await freePort()),
      });
      expect(result.code).toBe(1);
      expectOneLine(result.output, 'DATA_DIR', 'in use by another yihu process', 'pid');
      // and the first instance is unharmed
      expect((await fetch(`${first.baseUrl}/api/v1/health`)).status).toBe(200);
    });
  });
});
