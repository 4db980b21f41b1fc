import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { HashGate, UnknownUserBudget } from './hash-gate.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('HashGate', () => {
  it('runs at most `concurrency` at once and refuses past the queue with 429 and Retry-After', async () => {
    const gate = new HashGate(2, 1);
    const blockers = [deferred(), deferred()];
    let running = 0;
    let peak = 0;
    const job = (d: { promise: Promise<void> }) => async () => {
      running += 1;
      peak = Math.max(peak, running);
      await d.promise;
      running -= 1;
      return true;
    };
    const first = gate.run(job(blockers[0]!), false);
    const second = gate.run(job(blockers[1]!), false);
    const third = gate.run(async () => true, false); // queued
    await expect(gate.run(async () => true, false)).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 1,
    });
    expect(gate.queued).toBe(1);
    blockers.forEach((b) => b.resolve());
    await expect(Promise.all([first, second, third])).resolves.toEqual([true, true, true]);
    expect(peak).toBe(2);
  });

  it('serves preferred callers (a known address) before the others waiting', async () => {
    const gate = new HashGate(1, 10);
    const blocker = deferred();
    const order: string[] = [];
    const held = gate.run(() => blocker.promise, false);
    const waiting = [
      gate.run(async () => order.push('flood-1'), false),
      gate.run(async () => order.push('flood-2'), false),
      gate.run(async () => order.push('commander'), true),
    ];
    blocker.resolve();
    await Promise.all([held, ...waiting]);
    expect(order[0]).toBe('commander');
  });

  it('frees its slot when the work throws', async () => {
    const gate = new HashGate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')), false)).rejects.toThrow('boom');
    await expect(gate.run(async () => 'ok', false)).resolves.toBe('ok');
  });
});

describe('UnknownUserBudget', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('grants a fixed number per second, and again the next second', () => {
    jest.useFakeTimers({ now: 1_000_000_000 });
    const budget = new UnknownUserBudget(3);
    expect(Array.from({ length: 5 }, () => budget.take())).toEqual([true, true, true, false, false]);
    jest.setSystemTime(1_000_000_999);
    expect(budget.take()).toBe(false);
    jest.setSystemTime(1_000_001_000);
    expect(budget.take()).toBe(true);
  });
});
