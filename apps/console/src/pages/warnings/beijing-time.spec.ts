import { describe, expect, it } from '@jest/globals';
import { beijingInput, beijingInputToIso, beijingShort } from './beijing-time.js';

describe('Beijing time in the composer', () => {
  it('reads a typed wall time as +08:00 whatever the zone of the browser', () => {
    expect(beijingInputToIso('2026-12-06 14:03')).toBe('2026-12-06T14:03:00+08:00');
    expect(beijingInputToIso(' 2026-1-6T09:05 ')).toBe('2026-01-06T09:05:00+08:00');
    expect(Date.parse(beijingInputToIso('2026-12-07 00:30')!)).toBe(Date.parse('2026-12-06T16:30:00Z'));
  });

  it('refuses what is not a time, and dates that do not exist instead of rolling them over', () => {
    for (const bad of [
      '',
      '14:03',
      '2026-12-06',
      '2026-13-01 10:00',
      '2026-02-30 10:00',
      '2026-12-06 24:00',
      '2026-12-06 10:60',
    ])
      expect(beijingInputToIso(bad)).toBeNull();
    expect(beijingInputToIso('2028-02-29 10:00')).toBe('2028-02-29T10:00:00+08:00');
  });

  it('writes an instant back in Beijing time, round trip to the minute', () => {
    const ms = Date.parse('2026-12-06T23:59:30Z');
    expect(beijingInput(ms)).toBe('2026-12-07 07:59');
    expect(beijingInputToIso(beijingInput(ms))).toBe('2026-12-07T07:59:00+08:00');
    expect(beijingShort('2026-12-06T16:30:00Z')).toBe('12-07 00:30');
    expect(beijingShort('2026-12-07T00:30:00+08:00')).toBe('12-07 00:30');
    expect(beijingShort(null)).toBe('—');
    expect(beijingShort('not a date')).toBe('—');
  });
});
