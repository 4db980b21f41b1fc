import { describe, expect, it } from '@jest/globals';
import { dispatchDenial, itemCodeDenial, itemCodeLevels, itemCodeProblem, stockFlags } from './stock.js';

describe('itemCodeProblem (GB/T 38565-2020)', () => {
  it('accepts 7 digits starting 1, 2 or 3', () => {
    for (const code of ['1010101', '2990000', '3000001']) expect(itemCodeProblem(code)).toBeNull();
  });
  it('names the rule and what is wrong', () => {
    expect(itemCodeProblem('101010')).toMatch(/^物资编码应为7位数字，首位为1-3.*6位$/);
    expect(itemCodeProblem('10101010')).toContain('8位');
    expect(itemCodeProblem('4010101')).toContain('首位是4');
    expect(itemCodeProblem('0010101')).toContain('首位是0');
    expect(itemCodeProblem('10A0101')).toContain('非数字');
    expect(itemCodeProblem('')).toMatch(/^物资编码应为7位数字.*编码为空$/);
    expect(itemCodeDenial('9')).toMatchObject({ code: 'invalid', fields: [{ path: 'code' }] });
  });
  it('splits a code into its 4 levels', () => {
    expect(itemCodeLevels('2030405')).toEqual(['2', '03', '04', '05']);
  });
});

describe('stockFlags', () => {
  const now = new Date('2026-12-07T00:00:00Z');
  const day = (n: number) => new Date(now.getTime() + n * 86_400_000);
  it('flags expired at expiry, expiring soon within the window, neither without a date', () => {
    expect(stockFlags({ quantity: 1, minimum: null, expiresAt: now }, now)).toEqual({
      expired: true,
      expiringSoon: false,
      belowMinimum: false,
    });
    expect(stockFlags({ quantity: 1, minimum: null, expiresAt: day(30) }, now).expiringSoon).toBe(true);
    expect(stockFlags({ quantity: 1, minimum: null, expiresAt: day(31) }, now).expiringSoon).toBe(false);
    expect(stockFlags({ quantity: 1, minimum: null, expiresAt: day(31) }, now, 60).expiringSoon).toBe(true);
    expect(stockFlags({ quantity: 1, minimum: null, expiresAt: null }, now)).toEqual({
      expired: false,
      expiringSoon: false,
      belowMinimum: false,
    });
  });
  it('flags below minimum only under a set minimum', () => {
    expect(stockFlags({ quantity: 9, minimum: 10, expiresAt: null }, now).belowMinimum).toBe(true);
    expect(stockFlags({ quantity: 10, minimum: 10, expiresAt: null }, now).belowMinimum).toBe(false);
    expect(stockFlags({ quantity: 0, minimum: null, expiresAt: null }, now).belowMinimum).toBe(false);
  });
});

describe('dispatchDenial', () => {
  it('allows up to the quantity in stock, refuses more with 409', () => {
    const item = { code: '1010101', quantity: 5, unit: '顶' };
    expect(dispatchDenial(item, 5)).toBeNull();
    expect(dispatchDenial(item, 6)).toMatchObject({ code: 'conflict', fields: [{ path: 'quantity' }] });
  });
});
