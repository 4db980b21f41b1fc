import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Api } from '../support/api.js';
import { createUser, openConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import {
  createTestDatabase,
  MOSQUITTO_URL,
  REDIS_URL,
  uniquePrefix,
  type TestDatabase,
} from '../support/services.js';

describe('cluster mode: PostgreSQL, Redis and an external broker, two instances', () => {
  let db: TestDatabase;
  let a: HubProcess;
  let b: HubProcess;
  const redisPrefix = uniquePrefix();
  const env = (instance: string) => ({
    INSTANCE_ID: instance,
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    MQTT_URL: MOSQUITTO_URL,
    JWT_SECRET: 'cluster-test-secret-0123456789-abcdefghij',
    AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
    SFU_WORKERS: '1',
    LOGIN_MAX_ATTEMPTS: '3',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    // start both at once: migrations and the admin bootstrap must not race
    [a, b] = await Promise.all([startHub(env('a')), startHub(env('b'))]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('reports mode cluster with the real drivers', async () => {
    for (const hub of [a, b]) {
      const health = await new Api(hub.baseUrl).get('/api/v1/health');
      expect(health.status).toBe(200);
      expect(health.body.mode).toBe('cluster');
      expect(health.body.components.database).toMatchObject({ status: 'up', driver: 'postgres' });
      expect(health.body.components.queue).toMatchObject({ status: 'up', driver: 'bullmq' });
      expect(health.body.components.bus).toMatchObject({ status: 'up', driver: 'redis' });
      expect(health.body.components.broker).toMatchObject({ status: 'up', driver: 'external' });
    }
  });

  it('bootstrapped exactly one admin and one root site despite the simultaneous start', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const users = await client.query(`SELECT count(*)::int AS n FROM users WHERE username = 'admin'`);
    const roots = await client.query(`SELECT count(*)::int AS n FROM sites WHERE parent_id IS NULL`);
    await client.end();
    expect(users.rows[0].n).toBe(1);
    expect(roots.rows[0].n).toBe(1);
  });

  it('shares state: a user created through one instance logs in through the other', async () => {
    const adminA = await new Api(a.baseUrl).login('admin', 'admin-password-1');
    const root = (await adminA.get('/api/v1/sites')).body[0];
    const created = await adminA.post('/api/v1/users', {
      username: 'disp-b',
      password: 'pass-word-22',
      role: 'dispatcher',
      siteId: root.id,
    });
    expect(created.status).toBe(201);
    const onB = await new Api(b.baseUrl).login('disp-b', 'pass-word-22');
    expect((await onB.get('/api/v1/auth/me')).body.username).toBe('disp-b');
    // a token issued by A is honoured by B (shared JWT_SECRET)
    const me = await new Api(b.baseUrl)
      .as((adminA as unknown as { token: string }).token)
      .get('/api/v1/auth/me');
    expect(me.body.username).toBe('admin');
  });

  it('counts failed logins across instances (Redis), so spreading guesses does not help', async () => {
    const bad = (hub: HubProcess) =>
      new Api(hub.baseUrl).post('/api/v1/auth/login', { username: 'disp-b', password: 'wrong-pass' });
    expect((await bad(a)).status).toBe(401);
    expect((await bad(b)).status).toBe(401);
    expect((await bad(a)).status).toBe(401);
    expect((await bad(b)).status).toBe(429);
  });

  it('detects a modified audit row', async () => {
    const admin = await new Api(b.baseUrl).login('admin', 'admin-password-1');
    expect((await admin.get('/api/v1/audit/verify')).body.ok).toBe(true);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // someone with DDL rights gets past the append-only trigger and edits history
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    const edited = await client.query(
      `UPDATE audit_log SET data = jsonb_set(data, '{role}', '"admin"') WHERE action = 'user.create' RETURNING seq`,
    );
    await client.end();
    const verdict = await admin.get('/api/v1/audit/verify');
    expect(verdict.body.ok).toBe(false);
    // logins are audited too, so the user.create entry is not necessarily the second
    expect(verdict.body.brokenAt).toMatchObject({
      seq: Number(edited.rows[0].seq),
      reason: 'content does not match its hash',
    });
  });

  it("closes a disabled user's sockets on the other instance too (the bus carries it)", async () => {
    const adminA = await new Api(a.baseUrl).login('admin', 'admin-password-1');
    const root = (await adminA.get('/api/v1/sites')).body[0];
    const duty = await createUser(adminA, 'duty-cluster', 'duty_officer', root.id);
    const onB = await openConsole(b.baseUrl, duty.token);
    const closed = new Promise<string>((r) => onB.socket.once('disconnect', (reason) => r(reason)));
    expect((await adminA.request('PATCH', `/api/v1/users/${duty.id}`, { disabled: true })).status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    // and b's actor cache was dropped at once, not after its 10 s
    expect((await new Api(b.baseUrl, duty.token).get('/api/v1/auth/me')).status).toBe(401);
  });
});
