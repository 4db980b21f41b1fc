import { describe, expect, it } from '@jest/globals';
import type { SiteView, WarningView } from '#contracts';
import {
  createRequest,
  emptyForm,
  formFromWarning,
  formProblems,
  regionCodes,
  regionPrefix,
  sitesReached,
  updateRequest,
  type WarningForm,
} from './warning-form.js';

const site = (id: string, regionCode: string | null, parentId: string | null = 'county'): SiteView => ({
  id,
  name: id,
  kind: regionCode && regionCode.length === 6 ? 'command' : 'township',
  parentId,
  regionCode,
  createdAt: '2026-01-01T00:00:00Z',
});
const SITES = [
  site('county', '330106', null),
  site('east', '330106001'),
  site('west', '330106002'),
  site('village', '330106001001', 'east'),
  site('nocode', null),
];

const filled = (over: Partial<WarningForm> = {}): WarningForm => ({
  ...emptyForm(Date.parse('2026-12-06T06:00:00Z')),
  event: ' 暴雨 ',
  headline: '东山镇暴雨橙色预警',
  description: '预计未来6小时降雨量将达50毫米以上',
  instruction: '转移低洼地带群众',
  siteIds: ['east'],
  ...over,
});

describe('the area', () => {
  it('sends the chosen sites as region codes, once each, in code order; a site without a code adds nothing', () => {
    expect(regionCodes({ siteIds: ['west', 'east', 'nocode', 'east'], extraCodes: [] }, SITES)).toEqual([
      '330106001',
      '330106002',
    ]);
    expect(regionCodes({ siteIds: [], extraCodes: ['110101'] }, SITES)).toEqual(['110101']);
  });

  it('counts the sites a choice reaches, the sites below a code included (as the server does)', () => {
    expect(regionPrefix('330000')).toBe('33');
    expect(regionPrefix('330100')).toBe('3301');
    expect(regionPrefix('330106001000')).toBe('330106001');
    expect(sitesReached(['330106001'], SITES)).toBe(2);
    expect(sitesReached(['330106'], SITES)).toBe(4);
    expect(sitesReached(['330100'], SITES)).toBe(4);
    expect(sitesReached(['110101'], SITES)).toBe(0);
  });
});

describe('checks before sending', () => {
  it('starts with a form that only lacks the words and the area', () => {
    const p = formProblems(emptyForm(Date.now()), SITES);
    expect(Object.keys(p).sort()).toEqual(['areas', 'description', 'event', 'headline', 'instruction']);
  });

  it('names a time that cannot be read, and an expiry not after the onset', () => {
    expect(formProblems(filled({ onset: '明天' }), SITES)).toEqual({ onset: 'warn.check.time' });
    expect(formProblems(filled({ onset: '2026-12-06 18:00', expires: '2026-12-06 18:00' }), SITES)).toEqual({
      expires: 'warn.check.order',
    });
    expect(formProblems(filled({ siteIds: ['nocode'] }), SITES)).toEqual({ areas: 'warn.check.areas' });
  });

  it('asks for the English headline and description together, or neither', () => {
    expect(formProblems(filled({ enInstruction: 'Move' }), SITES)).toEqual({ en: 'warn.check.enPair' });
    expect(formProblems(filled({ enHeadline: 'Rainstorm', enDescription: 'Heavy rain' }), SITES)).toEqual({});
  });
});

describe('the requests', () => {
  it('builds POST /warnings with Beijing times, trimmed words, and status only when not a real warning', () => {
    const req = createRequest(filled({ onset: '2026-12-06 14:00', expires: '2026-12-06 20:00' }), SITES);
    expect(req).toEqual({
      event: '暴雨',
      level: 'yellow',
      headline: '东山镇暴雨橙色预警',
      description: '预计未来6小时降雨量将达50毫米以上',
      instruction: '转移低洼地带群众',
      areas: { regionCodes: ['330106001'] },
      onset: '2026-12-06T14:00:00+08:00',
      expires: '2026-12-06T20:00:00+08:00',
    });
    const drill = createRequest(
      filled({ status: 'Exercise', enHeadline: 'Rain', enDescription: 'Heavy' }),
      SITES,
    );
    expect(drill.status).toBe('Exercise');
    expect(drill.en).toEqual({ headline: 'Rain', description: 'Heavy' });
  });

  const published: WarningView = {
    ...({} as WarningView),
    id: 'w1',
    event: '暴雨',
    level: 'orange',
    headline: '暴雨橙色预警',
    description: '大雨',
    instruction: '转移',
    en: null,
    areas: { regionCodes: ['330106001', '999999'], polygons: ['1,1 1,2 2,2 1,1'] },
    onset: '2026-12-06T06:00:30Z',
    expires: '2026-12-06T12:00:00Z',
    status: 'Actual',
  };

  it('starts a 变更 from the warning, keeping codes no site in scope carries', () => {
    const form = formFromWarning(published, SITES);
    expect(form).toMatchObject({
      siteIds: ['east'],
      extraCodes: ['999999'],
      onset: '2026-12-06 14:00',
      expires: '2026-12-06 20:00',
      level: 'orange',
    });
    // nothing typed: nothing to send, though the onset had seconds the form does not show
    expect(updateRequest(form, published, SITES)).toBeNull();
  });

  it('sends only what changed; a new area keeps the polygons', () => {
    const form = { ...formFromWarning(published, SITES), level: 'red' as const, expires: '2026-12-06 22:00' };
    expect(updateRequest(form, published, SITES)).toEqual({
      level: 'red',
      expires: '2026-12-06T22:00:00+08:00',
    });
    const wider = { ...formFromWarning(published, SITES), siteIds: ['east', 'west'] };
    expect(updateRequest(wider, published, SITES)).toEqual({
      areas: { regionCodes: ['330106001', '330106002', '999999'], polygons: ['1,1 1,2 2,2 1,1'] },
    });
  });
});
