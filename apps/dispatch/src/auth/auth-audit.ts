import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditStore } from '#persistence';
import { LOGGER } from '#platform';

/**
 * Login events in the audit log. Every append takes the chain's one global lock, so a login
 * flood must not become an append flood: failures are recorded once per user+address per
 * window and throttling once per address (or user+address) per window, with the count of
 * failures behind it; the rest is in yihu_login_failures_total. Appends are not awaited by
 * the login: a slow chain must not hold up (or, failing, refuse) a login.
 */
@Injectable()
export class AuthAudit {
  constructor(
    private readonly audit: AuditStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  loggedIn(userId: string, username: string, ip: string): void {
    this.append(userId, 'auth.login', 'user', userId, { username, address: ip });
  }

  failed(ip: string, username: string): void {
    this.append(null, 'auth.login_failed', 'address', ip, { username });
  }

  throttled(
    ip: string,
    username: string,
    scope: 'address' | 'user_address',
    failures: number,
    windowSeconds: number,
  ): void {
    this.append(null, 'auth.login_throttled', 'address', ip, { username, scope, failures, windowSeconds });
  }

  /** A user's failures from everywhere reached the slower path's threshold. */
  slowed(username: string, failures: number): void {
    this.append(null, 'auth.login_slowed', 'username', username, { failures });
  }

  private append(
    actorId: string | null,
    action: string,
    subjectType: string,
    subjectId: string,
    data: Record<string, unknown>,
  ): void {
    this.audit
      .append({ actorId, action, subjectType, subjectId, data })
      .catch((err: unknown) => this.logger.warn({ err, action }, 'audit of a login event failed'));
  }
}
