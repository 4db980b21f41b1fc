import { describe, expect, it } from '@jest/globals';
import { Batcher } from './batcher.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A flush that records its batches and finishes when told to. */
function gatedFlush() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const flush = (items: number[]) => {
    batches.push(items);
    return new Promise<void>((resolve) => gates.push(resolve));
  };
  return { batches, flush, open: () => gates.shift()?.() };
}

describe('Batcher', () => {
  it('waits delayMs for the first item, then flushes what came in that time as one batch', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number>(
      async (items) => void batches.push(items),
      { delayMs: 20, max: 100 },
      () => {},
    );
    b.add(1);
    b.add(2);
    expect(batches).toEqual([]);
    await tick(40);
    expect(batches).toEqual([[1, 2]]);
  });

  it('turns everything that arrives during a slow flush into one next batch', async () => {
    const g = gatedFlush();
    const b = new Batcher<number>(g.flush, { delayMs: 5, max: 1000 }, () => {});
    b.add(0);
    await tick(20);
    expect(g.batches).toEqual([[0]]);
    for (let i = 1; i <= 50; i++) {
      b.add(i);
      if (i % 10 === 0) await tick(10); // several delays pass while the flush is running
    }
    g.open();
    await tick(5);
    expect(g.batches).toHaveLength(2);
    expect(g.batches[1]).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    g.open();
    await b.drain();
  });

  it('never hands a flush more than max items, and starts at once when max are waiting', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number>(
      async (items) => void batches.push(items),
      { delayMs: 10_000, max: 3 },
      () => {},
    );
    for (let i = 0; i < 7; i++) b.add(i);
    await tick(5);
    expect(batches.slice(0, 2)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    await b.drain();
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('reports a failed batch and goes on with the next', async () => {
    const failed: number[][] = [];
    const done: number[][] = [];
    const b = new Batcher<number>(
      async (items) => {
        if (items.includes(1)) throw new Error('boom');
        done.push(items);
      },
      { delayMs: 1, max: 1 },
      (_err, items) => failed.push(items),
    );
    b.add(1);
    b.add(2);
    await b.drain();
    expect(failed).toEqual([[1]]);
    expect(done).toEqual([[2]]);
  });

  it('drain waits for items added while it drains', async () => {
    const seen: number[] = [];
    const b = new Batcher<number>(
      async (items) => {
        seen.push(...items);
        if (items.includes(1)) b.add(2);
      },
      { delayMs: 1000, max: 10 },
      () => {},
    );
    b.add(1);
    await b.drain();
    expect(seen).toEqual([1, 2]);
  });

  describe('retry while the failure passes', () => {
    const passing = Object.assign(new Error('Connection terminated unexpectedly'), { passing: true });
    const retry = {
      when: (err: unknown) => (err as { passing?: boolean }).passing === true,
      firstDelayMs: 5,
      maxDelayMs: 20,
      maxWaiting: 1000,
    };

    it('flushes a failed batch again, in front of what came since, until the database answers', async () => {
      const flushed: number[][] = [];
      const errors: number[][] = [];
      let down = 3;
      const b = new Batcher<number>(
        async (items) => {
          if (down-- > 0) throw passing;
          flushed.push(items);
        },
        { delayMs: 1, max: 100 },
        (_e, items) => void errors.push(items),
        retry,
      );
      b.add(1);
      b.add(2);
      await tick(3);
      b.add(3); // arrives while the first batch is failing
      await b.drain();
      expect(errors).toEqual([]);
      expect(flushed.flat()).toEqual([1, 2, 3]);
    });

    it('gives a failure that does not pass to onError at once', async () => {
      const errors: number[][] = [];
      let calls = 0;
      const b = new Batcher<number>(
        async () => {
          calls++;
          throw new Error('syntax error');
        },
        { delayMs: 1, max: 100 },
        (_e, items) => void errors.push(items),
        retry,
      );
      b.add(1);
      await b.drain();
      expect(calls).toBe(1);
      expect(errors).toEqual([[1]]);
    });

    it('gives up the oldest past maxWaiting, and stops retrying at shutdown', async () => {
      const errors: number[][] = [];
      const b = new Batcher<number>(
        async () => {
          throw passing;
        },
        { delayMs: 1, max: 2 },
        (_e, items) => void errors.push(items),
        { ...retry, maxWaiting: 3 },
      );
      for (let i = 1; i <= 5; i++) b.add(i);
      await tick(10);
      expect(errors[0]).toEqual([1, 2]);
      b.stopRetrying();
      await b.drain();
      expect(errors.flat().sort()).toEqual([1, 2, 3, 4, 5]);
    });
  });
});
