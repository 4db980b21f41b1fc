import { describe, expect, it } from '@jest/globals';
import { loginDelayMs } from './login-throttle.js';

describe('loginDelayMs', () => {
  it('adds nothing below the threshold', () => {
    expect(loginDelayMs(0, 10, 3000)).toBe(0);
    expect(loginDelayMs(9, 10, 3000)).toBe(0);
  });

  it('grows with the failures and stops at the cap', () => {
    expect(loginDelayMs(10, 10, 3000)).toBe(100);
    expect(loginDelayMs(20, 10, 3000)).toBe(200);
    expect(loginDelayMs(50, 10, 3000)).toBe(1600);
    expect(loginDelayMs(60, 10, 3000)).toBe(3000);
    expect(loginDelayMs(1_000_000, 10, 3000)).toBe(3000);
  });
});
