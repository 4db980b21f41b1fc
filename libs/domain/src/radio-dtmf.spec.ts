import { describe, expect, it } from '@jest/globals';
import { dtmfSerialNumber, matchDtmfCode, serialMatchesNumber, type DtmfCandidate } from './radio-dtmf.js';

const now = new Date('2026-06-01T08:00:00Z');
function c(over: Partial<DtmfCandidate>): DtmfCandidate {
  return {
    directiveId: 'd1',
    serial: '2026-0042',
    status: 'issued',
    issuedAt: new Date('2026-06-01T07:00:00Z'),
    expiresAt: null,
    recipientState: 'delivered',
    ...over,
  };
}

describe('DTMF 签收 code matching', () => {
  it('takes digits then # as a number group, nothing else', () => {
    expect(dtmfSerialNumber('0042#')).toBe('0042');
    expect(dtmfSerialNumber('0042')).toBeNull();
    expect(dtmfSerialNumber('*0042#')).toBeNull();
    expect(dtmfSerialNumber('#')).toBeNull();
    expect(dtmfSerialNumber(null)).toBeNull();
    expect(serialMatchesNumber('2026-0042', '0042')).toBe(true);
    expect(serialMatchesNumber('2026-10042', '0042')).toBe(false);
    expect(serialMatchesNumber('2026-0042', '042')).toBe(false);
  });

  it('accepts a waiting directive of the gateway site (pending, delivered or failed)', () => {
    for (const state of ['pending', 'delivered', 'failed'] as const)
      expect(matchDtmfCode('0042#', [c({ recipientState: state })], now)).toEqual({
        outcome: 'accepted',
        directiveId: 'd1',
        serial: '2026-0042',
      });
  });

  it('an ambiguous code goes to the newest waiting directive', () => {
    const old = c({ directiveId: 'old', serial: '2025-0042', issuedAt: new Date('2025-12-30T00:00:00Z') });
    const young = c({ directiveId: 'new' });
    expect(matchDtmfCode('0042#', [old, young], now)).toMatchObject({
      outcome: 'accepted',
      directiveId: 'new',
    });
    const ackedYoung = c({ directiveId: 'new', recipientState: 'acknowledged' });
    expect(matchDtmfCode('0042#', [old, ackedYoung], now)).toMatchObject({
      outcome: 'accepted',
      directiveId: 'old',
    });
  });

  it('refuses with the most telling reason', () => {
    expect(matchDtmfCode('42', [c({})], now).outcome).toBe('malformed');
    expect(matchDtmfCode('0043#', [c({})], now).outcome).toBe('unknown_code');
    expect(matchDtmfCode('0042#', [], now).outcome).toBe('unknown_code');
    expect(matchDtmfCode('0042#', [c({ recipientState: null })], now)).toMatchObject({
      outcome: 'other_site',
      directiveId: 'd1',
    });
    expect(matchDtmfCode('0042#', [c({ recipientState: 'acknowledged' })], now).outcome).toBe(
      'already_acknowledged',
    );
    expect(matchDtmfCode('0042#', [c({ recipientState: 'completed' })], now).outcome).toBe(
      'already_acknowledged',
    );
    expect(matchDtmfCode('0042#', [c({ recipientState: 'expired' })], now).outcome).toBe('expired');
    expect(matchDtmfCode('0042#', [c({ status: 'cancelled' })], now).outcome).toBe('closed');
    expect(matchDtmfCode('0042#', [c({ status: 'closed', recipientState: 'pending' })], now).outcome).toBe(
      'closed',
    );
  });

  it('treats the expiry instant as expired even before the sweep marks the recipient', () => {
    expect(matchDtmfCode('0042#', [c({ expiresAt: now })], now).outcome).toBe('expired');
    expect(matchDtmfCode('0042#', [c({ expiresAt: new Date(now.getTime() + 1) })], now).outcome).toBe(
      'accepted',
    );
  });
});
