import { describe, expect, it } from '@jest/globals';
import { type AppConfig, MemoryCounterStore } from '#platform';
import type { AuthAudit } from './auth-audit.js';
import { LoginThrottle } from './login-throttle.js';

const config = { raw: { LOGIN_ADDRESS_CONCURRENCY: 2 } } as unknown as AppConfig;
const noAudit = {} as AuthAudit;

describe('LoginThrottle.enter', () => {
  it('holds at most LOGIN_ADDRESS_CONCURRENCY logins in flight per address, and frees slots once', () => {
    const throttle = new LoginThrottle(new MemoryCounterStore(), noAudit, config);
    const a1 = throttle.enter('10.0.0.1');
    const a2 = throttle.enter('10.0.0.1');
    expect(() => throttle.enter('10.0.0.1')).toThrow(
      expect.objectContaining({ code: 'rate_limited', retryAfterSeconds: 1 }),
    );
    // another address is not affected
    expect(() => throttle.enter('10.0.0.2')).not.toThrow();
    a1();
    a1(); // a second call must not free a slot it no longer holds
    const a3 = throttle.enter('10.0.0.1');
    expect(() => throttle.enter('10.0.0.1')).toThrow(expect.objectContaining({ code: 'rate_limited' }));
    a2();
    a3();
    expect(() => throttle.enter('10.0.0.1')).not.toThrow();
  });
});
