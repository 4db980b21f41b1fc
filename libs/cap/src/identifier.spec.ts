import { capIdentifier, parseCapIdentifier } from './identifier.js';

describe('GB/T 35965.1 identifiers', () => {
  it('is 31 characters: region, org, 000, 00, Beijing time, sequence digit', () => {
    const id = capIdentifier({ regionCode: '130600', at: new Date('2026-12-06T00:30:05Z'), seq: 3 });
    expect(id).toBe('13060000000000_20261206083005_3');
    expect(id).toHaveLength(31);
    expect(
      capIdentifier({ regionCode: '130600', orgCode: '042', at: new Date('2026-12-06T00:30:05Z'), seq: 0 }),
    ).toBe('13060004200000_20261206083005_0');
  });

  it('writes Beijing time across the day, month and year boundaries', () => {
    // 16:00 UTC is midnight in Beijing: the date moves forward
    expect(capIdentifier({ regionCode: '110000', at: new Date('2026-12-31T16:00:00Z'), seq: 1 })).toBe(
      '11000000000000_20270101000000_1',
    );
    expect(capIdentifier({ regionCode: '110000', at: new Date('2026-12-31T15:59:59.999Z'), seq: 1 })).toBe(
      '11000000000000_20261231235959_1',
    );
    expect(capIdentifier({ regionCode: '110000', at: new Date('2028-02-28T16:00:00Z'), seq: 9 })).toBe(
      '11000000000000_20280229000000_9',
    );
  });

  it('refuses what cannot be written', () => {
    const at = new Date('2026-12-06T00:00:00Z');
    expect(() => capIdentifier({ regionCode: '13060', at, seq: 1 })).toThrow(/regionCode/);
    expect(() => capIdentifier({ regionCode: '13060a', at, seq: 1 })).toThrow(/regionCode/);
    expect(() => capIdentifier({ regionCode: '130600', orgCode: '42', at, seq: 1 })).toThrow(/orgCode/);
    expect(() => capIdentifier({ regionCode: '130600', at, seq: 10 })).toThrow(/seq/);
    expect(() => capIdentifier({ regionCode: '130600', at, seq: -1 })).toThrow(/seq/);
    expect(() => capIdentifier({ regionCode: '130600', at, seq: 1.5 })).toThrow(/seq/);
    expect(() => capIdentifier({ regionCode: '130600', at: new Date(NaN), seq: 1 })).toThrow(/date/);
  });

  it('parses the 31- and the 29-character forms back', () => {
    const at = new Date('2026-12-31T16:00:00Z');
    const id = capIdentifier({ regionCode: '130600', orgCode: '042', at, seq: 7 });
    expect(parseCapIdentifier(id)).toEqual({ regionCode: '130600', orgCode: '042', at, seq: 7 });
    // the form a real national feed uses (Baoding, 2024): no _N
    expect(parseCapIdentifier('13060041600000_20240730103715')).toEqual({
      regionCode: '130600',
      orgCode: '416',
      at: new Date('2024-07-30T02:37:15Z'),
      seq: null,
    });
  });

  it.each([
    '',
    '13060000000000_20261206083005_',
    '13060000000000_20261206083005_12',
    '1306000000000_20261206083005_1',
    '13060000000000-20261206083005-1',
    '13060000000000_20261306083005_1',
    '13060000000000_20260230083005_1',
    '13060000000000_20261206243005_1',
    '13060000000000_20261206083060_1',
    ' 13060000000000_20261206083005_1',
  ])('refuses %j', (id) => {
    expect(parseCapIdentifier(id)).toBeNull();
  });
});
