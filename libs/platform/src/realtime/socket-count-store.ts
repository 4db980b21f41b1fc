import { Redis } from 'ioredis';

/**
 * The live sockets of each user, so a cap holds across instances. Entries carry a lease: an
 * instance refreshes the leases of its own sockets, so the sockets of an instance that
 * crashed drop out of the count when their lease runs out instead of counting forever.
 */
export abstract class SocketCountStore {
  /** Registers a socket under the key and returns how many the key has now, this one included. */
  abstract add(key: string, socketId: string, leaseMs: number): Promise<number>;
  abstract remove(key: string, socketId: string): Promise<void>;
  /** Extends the leases of sockets still open here. */
  abstract refresh(entries: { key: string; socketId: string }[], leaseMs: number): Promise<void>;
  abstract close(): Promise<void>;
}

export class MemorySocketCountStore extends SocketCountStore {
  private readonly sets = new Map<string, Set<string>>();

  async add(key: string, socketId: string) {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Set()));
    set.add(socketId);
    return set.size;
  }

  async remove(key: string, socketId: string) {
    const set = this.sets.get(key);
    if (!set) return;
    set.delete(socketId);
    if (set.size === 0) this.sets.delete(key);
  }

  async refresh() {
    // one process: a socket is removed on disconnect, and a crash takes the map with it
  }

  async close() {
    this.sets.clear();
  }
}

/** A sorted set per key: member = socket id (unique across instances), score = lease end. */
export class RedisSocketCountStore extends SocketCountStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly namespace = 'yihu',
  ) {
    super();
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
    // Redis away: each command fails on its own (the caller answers 503, health reports
    // Redis); without a listener ioredis prints every failed reconnect past the log
    this.redis.on('error', () => undefined);
  }

  private k(key: string) {
    return `${this.namespace}:sockets:${key}`;
  }

  async add(key: string, socketId: string, leaseMs: number) {
    const k = this.k(key);
    const now = Date.now();
    // one MULTI: concurrent connects each see a distinct count, so N+1 at once still refuses one
    const res = (await this.redis
      .multi()
      .zremrangebyscore(k, '-inf', now)
      .zadd(k, now + leaseMs, socketId)
      .zcard(k)
      .pexpire(k, leaseMs)
      .exec()) as [Error | null, unknown][];
    return Number(res[2]![1]);
  }

  async remove(key: string, socketId: string) {
    await this.redis.zrem(this.k(key), socketId);
  }

  async refresh(entries: { key: string; socketId: string }[], leaseMs: number) {
    if (!entries.length) return;
    const until = Date.now() + leaseMs;
    const batch = this.redis.pipeline();
    for (const { key, socketId } of entries) {
      batch.zadd(this.k(key), 'XX', until, socketId);
      batch.pexpire(this.k(key), leaseMs);
    }
    await batch.exec();
  }

  async close() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
