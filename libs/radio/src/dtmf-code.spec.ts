import { describe, expect, it } from '@jest/globals';
import { formatSerial } from '#domain';
import { dtmfCodeForSerial, normalizeDtmfCode } from './dtmf-code.js';

describe('DTMF 签收 codes', () => {
  it('takes the number of the serial the domain formats', () => {
    expect(dtmfCodeForSerial(formatSerial(2026, 42))).toBe('0042#');
    expect(dtmfCodeForSerial(formatSerial(2026, 1))).toBe('0001#');
    expect(dtmfCodeForSerial(formatSerial(2027, 12345))).toBe('12345#');
    expect(dtmfCodeForSerial('2026-0042')).toBe('0042#');
  });

  it('refuses a serial without a number', () => {
    expect(() => dtmfCodeForSerial('draft')).toThrow(RangeError);
    expect(() => dtmfCodeForSerial('')).toThrow(RangeError);
  });

  it('normalizes what gateways report', () => {
    expect(normalizeDtmfCode('0042#')).toBe('0042#');
    expect(normalizeDtmfCode('0042')).toBe('0042#');
    expect(normalizeDtmfCode('*0042#')).toBe('0042#');
    expect(normalizeDtmfCode('0042##')).toBe('0042#');
    expect(normalizeDtmfCode(' 0042# ')).toBe('0042#');
  });

  it('rejects what is not a code', () => {
    for (const bad of ['', '#', '*', '00A2#', '0042#1', '0042*', '123456789#', '*#']) {
      expect(normalizeDtmfCode(bad)).toBeNull();
    }
  });

  it('a code round-trips through a gateway report', () => {
    const code = dtmfCodeForSerial('2026-0815');
    expect(normalizeDtmfCode(`*${code}`)).toBe(code);
  });
});
