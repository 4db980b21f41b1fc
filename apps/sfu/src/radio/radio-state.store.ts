import { Redis } from 'ioredis';
import { EMPTY_FLOOR, type FloorState } from '#radio';

export interface GatewayAirState {
  cor: boolean;
  ptt: boolean;
}

/** a transmission's relay into a patched talkgroup: ended with it, wherever it ends */
export interface RelayRef {
  talkgroupId: string;
  transmissionId: string;
}

/**
 * What every instance must agree on: each talkgroup's floor, each gateway's carrier and PTT,
 * and which instance hosts a talkgroup's media (a lease). In-process when embedded; in
 * Redis in a cluster, where a floor change is an atomic read-modify-write around the pure
 * rule (WATCH/MULTI, retried when another instance wrote in between).
 */
export abstract class RadioStateStore {
  abstract floor(talkgroupId: string): Promise<FloorState>;
  /** `change` sees the current state and returns the next one and a result; runs again on a race */
  abstract updateFloor<T>(
    talkgroupId: string,
    change: (s: FloorState) => { state: FloorState; result: T },
  ): Promise<T>;
  abstract setGateway(terminalId: string, state: GatewayAirState | null): Promise<void>;
  abstract gateways(ids: string[]): Promise<Map<string, GatewayAirState>>;
  /** takes or renews the lease; true when `owner` holds it now */
  abstract lease(talkgroupId: string, owner: string, ttlMs: number): Promise<boolean>;
  abstract releaseLease(talkgroupId: string, owner: string): Promise<void>;
  /** who hosts the talkgroup now (null: nobody) */
  abstract leaseOwner(talkgroupId: string): Promise<string | null>;
  abstract addRelay(transmissionId: string, relay: RelayRef): Promise<void>;
  /** the transmission's relays, forgotten as they are read (its end cuts them once) */
  abstract takeRelays(transmissionId: string): Promise<RelayRef[]>;
  abstract close(): Promise<void>;
}

export class MemoryRadioStateStore extends RadioStateStore {
  private readonly floors = new Map<string, FloorState>();
  private readonly air = new Map<string, GatewayAirState>();
  private readonly relays = new Map<string, RelayRef[]>();

  async floor(talkgroupId: string): Promise<FloorState> {
    return this.floors.get(talkgroupId) ?? EMPTY_FLOOR;
  }

  async updateFloor<T>(talkgroupId: string, change: (s: FloorState) => { state: FloorState; result: T }) {
    const { state, result } = change(this.floors.get(talkgroupId) ?? EMPTY_FLOOR);
    if (!state.holder && !state.hang) this.floors.delete(talkgroupId);
    else this.floors.set(talkgroupId, state);
    return result;
  }

  async setGateway(terminalId: string, state: GatewayAirState | null): Promise<void> {
    if (state) this.air.set(terminalId, state);
    else this.air.delete(terminalId);
  }

  async gateways(ids: string[]): Promise<Map<string, GatewayAirState>> {
    return new Map(ids.flatMap((id) => (this.air.has(id) ? [[id, this.air.get(id)!] as const] : [])));
  }

  async lease(): Promise<boolean> {
    return true;
  }

  async releaseLease(): Promise<void> {}

  async leaseOwner(): Promise<string | null> {
    return null;
  }

  async addRelay(transmissionId: string, relay: RelayRef): Promise<void> {
    this.relays.set(transmissionId, [...(this.relays.get(transmissionId) ?? []), relay]);
  }

  async takeRelays(transmissionId: string): Promise<RelayRef[]> {
    const list = this.relays.get(transmissionId) ?? [];
    this.relays.delete(transmissionId);
    return list;
  }

  async close(): Promise<void> {}
}

const MAX_RACES = 20;

export class RedisRadioStateStore extends RadioStateStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly namespace: string,
    /** a floor key outlives its last write by this much: a dead host cannot hold a floor forever */
    private readonly floorTtlMs: number,
  ) {
    super();
    this.redis = new Redis(url, { maxRetriesPerRequest: 2 });
    // Redis away: each command fails on its own (the caller answers 503, health reports
    // Redis); without a listener ioredis prints every failed reconnect past the log
    this.redis.on('error', () => undefined);
  }

  private key(kind: string, id: string): string {
    return `${this.namespace}:radio:${kind}:${id}`;
  }

  async floor(talkgroupId: string): Promise<FloorState> {
    const raw = await this.redis.get(this.key('floor', talkgroupId));
    return raw ? (JSON.parse(raw) as FloorState) : EMPTY_FLOOR;
  }

  async updateFloor<T>(talkgroupId: string, change: (s: FloorState) => { state: FloorState; result: T }) {
    const key = this.key('floor', talkgroupId);
    // a dedicated connection: WATCH is per connection, and the shared one serves other calls
    const conn = this.redis.duplicate();
    conn.on('error', () => undefined);
    try {
      for (let attempt = 0; attempt < MAX_RACES; attempt++) {
        await conn.watch(key);
        const raw = await conn.get(key);
        const { state, result } = change(raw ? (JSON.parse(raw) as FloorState) : EMPTY_FLOOR);
        const tx = conn.multi();
        if (!state.holder && !state.hang) tx.del(key);
        else tx.set(key, JSON.stringify(state), 'PX', this.floorTtlMs);
        // null: another instance changed the floor since WATCH; decide again on what it wrote
        if ((await tx.exec()) !== null) return result;
      }
      throw new Error(`floor of talkgroup ${talkgroupId}: too many concurrent changes`);
    } finally {
      conn.disconnect();
    }
  }

  async setGateway(terminalId: string, state: GatewayAirState | null): Promise<void> {
    const key = this.key('air', terminalId);
    if (state) await this.redis.set(key, JSON.stringify(state), 'EX', 24 * 3600);
    else await this.redis.del(key);
  }

  async gateways(ids: string[]): Promise<Map<string, GatewayAirState>> {
    if (!ids.length) return new Map();
    const raws = await this.redis.mget(ids.map((id) => this.key('air', id)));
    return new Map(
      ids.flatMap((id, i) => (raws[i] ? [[id, JSON.parse(raws[i]) as GatewayAirState] as const] : [])),
    );
  }

  async lease(talkgroupId: string, owner: string, ttlMs: number): Promise<boolean> {
    const key = this.key('host', talkgroupId);
    if ((await this.redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK') return true;
    // renew only our own lease, atomically
    const renewed = (await this.redis.eval(
      `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`,
      1,
      key,
      owner,
      ttlMs,
    )) as number;
    return renewed === 1;
  }

  async releaseLease(talkgroupId: string, owner: string): Promise<void> {
    await this.redis.eval(
      `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
      1,
      this.key('host', talkgroupId),
      owner,
    );
  }

  leaseOwner(talkgroupId: string): Promise<string | null> {
    return this.redis.get(this.key('host', talkgroupId));
  }

  async addRelay(transmissionId: string, relay: RelayRef): Promise<void> {
    const key = this.key('relays', transmissionId);
    // no longer than the floor it belongs to can live
    await this.redis.multi().rpush(key, JSON.stringify(relay)).pexpire(key, this.floorTtlMs).exec();
  }

  async takeRelays(transmissionId: string): Promise<RelayRef[]> {
    const key = this.key('relays', transmissionId);
    const out = await this.redis.multi().lrange(key, 0, -1).del(key).exec();
    const raws = (out?.[0]?.[1] as string[] | undefined) ?? [];
    return raws.map((r) => JSON.parse(r) as RelayRef);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
