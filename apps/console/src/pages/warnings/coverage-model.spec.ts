import { describe, expect, it } from '@jest/globals';
import type { WarningCoverageView } from '#contracts';
import { channelRows, leadMinutes, percent, seconds } from './coverage-model.js';

describe('coverage figures', () => {
  it('floors a share, so 95.9% never reads as the goal met at 96%', () => {
    expect(percent(959, 1000)).toBe('95%');
    expect(percent(3, 3)).toBe('100%');
    expect(percent(0, 0)).toBe('—');
  });

  it('writes delivery seconds and lead minutes as read on the screen', () => {
    expect(seconds(0.2345)).toBe('0.2');
    expect(seconds(75.6)).toBe('76');
    expect(seconds(null)).toBe('—');
    expect(leadMinutes({ leadTimeSeconds: 1799 })).toBe(29);
    expect(leadMinutes({ leadTimeSeconds: -150 })).toBe(-2);
    expect(leadMinutes({ leadTimeSeconds: null })).toBeNull();
  });

  it('gives each channel its reach against the targets', () => {
    const c: WarningCoverageView = {
      targets: 4,
      delivered: 3,
      acknowledged: 1,
      byChannel: { console: 3, terminal: 2, radio: 0 },
      deliveredWithinSeconds: { p50: 0.4, p95: 1.2 },
      leadTimeSeconds: 3600,
      leadTimeShort: false,
    };
    expect(channelRows(c)).toEqual([
      { channel: 'console', n: 3, share: '75%' },
      { channel: 'terminal', n: 2, share: '50%' },
      { channel: 'radio', n: 0, share: '0%' },
    ]);
  });
});
