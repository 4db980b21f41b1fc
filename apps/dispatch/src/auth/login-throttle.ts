import { Inject, Injectable } from '@nestjs/common';
import { loginDelayMs } from '#domain';
import { AppConfig, CounterStore, DomainError } from '#platform';
import { AuthAudit } from './auth-audit.js';

// An address that logged in as a user stays "known" for that user this long: the desk a
// commander uses every night skips the slower path.
const KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600;

const keys = {
  address: (ip: string) => `login:addr:${ip}`,
  pair: (name: string, ip: string) => `login:pair:${name}:${ip}`,
  user: (name: string) => `login:user:${name}`,
  known: (name: string, ip: string) => `login:known:${name}:${ip}`,
};

export interface Admission {
  /** this address has logged in as this user before */
  known: boolean;
  /** this attempt's number for the user+address in the window */
  attempt: number;
  /** and for the address */
  addressAttempt: number;
}

/**
 * Counters for login throttling (docs/security.md, "Login throttling"). Every attempt is
 * counted before its password is checked, with one atomic increment (Redis INCR in a
 * cluster), so 60 concurrent guesses see counts 1..60 and only the first `limit` are checked.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly counters: CounterStore,
    private readonly audit: AuthAudit,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  private readonly inFlight = new Map<string, number>();

  /**
   * Holds one of the address's login slots on this instance until `leave` is called; past
   * LOGIN_ADDRESS_CONCURRENCY the attempt is refused before any work (not even counted): a
   * flood from a few addresses then costs a refusal each, not a database lookup each.
   */
  enter(ip: string): () => void {
    const n = this.inFlight.get(ip) ?? 0;
    if (n >= this.config.raw.LOGIN_ADDRESS_CONCURRENCY)
      throw new DomainError(
        'rate_limited',
        'too many logins at once from your address; try again in 1 s',
        undefined,
        1,
      );
    this.inFlight.set(ip, n + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const now = (this.inFlight.get(ip) ?? 1) - 1;
      if (now <= 0) this.inFlight.delete(ip);
      else this.inFlight.set(ip, now);
    };
  }

  /** Counts the attempt; refuses it (429) past a per-address limit, or delays it for a user under attack. */
  async admit(name: string, ip: string): Promise<Admission> {
    const { LOGIN_MAX_ATTEMPTS: pairMax, LOGIN_ADDRESS_MAX_ATTEMPTS: addressMax } = this.config.raw;
    const window = this.config.raw.LOGIN_WINDOW_SECONDS;
    const address = await this.counters.hit(keys.address(ip), window);
    if (address.count > addressMax) {
      // exactly one request sees the crossing: one audit entry per address per window
      if (address.count === addressMax + 1)
        this.audit.throttled(ip, name, 'address', address.count - 1, window);
      throw this.refusal(address.ttlSeconds);
    }
    const pair = await this.counters.hit(keys.pair(name, ip), window);
    if (pair.count > pairMax) {
      await this.counters.release(keys.address(ip));
      if (pair.count === pairMax + 1) this.audit.throttled(ip, name, 'user_address', pair.count - 1, window);
      throw this.refusal(pair.ttlSeconds);
    }
    const known = (await this.counters.peek(keys.known(name, ip))).count > 0;
    if (!known) {
      const failures = (await this.counters.peek(keys.user(name))).count;
      const delay = loginDelayMs(failures, pairMax, this.config.raw.LOGIN_SLOW_MAX_MS);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    }
    return { known, attempt: pair.count, addressAttempt: address.count };
  }

  async failed(name: string, ip: string, admission: Admission, userExists: boolean): Promise<void> {
    const user = await this.counters.hit(keys.user(name), this.config.raw.LOGIN_WINDOW_SECONDS);
    // Recorded: the first failure per user+address in a window for a real user, and for
    // unknown names only the address's first attempt (a random-name flood would otherwise
    // append once per name). The rest are counted in the throttle entry and in
    // yihu_login_failures_total.
    if (admission.attempt === 1 && (userExists || admission.addressAttempt === 1))
      this.audit.failed(ip, name);
    if (user.count === this.config.raw.LOGIN_MAX_ATTEMPTS) this.audit.slowed(name, user.count);
  }

  /** A success: this address no longer counts against itself, and is known for the user. */
  async succeeded(name: string, ip: string): Promise<void> {
    await Promise.all([
      this.counters.reset(keys.pair(name, ip)),
      this.counters.release(keys.address(ip)),
      this.counters.hit(keys.known(name, ip), KNOWN_ADDRESS_SECONDS),
    ]);
  }

  /** Refunds an attempt that was never checked (the server was too busy to hash it). */
  async notChecked(name: string, ip: string): Promise<void> {
    await Promise.all([this.counters.release(keys.pair(name, ip)), this.counters.release(keys.address(ip))]);
  }

  private refusal(ttlSeconds: number): DomainError {
    const retry = Math.max(ttlSeconds, 1);
    return new DomainError(
      'rate_limited',
      `too many failed logins; try again in ${retry} s`,
      undefined,
      retry,
    );
  }
}
