import { describe, expect, it } from '@jest/globals';
import { DtmfCollector } from './dtmf-collector.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DtmfCollector', () => {
  it("sends a code ended by '#' at once, as one message", () => {
    const out: string[] = [];
    const c = new DtmfCollector((d) => out.push(d), 10_000);
    for (const d of '0042#') c.push(d);
    expect(out).toEqual(['0042#']);
  });

  it('sends what it has after the pause, and starts afresh', async () => {
    const out: string[] = [];
    const c = new DtmfCollector((d) => out.push(d), 100);
    c.push('1');
    await sleep(60);
    c.push('2');
    await sleep(60);
    expect(out).toEqual([]);
    await sleep(80);
    expect(out).toEqual(['12']);
    c.push('3');
    c.push('#');
    expect(out).toEqual(['12', '3#']);
  });

  it('never sends more than 32 digits in one event', () => {
    const out: string[] = [];
    const c = new DtmfCollector((d) => out.push(d), 10_000);
    for (let i = 0; i < 40; i++) c.push('5');
    c.flush();
    expect(out.map((d) => d.length)).toEqual([32, 8]);
  });
});
