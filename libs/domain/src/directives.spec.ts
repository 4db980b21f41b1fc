import { describe, expect, it } from '@jest/globals';
import {
  defaultAckWithinSeconds,
  escalationIntervalSeconds,
  formatSerial,
  nextEscalation,
  serialYear,
} from './directives.js';

describe('directive rules', () => {
  it('climbs the ladder re-deliver → leader → parent, then stops', () => {
    const now = new Date('2026-07-01T00:00:00Z');
    expect(nextEscalation(0, 'red', 300, now)).toEqual({
      step: 'redeliver',
      newLevel: 1,
      nextAt: new Date('2026-07-01T00:02:00Z'),
    });
    expect(nextEscalation(1, 'red', 300, now)?.step).toBe('notify_leader');
    expect(nextEscalation(2, 'red', 300, now)).toEqual({
      step: 'escalate_parent',
      newLevel: 3,
      nextAt: null,
    });
    expect(nextEscalation(3, 'red', 300, now)).toBeNull();
  });

  it('escalates faster for severe levels, never slower than the deadline itself', () => {
    expect(escalationIntervalSeconds('red', 3600)).toBeLessThan(escalationIntervalSeconds('blue', 3600));
    expect(escalationIntervalSeconds('blue', 2)).toBe(2);
    expect(defaultAckWithinSeconds('red')).toBeLessThan(defaultAckWithinSeconds('blue'));
  });

  it('numbers serials per year in China Standard Time', () => {
    expect(serialYear(new Date('2025-12-31T16:30:00Z'))).toBe(2026);
    expect(serialYear(new Date('2025-12-31T15:59:00Z'))).toBe(2025);
    expect(formatSerial(2026, 1)).toBe('2026-0001');
    expect(formatSerial(2026, 12345)).toBe('2026-12345');
  });
});
