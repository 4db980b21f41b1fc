import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';

interface Figures {
  ear: number[];
  bareEar: number[];
  grant: number[];
  grantToKey: number[];
  corKey: number[];
  announce: { accepted: number[]; keyed: number[]; first: number[] };
  directives: { firstMs: number; speechMs: number; toneMs: number }[];
  capacity: { rows: { n: number; silent: number; loss: number; hubPct: number }[] };
}

/** `node bench/radio.mjs --quick` end to end on the built hub: every figure is measured. */
describe('bench:radio --quick', () => {
  it('measures mouth-to-ear, floor, announce, directive and capacity against a real hub', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['bench/radio.mjs', '--quick', '--json'], {
        env: { ...process.env, BENCH_BURSTS: '10' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}:\n${text}`))));
    });
    expect(out).toContain('\nJSON {');
    const line = out.split('\n').find((l) => l.startsWith('JSON '));
    const f = JSON.parse(line!.slice(5)) as Figures;
    // every burst heard through the hub and through the bare relay, in a plausible time
    expect(f.ear).toHaveLength(10);
    expect(f.bareEar).toHaveLength(10);
    for (const v of [...f.ear, ...f.bareEar]) expect(v).toBeGreaterThan(0);
    for (const v of [...f.ear, ...f.bareEar]) expect(v).toBeLessThan(2000);
    // each burst matched to its transmission row: a grant, then the listener keyed
    expect(f.grant).toHaveLength(10);
    for (const v of f.grant) expect(v).toBeGreaterThanOrEqual(0);
    for (const v of f.grantToKey) expect(v).toBeGreaterThanOrEqual(0);
    expect(f.announce.first.every((v) => v > 0 && v < 10_000)).toBe(true);
    // the directive's tone reached the gateway, and its speech after the tone
    expect(f.directives).toHaveLength(1);
    expect(f.directives[0]!.firstMs).toBeGreaterThan(0);
    expect(f.directives[0]!.speechMs).toBeGreaterThan(f.directives[0]!.firstMs + f.directives[0]!.toneMs);
    // the first step of the ramp: every listener hears its talker (no leg left out), ≤ 1% lost
    const first = f.capacity.rows[0]!;
    expect(first.n).toBe(1);
    expect(first.silent).toBe(0);
    expect(first.loss).toBeLessThanOrEqual(0.01);
    expect(first.hubPct).toBeGreaterThan(0);
  }, 180_000);
});
