import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { LoginRequest, LoginResponse } from '#contracts';
import { UserEntity } from '#persistence';
import { ActorResolver, AppConfig, DomainError, Metrics } from '#platform';
import { toUserView } from '../users/user-view.js';
import { AuthAudit } from './auth-audit.js';
import { HashGate, UnknownUserBudget } from './hash-gate.js';
import { LoginThrottle } from './login-throttle.js';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password.js';

/** Login. The throttling policy is in docs/security.md, "Login throttling". */
@Injectable()
export class AuthService {
  private readonly gate: HashGate;
  private readonly unknownBudget: UnknownUserBudget;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly actors: ActorResolver,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuthAudit,
    private readonly metrics: Metrics,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    this.gate = new HashGate(config.raw.LOGIN_HASH_CONCURRENCY, config.raw.LOGIN_HASH_QUEUE);
    this.unknownBudget = new UnknownUserBudget(config.raw.LOGIN_UNKNOWN_USER_BUDGET);
  }

  async login(req: LoginRequest, ip: string): Promise<LoginResponse> {
    let leave: () => void;
    try {
      leave = this.throttle.enter(ip);
    } catch (err) {
      this.metrics.loginFailures.inc({ reason: 'busy' });
      throw err;
    }
    try {
      return await this.attempt(req, ip);
    } finally {
      leave();
    }
  }

  private async attempt(req: LoginRequest, ip: string): Promise<LoginResponse> {
    const name = req.username.toLowerCase();
    let admission;
    try {
      admission = await this.throttle.admit(name, ip);
    } catch (err) {
      this.metrics.loginFailures.inc({ reason: 'throttled' });
      throw err;
    }
    const found = await this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = :name', { name })
      .getOne();
    let ok = false;
    if (found || this.unknownBudget.take()) {
      const stored = found?.passwordHash ?? (await DUMMY_HASH_PROMISE);
      try {
        ok = await this.gate.run(() => verifyPassword(req.password, stored), admission.known);
      } catch (err) {
        await this.throttle.notChecked(name, ip);
        this.metrics.loginFailures.inc({ reason: 'busy' });
        throw err;
      }
    }
    if (!found || !ok || found.disabled) {
      await this.throttle.failed(name, ip, admission, found !== null);
      this.metrics.loginFailures.inc({ reason: 'bad_credentials' });
      throw new DomainError('unauthenticated', 'wrong username or password');
    }
    await this.throttle.succeeded(name, ip);
    this.audit.loggedIn(found.id, found.username, ip);
    const ttl = this.config.raw.JWT_TTL_SECONDS;
    const accessToken = await this.actors.sign(
      { sub: found.id, username: found.username, role: found.role, siteId: found.siteId },
      ttl,
    );
    return { accessToken, expiresIn: ttl, user: toUserView(found) };
  }
}
