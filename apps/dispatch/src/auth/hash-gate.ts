import { DomainError } from '#platform';

interface Waiter {
  start: () => void;
}

/**
 * Bounds the password hashes computed at once. Each scrypt takes ~50-100 ms of a core and
 * 32 MiB; without a bound, 64 clients sending random usernames made a real login wait 12 s
 * behind them in libuv's thread pool. Beyond the queue a caller is refused at once (429,
 * Retry-After) instead of waiting. Attempts from an address that has logged in as that user
 * before go ahead of the rest, so the commander at their usual desk is served first in a flood.
 */
export class HashGate {
  private running = 0;
  private readonly priority: Waiter[] = [];
  private readonly normal: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueLimit: number,
  ) {}

  async run<T>(fn: () => Promise<T>, preferred: boolean): Promise<T> {
    await this.acquire(preferred);
    try {
      return await fn();
    } finally {
      this.running -= 1;
      const next = this.priority.shift() ?? this.normal.shift();
      if (next) {
        this.running += 1;
        next.start();
      }
    }
  }

  get queued(): number {
    return this.priority.length + this.normal.length;
  }

  private acquire(preferred: boolean): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    const queue = preferred ? this.priority : this.normal;
    if (queue.length >= this.queueLimit)
      throw new DomainError(
        'rate_limited',
        'the server is busy checking passwords; try again in 1 s',
        undefined,
        1,
      );
    return new Promise<void>((resolve) => queue.push({ start: resolve }));
  }
}

/**
 * Hashes per second spent on unknown usernames. Hashing them hides which usernames exist
 * (the same time as a wrong password); past the budget, a flood of random names is refused
 * without hashing: an attacker may then tell unknown names by speed, only while flooding.
 */
export class UnknownUserBudget {
  private second = 0;
  private used = 0;

  constructor(private readonly perSecond: number) {}

  take(): boolean {
    const now = Math.floor(Date.now() / 1000);
    if (now !== this.second) {
      this.second = now;
      this.used = 0;
    }
    if (this.used >= this.perSecond) return false;
    this.used += 1;
    return true;
  }
}
