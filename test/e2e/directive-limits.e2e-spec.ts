import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

type User = { id: string; api: Api; token: string };

const GROUPS = 40;
const PER_GROUP = 2400;

function consoleSocket(baseUrl: string, token: string): Socket {
  return io(baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
}

function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

async function timedHealth(baseUrl: string): Promise<number> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}/api/v1/health`);
  expect(res.status).toBe(200);
  return Date.now() - started;
}

/**
 * Fan-out per request (issue #21 item 11), on two cluster instances sharing PostgreSQL and
 * Redis: a directive to 40 groups with includeChildren (96,000 prefixes) answered 500 and
 * stalled the hub; directive issue had no rate; one console socket could send 20,000 events
 * and one user could open any number of sockets.
 */
describe('fan-out and rate limits per request, socket and user', () => {
  let db: TestDatabase;
  let a: HubProcess;
  let b: HubProcess;
  let dispatcher: User;
  let sender: User;
  let officer: User;
  let town: string;
  let groupIds: string[];
  const sockets: Socket[] = [];
  const prefix = uniquePrefix();
  const env = (instance: string) => ({
    INSTANCE_ID: instance,
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: 'directive-limits-secret-0123456789-abcdef',
    AUDIT_KEY: 'directive-limits-audit-key-0123456789-abcdef',
    SFU_ENABLED: 'false',
    SOCKET_CONSOLE_SOCKETS_PER_USER: '3',
    DIRECTIVE_SENDS_PER_MINUTE: '5',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await Promise.all([startHub(env('lim-a')), startHub(env('lim-b'))]);
    const admin = await adminLogin(a.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    town = await createSite(admin, '红旗镇', 'township', rootId);
    dispatcher = await createUser(admin, 'disp-limits', 'dispatcher', rootId);
    sender = await createUser(admin, 'disp-rate', 'dispatcher', rootId);
    officer = await createUser(admin, 'duty-flood', 'duty_officer', town);
    // 96,000 townships in 40 groups, written straight to the database: the API would take hours
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const [root] = (await client.query('SELECT path FROM sites WHERE id = $1', [rootId])).rows;
    const groups = await client.query(
      `INSERT INTO site_groups (id, name, owner_site_id, owner_site_path, created_by)
       SELECT gen_random_uuid(), '分组' || g, $1, $2, $3 FROM generate_series(1, $4) g RETURNING id`,
      [rootId, root.path, dispatcher.id, GROUPS],
    );
    groupIds = groups.rows.map((r: { id: string }) => r.id);
    await client.query(
      `WITH n AS (SELECT gen_random_uuid() AS id, g FROM generate_series(0, $3 - 1) g),
            s AS (INSERT INTO sites (id, name, kind, parent_id, path)
                  SELECT id, '乡镇' || g, 'township', $1, $2 || id || '/' FROM n RETURNING id)
       INSERT INTO site_group_members (group_id, site_id)
       SELECT ($4::uuid[])[1 + (n.g % $5)], n.id FROM n`,
      [rootId, root.path, GROUPS * PER_GROUP, groupIds, GROUPS],
    );
    await client.end();
  }, 180_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('refuses 40 groups with includeChildren (96,000 prefixes) with a clear 4xx, fast, never 500', async () => {
    const body = (ids: string[]) => ({
      title: '全县分组',
      body: 'x',
      level: 'blue',
      targets: { groupIds: ids, includeChildren: true },
    });
    const started = Date.now();
    const answers = await Promise.all(
      [0, 1, 2, 3].map(() => dispatcher.api.post('/api/v1/directives', body(groupIds))),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const res of answers) {
      expect(res.status).toBe(413);
      expect(res.body.message).toBe(
        `targets.groupIds: ${GROUPS} groups; at most 20 per directive (DIRECTIVE_MAX_GROUPS)`,
      );
    }
    // 10 groups: 24,000 sites, over the recipient limit, found out without expanding 24,000 subtrees
    const tooMany = await dispatcher.api.post('/api/v1/directives', body(groupIds.slice(0, 10)));
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.message).toMatch(
      /at most 20000 recipients per directive \(DIRECTIVE_MAX_RECIPIENTS\)/,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await timedHealth(a.baseUrl)).toBeLessThan(5000);
  });

  it('expands a few large groups with their children quickly, and the hub stays responsive', async () => {
    const started = Date.now();
    const res = await sender.api.post('/api/v1/directives', {
      title: '三个分组',
      body: 'x',
      level: 'blue',
      targets: { groupIds: groupIds.slice(0, 3), includeChildren: true },
    });
    expect(res.status).toBe(201);
    expect(res.body.recipients).toHaveLength(3 * PER_GROUP);
    expect(Date.now() - started).toBeLessThan(30_000);
    // another township's red directive is not held up
    const red = Date.now();
    const urgent = await sender.api.post('/api/v1/directives', {
      title: '红色预警',
      body: 'x',
      level: 'red',
      targets: { siteIds: [town] },
    });
    expect(urgent.status).toBe(201);
    expect(Date.now() - red).toBeLessThan(10_000);
  });

  it('rate-limits directive issue per user with 429 and Retry-After', async () => {
    const issue = () =>
      sender.api.post('/api/v1/directives', {
        title: '频率',
        body: 'x',
        level: 'blue',
        targets: { siteIds: [town] },
      });
    // two used above; the budget is 5 a minute, shared by both instances through Redis
    const answers = await Promise.all([issue(), issue(), issue(), issue(), issue()]);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.message).toMatch(/at most 5 a minute per user \(DIRECTIVE_SENDS_PER_MINUTE\)/);
    const id = answers.find((r) => r.status === 201)!.body.id;
    const resend = await sender.api.post(`/api/v1/directives/${id}/resend`, { siteIds: [town] });
    expect(resend.status).toBe(429);
    // another user has a budget of their own
    expect(
      (
        await dispatcher.api.post('/api/v1/directives', {
          title: '另一人',
          body: 'x',
          level: 'blue',
          targets: { siteIds: [town] },
        })
      ).status,
    ).toBe(201);
  });

  it('refuses a console socket beyond the per-user cap across instances', async () => {
    const open = async (hub: HubProcess) => {
      const s = consoleSocket(hub.baseUrl, officer.token);
      sockets.push(s);
      return outcome(s);
    };
    expect(await open(a)).toBe('connected');
    expect(await open(b)).toBe('connected');
    expect(await open(a)).toBe('connected');
    expect(await open(b)).toMatch(/too many connections for this user: at most 3 on \/ /);
    sockets[0]!.disconnect();
    await waitFor(async () => (await open(b)) === 'connected', 5000, 'a slot after a disconnect');
    for (const s of sockets.splice(0)) s.disconnect();
  });

  it('20,000 events on one socket: rate-limited and disconnected, health stays responsive', async () => {
    const directive = await dispatcher.api.post('/api/v1/directives', {
      title: '洪水',
      body: 'x',
      level: 'blue',
      targets: { siteIds: [town] },
    });
    expect(directive.status).toBe(201);
    const s = consoleSocket(a.baseUrl, officer.token);
    sockets.push(s);
    expect(await outcome(s)).toBe('connected');
    const answers: any[] = [];
    let disconnected = '';
    s.on('disconnect', (reason) => (disconnected = reason));
    for (let i = 0; i < 20_000; i++) {
      s.emit('directive.ack', { directiveId: directive.body.id }, (r: unknown) => answers.push(r));
      if (i % 2000 === 0) await sleep(0);
    }
    const slowest = Math.max(
      ...(await Promise.all(
        [0, 1, 2, 3, 4].map(async (i) => {
          await sleep(i * 200);
          return timedHealth(a.baseUrl);
        }),
      )),
    );
    expect(slowest).toBeLessThan(5000);
    await waitFor(() => disconnected !== '', 15_000, 'the flooding socket to be disconnected');
    expect(disconnected).toBe('io server disconnect');
    expect(
      answers.some((r) => r.ok === false && /rate limited: at most 20 events a second/.test(r.error)),
    ).toBe(true);
    // far fewer than 20,000 reached the handler
    expect(answers.filter((r) => r.ok === true).length).toBeLessThan(200);
  });
});
