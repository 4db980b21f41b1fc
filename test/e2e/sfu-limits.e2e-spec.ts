import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import type { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

type User = { id: string; api: Api; token: string };

/** UDP sockets a process holds, read from the kernel: its fds matched against /proc/net/udp{,6}. */
function udpSocketsOf(pid: number): number {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const inode = line.trim().split(/\s+/)[9];
      if (inode) inodes.add(inode);
    }
  }
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && inodes.has(m[1]!)) n++;
    } catch {
      // the fd closed while we read the directory
    }
  }
  return n;
}

function connect(baseUrl: string, token: string): Socket {
  return io(`${baseUrl}/sfu`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
}

/** Resolves 'connected' or the connect_error message. */
function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

const call = (socket: Socket, event: string, body: unknown = {}): Promise<any> =>
  socket.timeout(15_000).emitWithAck(event, body);

/** Drops the connection without a Socket.IO disconnect packet, as a killed client would. */
const dropAbruptly = (socket: Socket) =>
  (socket.io as unknown as { engine: { close(): void } }).engine.close();

/**
 * SFU resources per user (issue #21 item 10): one invited duty officer opened 1,400 sockets
 * and 5,600 transports, and 4,873 UDP sockets stayed open after the attacker left.
 */
describe('SFU resources per user and per consultation', () => {
  let hub: HubProcess;
  let workerPid: number;
  let commander: User;
  let duty: User;
  let duty2: User;
  let consultationId: string;
  const sockets: Socket[] = [];
  const open = async (user: User) => {
    const s = connect(hub.baseUrl, user.token);
    sockets.push(s);
    expect(await outcome(s)).toBe('connected');
    return s;
  };
  const closeAll = async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await sleep(300);
  };

  beforeAll(async () => {
    hub = await startHub({
      SFU_WORKERS: '1',
      SOCKET_SFU_SOCKETS_PER_USER: '3',
      SFU_TRANSPORTS_PER_USER: '6',
      SFU_PEERS_PER_CONSULTATION: '5',
    });
    const admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    const town = await createSite(admin, '河东镇', 'township', rootId);
    commander = await createUser(admin, 'cmd-limits', 'commander', rootId);
    duty = await createUser(admin, 'duty-limits', 'duty_officer', town);
    duty2 = await createUser(admin, 'duty-limits2', 'duty_officer', town);
    const created = await commander.api.post('/api/v1/consultations', { title: '资源上限', siteIds: [town] });
    expect(created.status).toBe(201);
    consultationId = created.body.id;
    workerPid = await waitFor(
      async () => (await admin.get('/api/v1/health')).body.components.sfu.detail?.pids?.[0] as number,
      30_000,
      'a mediasoup worker',
    );
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await hub?.stop();
  });

  it('closes every transport of a socket that drops while its transports are being created', async () => {
    // the host stays: the room (and its routers) stays open, so only closing each transport frees it
    const host = connect(hub.baseUrl, commander.token);
    expect(await outcome(host)).toBe('connected');
    expect((await call(host, 'sfu:join', { consultationId })).ok).toBe(true);
    const before = udpSocketsOf(workerPid);
    // the drop lands at different points of the creation: before, during, after the worker's answer
    for (const delayMs of [0, 1, 2, 3, 5, 8, 13, 20]) {
      const s = await open(duty);
      expect((await call(s, 'sfu:join', { consultationId })).ok).toBe(true);
      for (let i = 0; i < 12; i++) s.emit('sfu:transport:create', { direction: i ? 'recv' : 'send' });
      await sleep(delayMs);
      dropAbruptly(s);
      sockets.splice(0);
      await sleep(100);
    }
    // and a socket whose transports all exist before it drops
    const settled = await open(duty);
    expect((await call(settled, 'sfu:join', { consultationId })).ok).toBe(true);
    for (const direction of ['send', 'recv'])
      expect((await call(settled, 'sfu:transport:create', { direction })).ok).toBe(true);
    expect(udpSocketsOf(workerPid)).toBeGreaterThan(before);
    dropAbruptly(settled);
    sockets.splice(0);
    await waitFor(() => udpSocketsOf(workerPid) === before, 15_000, 'the UDP sockets to close').catch(() =>
      expect(udpSocketsOf(workerPid)).toBe(before),
    );
    const detail = await commander.api.get(`/api/v1/consultations/${consultationId}`);
    const present = detail.body.attendance.filter((a: any) => a.leftAt === null);
    expect(present.map((a: any) => a.userId)).toEqual([commander.id]);
    host.disconnect();
  });

  it('refuses a socket beyond the per-user cap, and frees the slot when one goes', async () => {
    const kept = [await open(duty), await open(duty), await open(duty)];
    const extra = connect(hub.baseUrl, duty.token);
    sockets.push(extra);
    expect(await outcome(extra)).toMatch(/too many connections.*at most 3/);
    // another user is not affected
    await open(duty2);
    kept[0]!.disconnect();
    await waitFor(
      async () => {
        const again = connect(hub.baseUrl, duty.token);
        sockets.push(again);
        return (await outcome(again)) === 'connected';
      },
      5000,
      'a slot after a disconnect',
    );
    await closeAll();
  });

  it('caps transports per user across sockets with a clear error, not a crash', async () => {
    const [s1, s2] = [await open(duty), await open(duty)];
    for (const s of [s1, s2]) expect((await call(s, 'sfu:join', { consultationId })).ok).toBe(true);
    for (let i = 0; i < 4; i++)
      expect((await call(s1, 'sfu:transport:create', { direction: 'recv' })).ok).toBe(true);
    expect(await call(s1, 'sfu:transport:create', { direction: 'recv' })).toEqual({
      ok: false,
      error: 'at most 4 transports per participant',
    });
    expect((await call(s2, 'sfu:transport:create', { direction: 'send' })).ok).toBe(true);
    expect((await call(s2, 'sfu:transport:create', { direction: 'recv' })).ok).toBe(true);
    const refused = await call(s2, 'sfu:transport:create', { direction: 'recv' });
    expect(refused).toEqual({ ok: false, error: 'at most 6 transports per user (SFU_TRANSPORTS_PER_USER)' });
    expect((await fetch(`${hub.baseUrl}/api/v1/health`)).status).toBe(200);
    await closeAll();
  });

  it('caps participants per consultation', async () => {
    const joined: Socket[] = [];
    for (const user of [commander, commander, duty, duty, duty2]) joined.push(await open(user));
    for (const s of joined) expect((await call(s, 'sfu:join', { consultationId })).ok).toBe(true);
    const sixth = await open(duty2);
    expect(await call(sixth, 'sfu:join', { consultationId })).toEqual({
      ok: false,
      error: 'this consultation is full: at most 5 participants (SFU_PEERS_PER_CONSULTATION)',
    });
    await closeAll();
  });
});
