import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PublishRetries, RETRY_FIRST_MS, RETRY_MAX_MS } from './publish-retries.js';

describe('PublishRetries', () => {
  let fired: string[];
  let retries: PublishRetries;
  beforeEach(() => {
    jest.useFakeTimers();
    fired = [];
    retries = new PublishRetries((id) => fired.push(id));
  });
  afterEach(() => {
    retries.stop();
    jest.useRealTimers();
  });

  it('doubles the delay while publishes fail, up to the max, and starts over after a success', () => {
    let expected = RETRY_FIRST_MS;
    for (let i = 0; i < 8; i++) {
      retries.failed('t1');
      expect(retries.waiting('t1')).toBe(true);
      jest.advanceTimersByTime(expected - 1);
      expect(fired).toHaveLength(i);
      jest.advanceTimersByTime(1);
      expect(fired).toHaveLength(i + 1);
      // retrying: no longer waiting, still failing until a publish succeeds
      expect(retries.waiting('t1')).toBe(false);
      expect(retries.failing('t1')).toBe(true);
      expected = Math.min(expected * 2, RETRY_MAX_MS);
    }
    expect(expected).toBe(RETRY_MAX_MS);
    retries.succeeded('t1');
    expect(retries.failing('t1')).toBe(false);
    retries.failed('t1');
    jest.advanceTimersByTime(RETRY_FIRST_MS);
    expect(fired).toHaveLength(9);
  });

  it('keeps one retry per terminal, and none after cancel or stop', () => {
    retries.failed('t1');
    retries.failed('t1');
    retries.failed('t2');
    retries.cancel('t2');
    expect(retries.failing('t2')).toBe(false);
    jest.advanceTimersByTime(RETRY_FIRST_MS);
    expect(fired).toEqual(['t1']);
    retries.failed('t3');
    retries.stop();
    jest.advanceTimersByTime(RETRY_MAX_MS);
    expect(fired).toEqual(['t1']);
  });
});
