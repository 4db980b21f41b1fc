import { describe, expect, it } from '@jest/globals';
import { drillRequest, secondsText } from './drill-model.js';

const form = {
  name: ' 防汛演练 ',
  kind: 'full' as const,
  siteIds: ['a'],
  startsAt: '2026-12-07 09:00',
  endsAt: '2026-12-07 11:30',
};

describe('drillRequest', () => {
  it('reads the times as Beijing time and trims the name', () => {
    expect(drillRequest(form)).toEqual({
      ok: true,
      body: {
        name: '防汛演练',
        kind: 'full',
        siteIds: ['a'],
        startsAt: '2026-12-07T09:00:00+08:00',
        endsAt: '2026-12-07T11:30:00+08:00',
      },
    });
  });
  it('asks for a site first, then for real times', () => {
    expect(drillRequest({ ...form, siteIds: [] })).toEqual({ ok: false, problem: 'drill.err.noSites' });
    expect(drillRequest({ ...form, endsAt: '2026-02-30 10:00' })).toEqual({
      ok: false,
      problem: 'drill.err.badTime',
    });
    expect(drillRequest({ ...form, startsAt: 'tomorrow' })).toEqual({
      ok: false,
      problem: 'drill.err.badTime',
    });
  });
});

describe('secondsText', () => {
  it('shows median and max, or a dash when nothing was answered', () => {
    expect(secondsText({ values: [], median: null, max: null }, '秒')).toBe('—');
    expect(secondsText({ values: [3, 9], median: 6, max: 9 }, '秒')).toBe('6 / 9 秒');
  });
});
