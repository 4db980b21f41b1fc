import { JwtService } from '@nestjs/jwt';
import type { DataSource } from 'typeorm';
import type { AccessTokenClaims, Role } from '#contracts';
import type { Actor } from '#domain';
import { DomainError } from '../http/domain-error.js';

const CACHE_MS = 10_000;

/**
 * Turns a bearer token into the actor the server trusts. Role and site come from the
 * database, not the token, so disabling a user or moving them takes effect within
 * seconds rather than at token expiry.
 */
export class ActorResolver {
  private readonly cache = new Map<string, { actor: Actor; until: number }>();

  constructor(
    private readonly jwt: JwtService,
    private readonly dataSource: DataSource,
  ) {}

  async fromToken(token: string | undefined): Promise<Actor> {
    if (!token) throw new DomainError('unauthenticated', 'missing bearer token');
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      throw new DomainError('unauthenticated', 'invalid or expired token');
    }
    return this.fromUserId(claims.sub);
  }

  async fromUserId(userId: string): Promise<Actor> {
    const hit = this.cache.get(userId);
    if (hit && hit.until > Date.now()) return hit.actor;
    const rows = (await this.dataSource.query(
      `SELECT u.id, u.role, u.site_id, u.disabled, s.path
       FROM users u JOIN sites s ON s.id = u.site_id WHERE u.id = $1`,
      [userId],
    )) as { id: string; role: Role; site_id: string; disabled: boolean; path: string }[];
    const row = rows[0];
    if (!row || row.disabled)
      throw new DomainError('unauthenticated', 'user no longer exists or is disabled');
    const actor: Actor = { userId: row.id, role: row.role, siteId: row.site_id, sitePath: row.path };
    this.cache.set(userId, { actor, until: Date.now() + CACHE_MS });
    return actor;
  }

  /**
   * Socket.IO middleware for every namespace: authenticates `handshake.auth.token` the same
   * way as REST and keeps the actor in `socket.data.actor`; a refused socket never connects.
   */
  socketMiddleware() {
    return (
      socket: { handshake: { auth?: unknown }; data: { actor?: Actor } },
      next: (err?: Error) => void,
    ): void => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      this.fromToken(typeof token === 'string' ? token : undefined)
        .then((actor) => {
          socket.data.actor = actor;
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
}
