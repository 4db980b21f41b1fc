import { formatCapTime, parseCapTime } from './time.js';

describe('CAP times', () => {
  it('are written in Beijing time with +08:00, never Z, whole seconds', () => {
    expect(formatCapTime(new Date('2026-12-06T00:00:00Z'))).toBe('2026-12-06T08:00:00+08:00');
    expect(formatCapTime(new Date('2026-12-06T15:59:59.999Z'))).toBe('2026-12-06T23:59:59+08:00');
    expect(formatCapTime(new Date('2026-12-06T16:00:00Z'))).toBe('2026-12-07T00:00:00+08:00');
    expect(formatCapTime(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01T00:00:00+08:00');
    expect(formatCapTime(new Date('2026-12-06T16:00:00Z'))).not.toContain('Z');
    expect(() => formatCapTime(new Date(NaN))).toThrow();
  });

  it('are read with any ±hh:mm offset as the same instant', () => {
    expect(parseCapTime('2026-12-06T08:00:00+08:00')).toEqual(new Date('2026-12-06T00:00:00Z'));
    expect(parseCapTime('2003-06-17T14:57:00-07:00')).toEqual(new Date('2003-06-17T21:57:00Z'));
    expect(parseCapTime('2010-08-31T00:09:25+00:00')).toEqual(new Date('2010-08-31T00:09:25Z'));
    expect(parseCapTime(' 2026-12-06T08:00:00+08:00\n')).toEqual(new Date('2026-12-06T00:00:00Z'));
    const d = new Date('2026-12-06T16:00:00Z');
    expect(parseCapTime(formatCapTime(d))).toEqual(d);
  });

  it.each([
    '2026-12-06T08:00:00Z',
    '2026-12-06T08:00:00',
    '2026-12-06T08:00:00.5+08:00',
    '2026-12-06T08:00:00,08:00',
    '2026-02-30T08:00:00+08:00',
    '2026-13-06T08:00:00+08:00',
    '2026-12-06T24:00:00+08:00',
    '2026-12-06 08:00:00+08:00',
    '2026-12-06T08:00:00+15:00',
  ])('refuse %j', (text) => {
    expect(parseCapTime(text)).toBeNull();
  });
});
