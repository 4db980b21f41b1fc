import { JwtService } from '@nestjs/jwt';
import type { DataSource } from 'typeorm';
import type { AccessTokenClaims, Role } from '#contracts';
import type { Actor } from '#domain';
import type { EventBus } from '../bus/event-bus.js';
import { DomainError } from '../http/domain-error.js';
import { type AuthedSocket, SocketSessions } from './socket-sessions.js';

const CACHE_MS = 10_000;
/** users per lookup query */
const LOOKUP_BATCH = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const USER_CHANGED_CHANNEL = 'auth.user-changed';

/** Sent on the bus when a user is disabled or changed, so every instance stops trusting its cache. */
interface UserChanged {
  userId: string;
  /** close the user's open sockets (disabled, or moved to another site) */
  disconnect: boolean;
}

/**
 * Turns a bearer token into the actor the server trusts. Role and site come from the
 * database, not the token, so disabling a user or moving them takes effect within
 * seconds rather than at token expiry (at once on every instance when changed via REST).
 */
export class ActorResolver {
  private readonly cache = new Map<string, { actor: Actor; until: number }>();
  /** users being looked up on the next turn, with who waits for each */
  private lookups = new Map<string, { resolve: (a: Actor) => void; reject: (e: unknown) => void }[]>();
  private readonly sessions = new SocketSessions((userId) => this.fromUserId(userId));

  constructor(
    private readonly jwt: JwtService,
    private readonly dataSource: DataSource,
    private readonly bus?: EventBus,
  ) {
    void bus?.subscribe<UserChanged>(USER_CHANGED_CHANNEL, (m) => {
      this.cache.delete(m.userId);
      if (m.disconnect) this.sessions.disconnectUser(m.userId);
    });
  }

  async fromToken(token: string | undefined): Promise<Actor> {
    return (await this.verify(token)).actor;
  }

  async fromUserId(userId: string): Promise<Actor> {
    const hit = this.cache.get(userId);
    if (hit && hit.until > Date.now()) return hit.actor;
    if (!UUID.test(userId)) throw new DomainError('unauthenticated', 'user no longer exists or is disabled');
    return new Promise<Actor>((resolve, reject) => {
      const waiting = this.lookups.get(userId);
      if (waiting) waiting.push({ resolve, reject });
      else this.lookups.set(userId, [{ resolve, reject }]);
      if (this.lookups.size === 1 && !waiting) setImmediate(() => void this.lookUp());
    });
  }

  /**
   * Every user asked for since the last turn, in one query. A spot check or directive
   * reaching 2,000 consoles idle for longer than the cache lasts has them all answer within
   * a second, each event re-resolving its user: one query each overflowed the pool's wait
   * bound and refused about a third of the answers ("could not check your account").
   */
  private async lookUp(): Promise<void> {
    const batch = this.lookups;
    this.lookups = new Map();
    const ids = [...batch.keys()];
    try {
      const rows: { id: string; role: Role; site_id: string; disabled: boolean; path: string }[] = [];
      for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
        rows.push(
          ...((await this.dataSource.query(
            `SELECT u.id, u.role, u.site_id, u.disabled, s.path
             FROM users u JOIN sites s ON s.id = u.site_id WHERE u.id = ANY($1::uuid[])`,
            [ids.slice(i, i + LOOKUP_BATCH)],
          )) as typeof rows),
        );
      }
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const [userId, waiters] of batch) {
        const row = byId.get(userId);
        if (!row || row.disabled) {
          const err = new DomainError('unauthenticated', 'user no longer exists or is disabled');
          for (const w of waiters) w.reject(err);
          continue;
        }
        const actor: Actor = { userId: row.id, role: row.role, siteId: row.site_id, sitePath: row.path };
        this.cache.set(userId, { actor, until: Date.now() + CACHE_MS });
        for (const w of waiters) w.resolve(actor);
      }
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }

  /**
   * Tells every instance that a user changed: the cached actor is dropped, and with
   * `disconnect` their open sockets are closed. A role change needs no disconnect: the next
   * event re-reads the actor.
   */
  async userChanged(userId: string, disconnect: boolean): Promise<void> {
    this.cache.delete(userId);
    if (disconnect) this.sessions.disconnectUser(userId);
    await this.bus?.publish<UserChanged>(USER_CHANGED_CHANNEL, { userId, disconnect });
  }

  /**
   * Socket.IO middleware for every namespace: authenticates `handshake.auth.token` the same
   * way as REST and keeps the actor in `socket.data.actor`; a refused socket never connects.
   * An accepted socket is re-checked on every event and closed at its token's expiry
   * (SocketSessions).
   */
  socketMiddleware() {
    return (socket: AuthedSocket & { handshake: { auth?: unknown } }, next: (err?: Error) => void): void => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.verify(typeof token === 'string' ? token : undefined)
        .then(({ actor, expiresAtMs }) => {
          socket.data.actor = actor;
          this.sessions.track(socket, expiresAtMs);
          next();
        })
        .catch((err: unknown) =>
          next(new Error(err instanceof DomainError ? err.message : 'authentication failed')),
        );
    };
  }

  sign(claims: AccessTokenClaims, ttlSeconds: number): Promise<string> {
    return this.jwt.signAsync({ ...claims }, { algorithm: 'HS256', expiresIn: ttlSeconds });
  }

  private async verify(token: string | undefined): Promise<{ actor: Actor; expiresAtMs: number }> {
    if (!token) throw new DomainError('unauthenticated', 'missing bearer token');
    let claims: AccessTokenClaims & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims & { exp?: number }>(token, {
        algorithms: ['HS256'],
      });
    } catch {
      throw new DomainError('unauthenticated', 'invalid or expired token');
    }
    // a correctly signed token with a malformed subject (an old or foreign issuer) made
    // PostgreSQL refuse the uuid comparison: a 500 for what is an invalid token
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub))
      throw new DomainError('unauthenticated', 'invalid token subject');
    const expiresAtMs = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY;
    return { actor: await this.fromUserId(claims.sub), expiresAtMs };
  }
}
