import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { SummedCounter } from './bridge-metrics.js';

describe('SummedCounter', () => {
  const read = async (registry: Registry) =>
    (await registry.getSingleMetric('t_total')!.get()).values.map((v) => [v.labels.kind, v.value]);

  it('hands the summed increments to prom-client when the registry is read, once', async () => {
    const registry = new Registry();
    const counter = new SummedCounter('kind', { name: 't_total', help: 'test', registers: [registry] });
    expect(await read(registry)).toEqual([]);
    counter.inc('first');
    counter.inc('first');
    counter.inc('replay', 3);
    expect(await read(registry)).toEqual([
      ['first', 2],
      ['replay', 3],
    ]);
    // read again with nothing new: the same totals, not twice them
    expect(await read(registry)).toEqual([
      ['first', 2],
      ['replay', 3],
    ]);
    counter.inc('first');
    expect(await registry.metrics()).toContain('t_total{kind="first"} 3');
  });
});
