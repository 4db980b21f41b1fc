import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/api.js';
import { startHub, tempDataDir, type HubProcess } from '../support/hub-process.js';

describe('embedded mode: npm start with no outside service', () => {
  const dataDir = tempDataDir();
  let hub: HubProcess;
  let api: Api;
  let printedPassword: string;

  beforeAll(async () => {
    // no ADMIN_PASSWORD: the hub must generate one and print it once
    // and no METRICS_TOKEN: the shipped defaults
    hub = await startHub({ DATA_DIR: dataDir, ADMIN_PASSWORD: '', LOG_LEVEL: 'info', METRICS_TOKEN: '' });
    printedPassword = /password: (\S+)/.exec(hub.output())?.[1] ?? '';
    api = new Api(hub.baseUrl);
  }, 90_000);

  afterAll(async () => {
    await hub?.stop();
  });

  it('reports health 200, mode embedded, one entry per component', async () => {
    const res = await api.get('/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('embedded');
    expect(res.body.components.database).toMatchObject({ status: 'up', driver: 'pglite' });
    expect(res.body.components.queue).toMatchObject({ status: 'up', driver: 'postgres-table' });
    expect(res.body.components.bus).toMatchObject({ status: 'up', driver: 'in-process' });
    expect(res.body.components.broker).toMatchObject({ status: 'up', driver: 'aedes' });
    expect(res.body.components.sfu.driver).toBe('mediasoup 3.8.4');
  });

  it('prints a generated admin password once, and it logs in', async () => {
    expect(printedPassword.length).toBeGreaterThanOrEqual(12);
    const admin = await api.login('admin', printedPassword);
    const me = await admin.get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'admin', role: 'admin' });
    expect(me.body.passwordHash).toBeUndefined();
  });

  it('never writes the password into the JSON log lines', () => {
    const jsonLines = hub
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(jsonLines.length).toBeGreaterThan(0);
    expect(jsonLines.join('\n')).not.toContain(printedPassword);
  });

  it('answers wrong credentials with 401 and a bad body with 400 naming the field', async () => {
    const wrong = await api.post('/api/v1/auth/login', { username: 'admin', password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    const bad = await api.post('/api/v1/auth/login', { username: 'admin' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([expect.objectContaining({ path: 'password' })]);
    const malformed = await api.request('POST', '/api/v1/auth/login', undefined, '{"username":');
    expect(malformed.status).toBe(400);
  });

  it('tags every response with a request id, echoing a sane incoming one', async () => {
    const res = await fetch(`${hub.baseUrl}/api/v1/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const fresh = await fetch(`${hub.baseUrl}/api/v1/health`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves OpenAPI at /api/docs, and no metrics on the API port without METRICS_TOKEN', async () => {
    const docs = await fetch(`${hub.baseUrl}/api/docs`);
    expect(docs.status).toBe(200);
    const spec = await api.get('/api/docs/openapi.json');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/sites', '/api/v1/users']),
    );
    // the metrics name every route and count logins: nobody's business by default
    const metrics = await fetch(`${hub.baseUrl}/metrics`);
    expect(metrics.status).toBe(404);
    expect(await metrics.text()).not.toContain('yihu_http_request_duration_seconds');
  });

  it('keeps its data across a graceful restart, and prints no password the second time', async () => {
    const admin = await api.login('admin', printedPassword);
    const root = (await admin.get('/api/v1/sites')).body[0];
    const created = await admin.post('/api/v1/sites', {
      name: '青山镇',
      kind: 'township',
      parentId: root.id,
      regionCode: '420102001',
    });
    expect(created.status).toBe(201);

    expect(await hub.stop('SIGTERM')).toBe(0);
    hub = await startHub({ DATA_DIR: dataDir, ADMIN_PASSWORD: '' });
    api = new Api(hub.baseUrl);
    expect(hub.output()).not.toContain('password:');

    const again = await api.login('admin', printedPassword);
    const sites = await again.get('/api/v1/sites');
    expect(sites.body.map((s: { name: string }) => s.name)).toContain('青山镇');
    // the chain verifies across the restart and holds what was done before it (logins are
    // audited too, and not awaited, so the count is not fixed)
    const chain = await again.get('/api/v1/audit/verify');
    expect(chain.body).toMatchObject({ ok: true });
    const entries = (await again.get('/api/v1/audit?limit=500')).body as { action: string }[];
    expect(chain.body.checked).toBeGreaterThanOrEqual(2);
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['site.create', 'auth.login']));
  });

  it('survives kill -9: the data dir lock is taken over and committed data is there', async () => {
    expect(await hub.stop('SIGKILL')).toBeNull();
    hub = await startHub({ DATA_DIR: dataDir });
    api = new Api(hub.baseUrl);
    const admin = await api.login('admin', printedPassword);
    const sites = await admin.get('/api/v1/sites');
    expect(sites.body.map((s: { name: string }) => s.name)).toContain('青山镇');
  });
});
