import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('flushes a lone request at once and batches those that arrive during a flush', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number, number>(async (reqs) => {
      batches.push(reqs);
      if (batches.length === 1) await gate;
      return reqs.map((r) => r * 10);
    });
    const first = gc.submit(1);
    const rest = [gc.submit(2), gc.submit(3), gc.submit(4)];
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('rejects every request of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const gc = new GroupCommit<string, string>(async (reqs) => {
      if (fail) throw new Error('db down');
      return reqs;
    });
    await expect(gc.submit('a')).rejects.toThrow('db down');
    fail = false;
    await expect(gc.submit('b')).resolves.toBe('b');
  });

  it('splits a large backlog into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number, number>(async (reqs) => {
      sizes.push(reqs.length);
      if (sizes.length === 1) await gate;
      return reqs;
    }, 3);
    const all = [0, 1, 2, 3, 4, 5, 6].map((n) => gc.submit(n));
    release();
    await Promise.all(all);
    expect(sizes).toEqual([1, 3, 3]);
  });

  it('with maxInFlight 2 starts the next batch while one is committing, never more', async () => {
    const started: number[][] = [];
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const gc = new GroupCommit<number, number>(
      async (reqs) => {
        started.push(reqs);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        running -= 1;
        return reqs;
      },
      10,
      2,
    );
    const all = [1, 2, 3, 4, 5].map((n) => gc.submit(n));
    expect(started).toEqual([[1], [2]]);
    gates.shift()!();
    await all[0];
    await new Promise((r) => setImmediate(r)); // the freed slot is refilled after the batch settles
    expect(started).toEqual([[1], [2], [3, 4, 5]]);
    while (gates.length) gates.shift()!();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('with gatherTurn, flushes what arrives in one event-loop turn together, not the first alone', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(
      async (reqs) => {
        batches.push(reqs);
        return reqs.map((r) => r * 10);
      },
      1000,
      1,
      true,
    );
    // a burst read in one turn (the sockets' callbacks of one poll phase)
    const burst = [1, 2, 3].map((n) => gc.submit(n));
    expect(batches).toEqual([]);
    expect(await Promise.all(burst)).toEqual([10, 20, 30]);
    // a lone request after it waits for one turn only
    expect(await gc.submit(4)).toBe(40);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });
});
