import { createServer, type Server as HttpServer } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Server, type Socket } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import type { Actor } from '#domain';
import { DomainError, SocketSessions } from '#platform';
import { freePort } from '../support/ports.js';

const actor = (role: Actor['role'], siteId = 's1'): Actor => ({
  userId: 'u1',
  role,
  siteId,
  sitePath: `/${siteId}/`,
});

/**
 * SocketSessions on a real Socket.IO server with real clients, in two namespaces. The user
 * directory it reads is a Map the test edits, as an operator edits the users table: the
 * per-event re-check must notice without any call from the REST side.
 */
describe('SocketSessions', () => {
  let http: HttpServer;
  let server: Server;
  let port: number;
  let directory: Map<string, Actor | 'disabled' | 'db down'>;
  let sessions: SocketSessions;
  let expiresAtMs: number;
  const clients: ClientSocket[] = [];

  beforeEach(async () => {
    directory = new Map([['u1', actor('commander')]]);
    expiresAtMs = Date.now() + 60_000;
    sessions = new SocketSessions(async (userId) => {
      const a = directory.get(userId);
      if (a === 'db down') throw new Error('Connection terminated unexpectedly');
      if (!a || a === 'disabled')
        throw new DomainError('unauthenticated', 'user no longer exists or is disabled');
      return a;
    });
    port = await freePort();
    http = createServer();
    server = new Server(http);
    for (const nsp of [server.of('/'), server.of('/sfu')]) {
      nsp.use((socket, next) => {
        socket.data.actor = actor('commander');
        sessions.track(socket, expiresAtMs);
        next();
      });
      nsp.on('connection', (socket: Socket) => {
        // like the gateways: the actor is read when the event is handled
        socket.on('whoami', (_body: unknown, cb: (r: unknown) => void) =>
          cb({ ok: true, role: (socket.data.actor as Actor).role }),
        );
      });
    }
    await new Promise<void>((r) => http.listen(port, '127.0.0.1', () => r()));
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const connect = async (nsp = '/') => {
    const c = io(`http://127.0.0.1:${port}${nsp}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    clients.push(c);
    await new Promise<void>((r) => c.once('connect', () => r()));
    return c;
  };
  const whoami = (c: ClientSocket) => c.timeout(5000).emitWithAck('whoami', {}) as Promise<any>;
  const disconnected = (c: ClientSocket) =>
    new Promise<string>((r) => c.once('disconnect', (reason) => r(reason)));

  it('hands each event the actor as it is now: a demotion shows on the next event', async () => {
    const c = await connect('/sfu');
    expect(await whoami(c)).toEqual({ ok: true, role: 'commander' });
    directory.set('u1', actor('duty_officer'));
    expect(await whoami(c)).toEqual({ ok: true, role: 'duty_officer' });
    expect(c.connected).toBe(true);
  });

  it('refuses the event of a user disabled behind its back, through its ack, and disconnects', async () => {
    const c = await connect();
    const closed = disconnected(c);
    directory.set('u1', 'disabled');
    expect(await whoami(c)).toEqual({ ok: false, error: 'user no longer exists or is disabled' });
    expect(await closed).toBe('io server disconnect');
  });

  it('fails the event but keeps the socket when the account cannot be read (database down)', async () => {
    const c = await connect();
    directory.set('u1', 'db down');
    expect(await whoami(c)).toEqual({ ok: false, error: 'could not check your account just now; try again' });
    directory.set('u1', actor('commander'));
    expect(await whoami(c)).toEqual({ ok: true, role: 'commander' });
    expect(c.connected).toBe(true);
  });

  it('closes a socket whose user moved to another site (its rooms are the old site’s)', async () => {
    const c = await connect();
    const closed = disconnected(c);
    directory.set('u1', actor('commander', 's2'));
    expect(await whoami(c)).toEqual({ ok: false, error: 'your site has changed; reconnect' });
    expect(await closed).toBe('io server disconnect');
  });

  it('closes sockets at token expiry', async () => {
    expiresAtMs = Date.now() + 800;
    const c = await connect();
    expect(await disconnected(c)).toBe('io server disconnect');
  });

  it('disconnectUser closes the user’s sockets in every namespace', async () => {
    const a = await connect('/');
    const b = await connect('/sfu');
    const closed = Promise.all([disconnected(a), disconnected(b)]);
    expect(sessions.disconnectUser('u1')).toBe(2);
    expect(await closed).toEqual(['io server disconnect', 'io server disconnect']);
    expect(sessions.disconnectUser('someone-else')).toBe(0);
  });
});
