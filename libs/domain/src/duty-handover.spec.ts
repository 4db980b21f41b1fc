import { describe, expect, it } from '@jest/globals';
import { handoverConfirmDenial, handoverDenial, mergeOpenItems } from './duty-handover.js';

describe('handover rules', () => {
  it('lets only the incoming officer confirm, once', () => {
    expect(handoverConfirmDenial({ toUserId: 'in', confirmedAt: null }, 'in')).toBeNull();
    expect(handoverConfirmDenial({ toUserId: 'in', confirmedAt: null }, 'out')?.code).toBe('forbidden');
    expect(
      handoverConfirmDenial({ toUserId: 'in', confirmedAt: new Date('2026-12-07T00:00:00Z') }, 'in'),
    ).toMatchObject({ code: 'conflict', message: expect.stringContaining('2026-12-07T00:00:00.000Z') });
  });

  it('refuses a handover to oneself', () => {
    expect(handoverDenial('a', 'b')).toBeNull();
    expect(handoverDenial('a', 'a')?.fields?.[0]?.path).toBe('toUserId');
  });

  it('merges open items from every source, each once, in source order, bounded', () => {
    const d = (id: string) => ({ kind: 'directive', id, title: id });
    const s = (id: string) => ({ kind: 'spot_check', id, title: id });
    expect(
      mergeOpenItems(
        [
          [d('1'), d('2')],
          [s('1'), d('2')],
        ],
        10,
      ),
    ).toEqual([d('1'), d('2'), s('1')]);
    expect(mergeOpenItems([[d('1'), d('2')], [s('1')]], 2)).toEqual([d('1'), d('2')]);
    expect(mergeOpenItems([], 5)).toEqual([]);
  });
});
