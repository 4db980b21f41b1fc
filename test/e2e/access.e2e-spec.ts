import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/api.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

/**
 * Roles and site scope, enforced by the server. The tree:
 *   root (command, admin) ─ county (command) ─┬ townA (township) ─ villageA1 (village)
 *                                             └ townB (township)
 */
describe('roles and site scope', () => {
  let hub: HubProcess;
  let anon: Api;
  let admin: Api;
  let commander: Api;
  let dispatcher: Api;
  let dutyA: Api;
  const ids: Record<string, string> = {};
  const PW = 'correct-horse-1';

  beforeAll(async () => {
    hub = await startHub({ SFU_ENABLED: 'false', LOGIN_MAX_ATTEMPTS: '5' });
    anon = new Api(hub.baseUrl);
    admin = await anon.login('admin', 'admin-password-1');
    ids.root = (await admin.get('/api/v1/sites')).body[0].id;
    const site = async (name: string, kind: string, parent: string) => {
      const res = await admin.post('/api/v1/sites', { name, kind, parentId: ids[parent] });
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
    };
    await site('county', 'command', 'root');
    await site('townA', 'township', 'county');
    await site('townB', 'township', 'county');
    await site('villageA1', 'village', 'townA');
    const user = async (username: string, role: string, siteName: string) => {
      const res = await admin.post('/api/v1/users', { username, password: PW, role, siteId: ids[siteName] });
      expect(res.status).toBe(201);
      return anon.login(username, PW);
    };
    commander = await user('commander1', 'commander', 'county');
    dispatcher = await user('dispatcher1', 'dispatcher', 'county');
    dutyA = await user('dutyA', 'duty_officer', 'townA');
  }, 90_000);

  afterAll(async () => {
    await hub?.stop();
  });

  const names = (body: { id: string }[]) =>
    body.map((s) => Object.keys(ids).find((k) => ids[k] === s.id) ?? s.id).sort();

  it('rejects requests without a valid token with 401', async () => {
    expect((await anon.get('/api/v1/sites')).status).toBe(401);
    expect((await anon.as('garbage.token.here').get('/api/v1/sites')).status).toBe(401);
  });

  it('lists only the sites in scope', async () => {
    expect(names((await admin.get('/api/v1/sites')).body)).toEqual([
      'county',
      'root',
      'townA',
      'townB',
      'villageA1',
    ]);
    expect(names((await commander.get('/api/v1/sites')).body)).toEqual([
      'county',
      'townA',
      'townB',
      'villageA1',
    ]);
    expect(names((await dispatcher.get('/api/v1/sites')).body)).toEqual([
      'county',
      'townA',
      'townB',
      'villageA1',
    ]);
    expect(names((await dutyA.get('/api/v1/sites')).body)).toEqual(['townA', 'villageA1']);
  });

  it('answers a site outside scope with 403 and a missing one with 404', async () => {
    expect((await dutyA.get(`/api/v1/sites/${ids.townB}`)).status).toBe(403);
    expect((await dutyA.get(`/api/v1/sites/${ids.villageA1}`)).status).toBe(200);
    expect((await commander.get(`/api/v1/sites/${ids.root}`)).status).toBe(403);
    expect((await admin.get('/api/v1/sites/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await admin.get('/api/v1/sites/not-a-uuid')).status).toBe(400);
  });

  it('lets only admins and commanders create sites, and commanders only in scope', async () => {
    const body = (parent: string) => ({ name: 'new', kind: 'township', parentId: ids[parent] });
    expect((await dutyA.post('/api/v1/sites', body('county'))).status).toBe(403);
    expect((await dispatcher.post('/api/v1/sites', body('county'))).status).toBe(403);
    expect((await commander.post('/api/v1/sites', body('county'))).status).toBe(201);
    expect((await commander.post('/api/v1/sites', body('root'))).status).toBe(403);
    expect((await commander.post('/api/v1/sites', { name: 'rogue', kind: 'command' })).status).toBe(403);
    expect((await admin.post('/api/v1/sites', { name: '市应急指挥中心', kind: 'command' })).status).toBe(201);
  });

  it('validates the site tree and region codes', async () => {
    const village = await admin.post('/api/v1/sites', { name: 'v', kind: 'village', parentId: ids.county });
    expect(village.status).toBe(400);
    expect(village.body.message).toContain('township');
    const badCode = await admin.post('/api/v1/sites', {
      name: 't',
      kind: 'township',
      parentId: ids.county,
      regionCode: '12345',
    });
    expect(badCode.status).toBe(400);
    expect(badCode.body.fields[0].path).toBe('regionCode');
    expect(
      (
        await admin.post('/api/v1/sites', {
          name: 't1',
          kind: 'township',
          parentId: ids.county,
          regionCode: '420102009',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin.post('/api/v1/sites', {
          name: 't2',
          kind: 'township',
          parentId: ids.county,
          regionCode: '420102009',
        })
      ).status,
    ).toBe(409);
  });

  it('lets commanders create non-admin users in scope only', async () => {
    const body = (username: string, role: string, site: string) => ({
      username,
      password: PW,
      role,
      siteId: ids[site],
    });
    expect((await commander.post('/api/v1/users', body('duty-b', 'duty_officer', 'townB'))).status).toBe(201);
    expect((await commander.post('/api/v1/users', body('evil-admin', 'admin', 'townB'))).status).toBe(403);
    expect((await commander.post('/api/v1/users', body('root-user', 'dispatcher', 'root'))).status).toBe(403);
    expect((await dispatcher.post('/api/v1/users', body('d2', 'duty_officer', 'townA'))).status).toBe(403);
    expect((await dutyA.post('/api/v1/users', body('d3', 'duty_officer', 'townA'))).status).toBe(403);
    expect((await admin.post('/api/v1/users', body('DUTY-B', 'duty_officer', 'townB'))).status).toBe(409);
    const bad = await admin.post('/api/v1/users', {
      ...body('ok-name', 'duty_officer', 'townA'),
      password: 'short',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].path).toBe('password');
  });

  it('lists users in scope; duty officers may not list users', async () => {
    expect((await dutyA.get('/api/v1/users')).status).toBe(403);
    const seen = (await commander.get('/api/v1/users')).body.map((u: { username: string }) => u.username);
    expect(seen).toEqual(expect.arrayContaining(['commander1', 'dispatcher1', 'dutyA']));
    expect(seen).not.toContain('admin');
    expect((await dutyA.get('/api/v1/auth/me')).body.username).toBe('dutyA');
  });

  it('keeps the audit log for admins only, and its chain verifies', async () => {
    expect((await commander.get('/api/v1/audit')).status).toBe(403);
    const log = await admin.get('/api/v1/audit?limit=5');
    expect(log.status).toBe(200);
    expect(log.body).toHaveLength(5);
    // logins and refusals are audited too (auth.*, access.denied)
    expect(log.body[0].action).toMatch(/^((site|user)\.create|auth\.login|access\.denied)$/);
    expect((await admin.get('/api/v1/audit/verify')).body.ok).toBe(true);
  });

  it('throttles repeated failed logins with 429 and Retry-After', async () => {
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await anon.post('/api/v1/auth/login', { username: 'dutyA', password: `wrong-${i}` })).status,
      ).toBe(401);
    }
    const throttled = await anon.post('/api/v1/auth/login', { username: 'dutyA', password: PW });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
