import { describe, expect, it } from '@jest/globals';
import { PendingPipes, RelayOrigins } from './pipe-ledger.js';

describe('pipes opened for another instance, until it connects', () => {
  it('keeps a pipe the asker connected, and closes one nobody connected to after the bound', () => {
    const p = new PendingPipes<string>(5000);
    expect(p.add('r1', 'pipe1', 0)).toBe(true);
    expect(p.add('r2', 'pipe2', 0)).toBe(true);
    p.ready('r1');
    expect(p.overdue(4999)).toEqual([]);
    expect(p.overdue(5000)).toEqual(['pipe2']);
    expect(p.overdue(9000)).toEqual([]);
    expect(p.size).toBe(0);
  });

  it('hands back a cancelled pipe at once, and a cancel that came first refuses the pipe', () => {
    const p = new PendingPipes<string>(5000);
    p.add('r1', 'pipe1', 0);
    expect(p.cancel('r1', 10)).toBe('pipe1');
    expect(p.cancel('r1', 10)).toBeUndefined();
    expect(p.cancel('r2', 10)).toBeUndefined();
    expect(p.add('r2', 'pipe2', 20)).toBe(false);
    expect(p.size).toBe(0);
  });

  it('forgets an early cancel after the bound, and a pipe whose source closed', () => {
    const p = new PendingPipes<string>(5000);
    p.cancel('r1', 0);
    p.overdue(5000);
    expect(p.add('r1', 'pipe1', 5000)).toBe(true);
    p.forget('r1');
    expect(p.overdue(20_000)).toEqual([]);
  });
});

describe('sources piped in, and the host that feeds each', () => {
  it('finds the relays whose host lost its origin lease (expired or taken over)', () => {
    const r = new RelayOrigins<string>();
    r.add('p1', { origin: 'tgA', host: 'b' });
    r.add('p2', { origin: 'tgA', host: 'b' });
    r.add('p3', { origin: 'tgB', host: 'c' });
    r.add('p4', { origin: 'tgC', host: 'c' });
    expect(r.origins().sort()).toEqual(['tgA', 'tgB', 'tgC']);
    const owners = new Map<string, string | null>([
      ['tgA', null],
      ['tgB', 'c'],
      ['tgC', 'd'],
    ]);
    expect(r.orphaned(owners).sort()).toEqual(['p1', 'p2', 'p4']);
  });

  it('keeps the relays of an origin whose owner could not be looked up, and forgets removed ones', () => {
    const r = new RelayOrigins<string>();
    r.add('p1', { origin: 'tgA', host: 'b' });
    r.add('p2', { origin: 'tgB', host: 'b' });
    expect(r.orphaned(new Map([['tgB', 'b']]))).toEqual([]);
    r.remove('p1');
    expect(r.origins()).toEqual(['tgB']);
    expect(r.size).toBe(1);
  });
});
