import { describe, expect, it } from '@jest/globals';
import { pressTime, storableDeviceTime } from './device-clock.js';

const issuedAt = new Date('2026-07-01T03:00:00Z');
const receivedAt = new Date('2026-07-01T03:40:00Z');
const bounds = { issuedAt, receivedAt };
const TOLERANCE = 120_000;
const at = (iso: string) => new Date(iso);

describe('pressTime', () => {
  it('keeps a device time between issue and receipt (a 签收 pressed during an outage)', () => {
    expect(pressTime(at('2026-07-01T03:30:00Z'), bounds, TOLERANCE)).toEqual({
      at: at('2026-07-01T03:30:00Z'),
      skew: null,
    });
  });

  it('clamps a time after the receipt to the receipt, flagged only beyond the tolerance', () => {
    expect(pressTime(at('2026-07-01T03:41:00Z'), bounds, TOLERANCE)).toEqual({ at: receivedAt, skew: null });
    expect(pressTime(at('2026-07-01T05:00:00Z'), bounds, TOLERANCE)).toEqual({
      at: receivedAt,
      skew: 'ahead',
    });
  });

  it('never lets a device back-date a 签收 before the directive was issued', () => {
    expect(pressTime(at('2026-07-01T02:59:00Z'), bounds, TOLERANCE)).toEqual({ at: issuedAt, skew: null });
    expect(pressTime(at('2020-01-01T00:00:00Z'), bounds, TOLERANCE)).toEqual({
      at: issuedAt,
      skew: 'behind',
    });
  });

  it('takes the receipt when the device gave no usable time', () => {
    expect(pressTime(null, bounds, TOLERANCE)).toEqual({ at: receivedAt, skew: null });
    expect(pressTime(new Date(NaN), bounds, TOLERANCE)).toEqual({ at: receivedAt, skew: null });
  });

  it('stays inside the receipt when the hub’s own clock stepped back after the issue', () => {
    const stepped = { issuedAt: at('2026-07-01T04:00:00Z'), receivedAt };
    expect(pressTime(at('2026-07-01T03:50:00Z'), stepped, TOLERANCE).at).toEqual(receivedAt);
    expect(pressTime(at('2026-07-01T03:39:00Z'), stepped, TOLERANCE)).toEqual({
      at: receivedAt,
      skew: null,
    });
  });
});

describe('storableDeviceTime', () => {
  it('keeps an ordinary time, normalised to UTC', () => {
    expect(storableDeviceTime('2026-07-01T11:30:00+08:00')).toBe('2026-07-01T03:30:00.000Z');
  });

  it('clamps years the database refuses or that no device clock means', () => {
    expect(storableDeviceTime('0000-01-01T00:00:00Z')).toBe('2000-01-01T00:00:00.000Z');
    expect(storableDeviceTime('9999-12-31T23:59:59Z')).toBe('9999-12-31T00:00:00.000Z');
  });

  it('gives null for what is not a time', () => {
    expect(storableDeviceTime('not a time')).toBeNull();
  });
});
