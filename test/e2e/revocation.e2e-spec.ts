import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { io, type Socket } from 'socket.io-client';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

const call = (s: Socket, event: string, body: unknown) =>
  s.timeout(5000).emitWithAck(event, body) as Promise<any>;

/** Resolves with the disconnect reason the client saw. */
const disconnected = (s: Socket) => new Promise<string>((r) => s.once('disconnect', (reason) => r(reason)));

async function sfuSocket(baseUrl: string, token: string): Promise<Socket> {
  const s = io(`${baseUrl}/sfu`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

describe('revocation reaches open sockets', () => {
  let hub: HubProcess;
  let admin: Api;
  let rootId: string;
  let townA: string;

  beforeAll(async () => {
    hub = await startHub();
    admin = await adminLogin(hub.baseUrl);
    rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    townA = await createSite(admin, '青山镇', 'township', rootId);
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
  });

  it('a disabled user is cut off at once: their open console socket closes and cannot 签收', async () => {
    const dispatcher = await createUser(admin, 'disp-rev', 'dispatcher', rootId);
    const duty = await createUser(admin, 'duty-rev', 'duty_officer', townA);
    const console = await openConsole(hub.baseUrl, duty.token);
    const issued = await dispatcher.api.post('/api/v1/directives', {
      title: '停用测试',
      body: 'x',
      level: 'blue',
      targets: { siteIds: [townA] },
    });
    expect(issued.status).toBe(201);
    await waitFor(
      () => (console.directives.length > 0 ? true : undefined),
      10_000,
      'directive on the console',
    );
    const closed = disconnected(console.socket);

    const res = await admin.request('PATCH', `/api/v1/users/${duty.id}`, { disabled: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: duty.id, disabled: true });
    expect(await closed).toBe('io server disconnect');
    // the 签收 the socket could no longer send did not happen by any other way either
    const board = await dispatcher.api.get(`/api/v1/directives/${issued.body.id}`);
    expect(JSON.stringify(board.body)).not.toContain('"acknowledged"');
    // and the user can no longer connect, log in or use the token over REST
    const again = io(hub.baseUrl, {
      auth: { token: duty.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    expect((await new Promise<Error>((r) => again.once('connect_error', r))).message).toMatch(/disabled/);
    again.close();
    expect((await duty.api.get('/api/v1/auth/me')).status).toBe(401);
    expect(
      (
        await new Api(hub.baseUrl).post('/api/v1/auth/login', {
          username: 'duty-rev',
          password: 'password-123',
        })
      ).status,
    ).toBe(401);

    // enabled again, they log in; both changes are audited
    expect(
      (await admin.request('PATCH', `/api/v1/users/${duty.id}`, { disabled: false })).body.disabled,
    ).toBe(false);
    await new Api(hub.baseUrl).login('duty-rev', 'password-123');
    const audit = (await admin.get(`/api/v1/audit?subjectId=${duty.id}`)).body as any[];
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['user.disable', 'user.enable']));
  }, 60_000);

  it('a commander demoted to duty officer loses moderator powers on the /sfu socket already open', async () => {
    const cmd = await createUser(admin, 'cmd-rev', 'commander', rootId);
    const created = await cmd.api.post('/api/v1/consultations', { title: '降级测试', siteIds: [townA] });
    expect(created.status).toBe(201);
    const s = await sfuSocket(hub.baseUrl, cmd.token);
    const joined = await call(s, 'sfu:join', { consultationId: created.body.id });
    expect(joined).toMatchObject({ ok: true, moderator: true });
    // a moderator's powers, before
    expect(await call(s, 'sfu:mute', { peerId: joined.peerId, kind: 'audio', muted: true })).toEqual({
      ok: true,
    });
    expect((await call(s, 'sfu:stats', {})).ok).toBe(true);

    const res = await admin.request('PATCH', `/api/v1/users/${cmd.id}`, { role: 'duty_officer' });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('duty_officer');
    expect(await call(s, 'sfu:mute', { peerId: joined.peerId, kind: 'audio', muted: false })).toEqual({
      ok: false,
      error: 'only a moderator may do this',
    });
    expect(await call(s, 'sfu:stats', {})).toMatchObject({ ok: false });
    s.close();
  }, 60_000);

  it('follows the access rules: a commander manages users below them, never an admin or themselves', async () => {
    const county = await createSite(admin, '县指挥中心', 'command', rootId);
    const cmd = await createUser(admin, 'cmd-county', 'commander', county);
    const town = await createSite(admin, '白水乡', 'township', county);
    const duty = await createUser(admin, 'duty-county', 'duty_officer', town);
    const outsider = await createUser(admin, 'duty-outside', 'duty_officer', townA);
    const adminId = (await admin.get('/api/v1/auth/me')).body.id as string;
    const patch = (who: Api, id: string, body: unknown) => who.request('PATCH', `/api/v1/users/${id}`, body);
    expect((await patch(cmd.api, duty.id, { role: 'dispatcher' })).status).toBe(200);
    expect((await patch(cmd.api, outsider.id, { disabled: true })).status).toBe(403);
    expect((await patch(cmd.api, adminId, { disabled: true })).status).toBe(403);
    expect((await patch(cmd.api, cmd.id, { role: 'admin' })).status).toBe(403);
    expect((await patch(cmd.api, duty.id, { role: 'admin' })).status).toBe(403);
    expect((await patch(cmd.api, duty.id, { siteId: townA })).status).toBe(403);
    expect((await patch(admin, adminId, { disabled: true })).status).toBe(403);
    expect((await patch(duty.api, outsider.id, { disabled: true })).status).toBe(403);
    expect((await patch(admin, duty.id, {})).status).toBe(400);
    expect((await patch(admin, duty.id, { disabled: 'yes' })).status).toBe(400);
  }, 60_000);
});

describe('a socket does not outlive its token', () => {
  let hub: HubProcess;

  beforeAll(async () => {
    hub = await startHub({ JWT_TTL_SECONDS: '6' });
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
  });

  it('closes console and /sfu sockets when the token expires', async () => {
    const login = await new Api(hub.baseUrl).post('/api/v1/auth/login', {
      username: 'admin',
      password: 'admin-password-1',
    });
    expect(login.body.expiresIn).toBe(6);
    const issuedAt = Date.now();
    const console = await openConsole(hub.baseUrl, login.body.accessToken as string);
    const sfu = await sfuSocket(hub.baseUrl, login.body.accessToken as string);
    const [a, b] = await Promise.all([disconnected(console.socket), disconnected(sfu)]);
    expect([a, b]).toEqual(['io server disconnect', 'io server disconnect']);
    // not before the token's expiry (second-granular, so allow a second early)
    expect(Date.now() - issuedAt).toBeGreaterThan(4000);
  }, 60_000);
});
