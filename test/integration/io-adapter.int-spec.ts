import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { Test } from '@nestjs/testing';
import type { Server, Socket } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { YihuIoAdapter } from '#platform';
import { sleep, waitFor } from '../support/async.js';
import { freePort } from '../support/ports.js';
import { redisClient } from '../support/redis.js';
import { REDIS_URL, uniquePrefix } from '../support/services.js';

@WebSocketGateway()
class RoomsGateway {
  @WebSocketServer()
  server!: Server;

  @SubscribeMessage('join')
  join(@ConnectedSocket() socket: Socket, @MessageBody() room: string): { joined: string } {
    void socket.join(room);
    return { joined: room };
  }
}

interface RedisInternals {
  status: string;
  commandQueue: { length: number };
  disconnect(reconnect?: boolean): void;
}

interface Instance {
  app: INestApplication;
  adapter: YihuIoAdapter;
  port: number;
  server(): Server;
}

/**
 * How many socket.io servers listen on the Redis adapter's request channel for `namespace`
 * (the adapter subscribes asynchronously after the server is created).
 */
async function adapterServers(namespace: string): Promise<number> {
  const redis = redisClient();
  try {
    const [, count] = (await redis.pubsub('NUMSUB', `${namespace}:socket.io-request#/#`)) as [string, number];
    return Number(count);
  } finally {
    redis.disconnect();
  }
}

describe('YihuIoAdapter across two app instances', () => {
  const apps: INestApplication[] = [];
  const clients: ClientSocket[] = [];
  // a fresh REDIS_PREFIX per test, so no other test or running app shares the adapter's channels
  let ns: string;
  beforeEach(() => {
    ns = uniquePrefix();
  });

  async function startInstance(redisUrl: string | undefined, namespace = ns): Promise<Instance> {
    const moduleRef = await Test.createTestingModule({ providers: [RoomsGateway] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    apps.push(app);
    const adapter = new YihuIoAdapter(app, redisUrl, namespace);
    app.useWebSocketAdapter(adapter);
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    return { app, adapter, port, server: () => app.get(RoomsGateway).server };
  }

  /** A socket.io client on `port` that has joined `room` (acknowledged by the server). */
  async function clientInRoom(port: number, room: string): Promise<unknown[]> {
    const socket = io(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    clients.push(socket);
    const received: unknown[] = [];
    socket.on('directive', (payload: unknown) => void received.push(payload));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    expect(await socket.timeout(5000).emitWithAck('join', room)).toEqual({ joined: room });
    return received;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    for (const app of apps.splice(0)) await app.close();
  });

  it('with Redis, a room broadcast on instance A reaches a client connected to instance B', async () => {
    const a = await startInstance(REDIS_URL);
    const b = await startInstance(REDIS_URL);
    expect(a.adapter.driver).toBe('redis-adapter');
    await waitFor(async () => (await adapterServers(ns)) === 2, 5000, 'both adapters to subscribe');
    const received = await clientInRoom(b.port, 'site:s-1');

    a.server().to('site:s-1').emit('directive', { id: 'd-1', text: '立即转移' });
    await waitFor(() => received.length === 1, 5000, 'the broadcast from instance A');
    expect(received).toEqual([{ id: 'd-1', text: '立即转移' }]);

    // a broadcast to another room does not reach it
    a.server().to('site:s-2').emit('directive', { id: 'd-2' });
    await sleep(300);
    expect(received).toHaveLength(1);

    // instance A sees the socket on instance B through Redis
    expect(await a.server().in('site:s-1').fetchSockets()).toHaveLength(1);
  });

  it('without Redis (in-memory adapter) a broadcast stays on its own instance: cluster mode needs Redis', async () => {
    const a = await startInstance(undefined);
    const b = await startInstance(undefined);
    expect(a.adapter.driver).toBe('in-memory');
    expect(await adapterServers(ns)).toBe(0);
    const received = await clientInRoom(b.port, 'site:s-1');

    a.server().to('site:s-1').emit('directive', { id: 'from-a' });
    await sleep(700);
    expect(received).toEqual([]);
    expect(await a.server().in('site:s-1').fetchSockets()).toHaveLength(0);

    // the client is in the room: instance B's own broadcast reaches it
    b.server().to('site:s-1').emit('directive', { id: 'from-b' });
    await waitFor(() => received.length === 1, 5000, 'the broadcast from instance B');
    expect(received).toEqual([{ id: 'from-b' }]);
  });

  it('keeps deployments with different REDIS_PREFIX apart on one Redis', async () => {
    const other = uniquePrefix();
    const a = await startInstance(REDIS_URL, other);
    const b = await startInstance(REDIS_URL);
    await waitFor(
      async () => (await adapterServers(ns)) === 1 && (await adapterServers(other)) === 1,
      5000,
      'the adapters',
    );
    const received = await clientInRoom(b.port, 'site:s-1');

    a.server().to('site:s-1').emit('directive', { id: 'other deployment' });
    await sleep(500);
    expect(received).toEqual([]);
  });

  it("closes its Redis clients without cutting off the adapter's pending UNSUBSCRIBEs", async () => {
    const a = await startInstance(REDIS_URL);
    await waitFor(async () => (await adapterServers(ns)) === 1, 5000, 'the adapter');
    // white-box: the adapter's ioredis clients (pub, sub)
    const redisClients = (a.adapter as unknown as { clients: RedisInternals[] }).clients;
    expect(redisClients).toHaveLength(2);
    const cutOff: number[] = [];
    for (const client of redisClients) {
      const disconnect = client.disconnect.bind(client);
      client.disconnect = (reconnect?: boolean) => {
        cutOff.push(client.commandQueue.length);
        disconnect(reconnect);
      };
    }
    apps.splice(apps.indexOf(a.app), 1);
    await a.app.close();
    // a hard disconnect with commands in flight rejects them ("Connection is closed."),
    // unhandled, which would crash a process during its graceful shutdown
    expect(cutOff.filter((pending) => pending > 0)).toEqual([]);
    await waitFor(() => redisClients.every((c) => c.status === 'end'), 5000, 'the clients to close');
    expect(await adapterServers(ns)).toBe(0);
  });
});
