import type { IncomingMessage, ServerResponse } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { guardSocketInput } from './event-input.js';

/**
 * Socket.IO server factory: with REDIS_URL, rooms span every instance through the Redis
 * adapter (a broadcast from one instance reaches sockets on all); without, in memory.
 */
export class YihuIoAdapter extends IoAdapter {
  private clients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly redisUrl: string | undefined,
    private readonly namespace = 'yihu',
  ) {
    super(app);
  }

  get driver(): string {
    return this.redisUrl ? 'redis-adapter' : 'in-memory';
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      // a duty room on a flaky link reconnects and is caught up; keep pings modest
      pingInterval: 20000,
      pingTimeout: 20000,
      maxHttpBufferSize: 256 * 1024,
      cors: { origin: false },
    } as ServerOptions) as Server;
    guardSocketInput(server);
    // engine.io answers a long-polling request with any other method (OPTIONS too: CORS is
    // off, origin: false) with a bare 500
    server.engine.use((req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void) => {
      if (req.method === 'GET' || req.method === 'POST') return next();
      res.writeHead(405, { allow: 'GET, POST', 'content-type': 'text/plain' }).end('method not allowed');
    });
    if (this.redisUrl && this.clients.length === 0) {
      const pub = quietPublishes(new Redis(this.redisUrl));
      const sub = pub.duplicate();
      // ioredis reconnects by itself; without a listener each failed attempt is printed
      for (const client of [pub, sub]) client.on('error', () => undefined);
      this.clients.push(pub, sub);
      server.adapter(createAdapter(pub, sub, { key: `${this.namespace}:socket.io` }));
    }
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    const clients = this.clients;
    this.clients = [];
    // QUIT, not disconnect(): closing the server leaves the adapter's UNSUBSCRIBEs in
    // flight, and a hard disconnect can reject them as unhandled "Connection is closed".
    await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
  }
}

/**
 * The Redis adapter publishes without waiting for the answer. While Redis restarts, such a
 * publish rejects ("Connection is closed"), and an unhandled rejection ends the process:
 * a Redis blip during a broadcast took the dispatch instance down with it. The broadcast is
 * lost, as any Socket.IO packet may be: consoles are caught up on reconnect and a directive
 * no console acked is re-delivered by escalation.
 */
function quietPublishes(client: Redis): Redis {
  const publish = client.publish.bind(client) as (...args: unknown[]) => Promise<number>;
  (client as unknown as { publish: (...args: unknown[]) => Promise<number> }).publish = (...args) => {
    const sent = publish(...args);
    sent.catch(() => undefined);
    return sent;
  };
  return client;
}
