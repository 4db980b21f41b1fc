import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { LoginRequest, LoginResponse } from '#contracts';
import { UserEntity } from '#persistence';
import { ActorResolver, AppConfig, CounterStore, DomainError, Metrics } from '#platform';
import { toUserView } from '../users/user-view.js';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password.js';

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly actors: ActorResolver,
    private readonly counters: CounterStore,
    private readonly metrics: Metrics,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /**
   * Failed attempts are counted per username+address and per username, so neither one
   * address nor many addresses can guess freely. A success clears the address's count.
   */
  async login(req: LoginRequest, ip: string): Promise<LoginResponse> {
    const { LOGIN_MAX_ATTEMPTS: max, LOGIN_WINDOW_SECONDS: window } = this.config.raw;
    const name = req.username.toLowerCase();
    const pairKey = `login:${name}:${ip}`;
    const userKey = `login:${name}`;
    const [pair, user] = await Promise.all([this.counters.peek(pairKey), this.counters.peek(userKey)]);
    if (pair.count >= max || user.count >= max * 5) {
      this.metrics.loginFailures.inc({ reason: 'throttled' });
      const retry = Math.max(pair.ttlSeconds, user.ttlSeconds, 1);
      throw new DomainError(
        'rate_limited',
        `too many failed logins; try again in ${retry} s`,
        undefined,
        retry,
      );
    }
    const found = await this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = :name', { name })
      .getOne();
    const ok = await verifyPassword(req.password, found?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (!found || !ok || found.disabled) {
      await Promise.all([this.counters.hit(pairKey, window), this.counters.hit(userKey, window)]);
      this.metrics.loginFailures.inc({ reason: 'bad_credentials' });
      throw new DomainError('unauthenticated', 'wrong username or password');
    }
    await this.counters.reset(pairKey);
    const ttl = this.config.raw.JWT_TTL_SECONDS;
    const accessToken = await this.actors.sign(
      { sub: found.id, username: found.username, role: found.role, siteId: found.siteId },
      ttl,
    );
    return { accessToken, expiresIn: ttl, user: toUserView(found) };
  }
}
