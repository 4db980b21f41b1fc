import { describe, expect, it } from '@jest/globals';
import {
  effectiveWarningState,
  nearestRankQuantile,
  capCategoryOfEvent,
  regionAncestors,
  regionCovers,
  regionPrefix,
  warningApproveDenial,
  warningChangeDenial,
  warningCoverage,
  warningDraftDenial,
  warningPublishDenial,
  warningRejectDenial,
  warningSubmitDenial,
  warningTimesDenial,
  warningUpdateText,
  type WarningFacts,
} from './warnings.js';

const now = new Date('2026-12-06T08:00:00Z');
const later = new Date('2026-12-06T20:00:00Z');
const editor = { userId: 'u-editor', role: 'dispatcher' as const };
const commander = { userId: 'u-cmd', role: 'commander' as const };
const duty = { userId: 'u-duty', role: 'duty_officer' as const };
const w = (state: WarningFacts['state'], extra: Partial<WarningFacts> = {}): WarningFacts => ({
  id: 'w1',
  state,
  createdBy: editor.userId,
  expires: later,
  ...extra,
});

describe('warning workflow', () => {
  it('lets editors draft and submit drafts only', () => {
    expect(warningDraftDenial(editor)).toBeNull();
    expect(warningDraftDenial(duty)?.code).toBe('forbidden');
    expect(warningSubmitDenial(editor, w('draft'))).toBeNull();
    expect(warningSubmitDenial(editor, w('review'))?.code).toBe('conflict');
    expect(warningSubmitDenial(duty, w('draft'))?.code).toBe('forbidden');
  });

  it('keeps editor and approver apart unless self-approval is allowed', () => {
    expect(warningApproveDenial(commander, w('review'), false)).toBeNull();
    const own = w('review', { createdBy: commander.userId });
    expect(warningApproveDenial(commander, own, false)).toMatchObject({ code: 'forbidden' });
    expect(warningApproveDenial(commander, own, true)).toBeNull();
    expect(warningApproveDenial(editor, w('review'), true)?.code).toBe('forbidden');
    expect(warningApproveDenial(commander, w('draft'), false)?.code).toBe('conflict');
    const emergency = w('published', { createdBy: 'u-other', awaitingSignOff: true });
    expect(warningApproveDenial(commander, emergency, false)).toBeNull();
    expect(warningApproveDenial(commander, w('published'), false)?.code).toBe('conflict');
    expect(warningRejectDenial(commander, w('review'))).toBeNull();
    expect(warningRejectDenial(commander, w('approved'))?.code).toBe('conflict');
    expect(warningRejectDenial(editor, w('review'))?.code).toBe('forbidden');
  });

  it('publishes an approved warning once; emergency by a commander only', () => {
    expect(warningPublishDenial(editor, w('approved'), false, now)).toBeNull();
    expect(warningPublishDenial(editor, w('review'), false, now)?.code).toBe('conflict');
    expect(warningPublishDenial(editor, w('draft'), true, now)?.code).toBe('forbidden');
    expect(warningPublishDenial({ userId: 'a', role: 'admin' }, w('draft'), true, now)?.code).toBe(
      'forbidden',
    );
    expect(warningPublishDenial(commander, w('draft'), true, now)).toBeNull();
    expect(warningPublishDenial(commander, w('review'), true, now)).toBeNull();
    for (const s of ['published', 'superseded', 'cancelled', 'expired'] as const)
      expect(warningPublishDenial(commander, w(s), true, now)?.code).toBe('conflict');
    expect(warningPublishDenial(duty, w('approved'), false, now)?.code).toBe('forbidden');
    expect(warningPublishDenial(editor, w('approved', { expires: now }), false, now)?.code).toBe('conflict');
  });

  it('updates and cancels only the latest live published message, by a commander', () => {
    expect(warningChangeDenial(commander, w('published'), 'update', now)).toBeNull();
    expect(warningChangeDenial(commander, w('published'), 'cancel', now)).toBeNull();
    expect(warningChangeDenial(editor, w('published'), 'update', now)?.code).toBe('forbidden');
    expect(warningChangeDenial(commander, w('cancelled'), 'update', now)?.message).toMatch(/cancelled/);
    expect(
      warningChangeDenial(commander, w('superseded', { supersededById: 'w2' }), 'cancel', now)?.message,
    ).toMatch(/w2/);
    expect(warningChangeDenial(commander, w('draft'), 'update', now)?.code).toBe('conflict');
    expect(warningChangeDenial(commander, w('published', { expires: now }), 'update', now)?.message).toMatch(
      /expired/,
    );
  });

  it('expires a published warning at its expires time', () => {
    expect(effectiveWarningState('published', later, now)).toBe('published');
    expect(effectiveWarningState('published', now, now)).toBe('expired');
    expect(effectiveWarningState('cancelled', now, later)).toBe('cancelled');
    expect(effectiveWarningState('draft', now, later)).toBe('draft');
  });

  it('refuses expires before or at onset', () => {
    expect(warningTimesDenial(now, later)).toBeNull();
    expect(warningTimesDenial(later, now)?.fields?.[0]?.path).toBe('expires');
    expect(warningTimesDenial(now, now)?.code).toBe('invalid');
  });
});

describe('warning areas by region code', () => {
  it('strips the zero groups of levels not subdivided', () => {
    expect(regionPrefix('330000')).toBe('33');
    expect(regionPrefix('330100')).toBe('3301');
    expect(regionPrefix('330106')).toBe('330106');
    expect(regionPrefix('330106001')).toBe('330106001');
    expect(regionPrefix('330106001000')).toBe('330106001');
    expect(regionPrefix('330106001002')).toBe('330106001002');
  });

  it('lists the codes that cover a code', () => {
    for (const c of ['330106001002', '330106001', '330106', '330100', '330000']) {
      const ancestors = regionAncestors(c);
      for (const a of ancestors) expect(regionCovers([a], c)).toBe(true);
      expect(ancestors).toContain(c);
    }
    expect(regionAncestors('330106001002')).toEqual(
      expect.arrayContaining(['330106001', '330106001000', '330106', '330100', '330000']),
    );
    expect(regionAncestors('330106')).not.toContain('330107');
  });

  it('covers a code itself and every code under it, nothing beside it', () => {
    expect(regionCovers(['330106'], '330106')).toBe(true);
    expect(regionCovers(['330106'], '330106001')).toBe(true);
    expect(regionCovers(['330106'], '330106001002')).toBe(true);
    expect(regionCovers(['330106'], '330107001')).toBe(false);
    expect(regionCovers(['330100'], '330106001')).toBe(true);
    expect(regionCovers(['330106001'], '330106002')).toBe(false);
    expect(regionCovers(['330106001', '330107'], '330107003')).toBe(true);
  });
});

describe('warning coverage', () => {
  it('takes nearest-rank quantiles', () => {
    expect(nearestRankQuantile([], 0.5)).toBeNull();
    expect(nearestRankQuantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(nearestRankQuantile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(nearestRankQuantile([7], 0.95)).toBe(7);
  });

  it('counts, measures delivery and flags a short lead time', () => {
    const publishedAt = new Date('2026-12-06T08:00:00Z');
    const c = warningCoverage({
      targets: 3,
      acknowledged: 1,
      byChannel: { console: 2, terminal: 1, radio: 0 },
      deliverySeconds: [3, 1, 2],
      onset: new Date('2026-12-06T08:20:00Z'),
      publishedAt,
    });
    expect(c).toEqual({
      targets: 3,
      delivered: 3,
      acknowledged: 1,
      byChannel: { console: 2, terminal: 1, radio: 0 },
      deliveredWithinSeconds: { p50: 2, p95: 3 },
      leadTimeSeconds: 1200,
      leadTimeShort: true,
    });
    const long = warningCoverage({
      ...c,
      deliverySeconds: [],
      onset: new Date('2026-12-06T08:30:00Z'),
      publishedAt,
    });
    expect(long.leadTimeShort).toBe(false);
    expect(long.deliveredWithinSeconds).toEqual({ p50: null, p95: null });
    const draft = warningCoverage({ ...c, deliverySeconds: [], onset: publishedAt, publishedAt: null });
    expect(draft.leadTimeSeconds).toBeNull();
    expect(draft.leadTimeShort).toBe(false);
  });

  it('maps events to CAP categories', () => {
    expect(capCategoryOfEvent('暴雨')).toBe('Met');
    expect(capCategoryOfEvent('地质灾害')).toBe('Geo');
    expect(capCategoryOfEvent('森林火险')).toBe('Fire');
    expect(capCategoryOfEvent('其他')).toBe('Safety');
  });

  it('writes the update notice from the new message', () => {
    expect(warningUpdateText({ headline: 'H', description: 'D', instruction: 'I' })).toBe(
      '【变更】H\nD\n\nI',
    );
  });
});
