import { describe, expect, it } from '@jest/globals';
import {
  byDeadline,
  extensionDenial,
  radioSitesPerMessage,
  sitesToAdd,
  type ExtensionFacts,
} from './directive-extension.js';

const now = new Date('2026-07-01T00:00:00Z');
const live: ExtensionFacts = {
  status: 'issued',
  expiresAt: null,
  recipients: 3,
  adding: 2,
  maxRecipients: 5,
};

describe('directive extension rules', () => {
  it('adds only sites that are not recipients yet, once each, in order', () => {
    expect(sitesToAdd(['a', 'b'], ['c', 'a', 'd', 'c', 'b'])).toEqual(['c', 'd']);
    expect(sitesToAdd(new Set(['a']), ['a'])).toEqual([]);
    expect(sitesToAdd([], [])).toEqual([]);
  });

  it('lets a live directive grow up to the recipient bound', () => {
    expect(extensionDenial('d', live, now)).toBeNull();
    expect(extensionDenial('d', { ...live, expiresAt: new Date('2026-07-01T00:00:01Z') }, now)).toBeNull();
  });

  it('refuses a cancelled, closed or expired directive with 409', () => {
    expect(extensionDenial('d', { ...live, status: 'cancelled' }, now)).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('cancelled'),
    });
    expect(extensionDenial('d', { ...live, status: 'closed' }, now)?.code).toBe('conflict');
    expect(extensionDenial('d', { ...live, expiresAt: now }, now)).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('expired'),
    });
  });

  it('refuses going past DIRECTIVE_MAX_RECIPIENTS, counting the recipients it has', () => {
    expect(extensionDenial('d', { ...live, adding: 3 }, now)).toMatchObject({
      code: 'too_large',
      message: expect.stringContaining('DIRECTIVE_MAX_RECIPIENTS'),
    });
  });

  it("groups sites by the deadline each must meet, the directive's when they have none, earliest first", () => {
    const issued = new Date('2026-07-01T00:10:00Z');
    const added = new Date('2026-07-01T00:25:00Z');
    const groups = byDeadline(
      [
        { siteId: 'late', own: added },
        { siteId: 'a', own: null },
        { siteId: 'b', own: new Date(issued) },
        { siteId: 'late2', own: new Date(added) },
      ],
      issued,
    );
    expect(groups).toEqual([
      { ackBy: issued, siteIds: ['a', 'b'] },
      { ackBy: added, siteIds: ['late', 'late2'] },
    ]);
    expect(byDeadline([], issued)).toEqual([]);
  });
});

describe('the radio in a pass of re-delivery (one message per deadline)', () => {
  it('speaks once, with the first message, for every site of the pass', () => {
    const pass = byDeadline(
      [
        { siteId: 'original', own: null },
        { siteId: 'added', own: new Date('2026-07-01T00:20:00Z') },
        { siteId: 'original-2', own: null },
      ],
      new Date('2026-07-01T00:10:00Z'),
    );
    expect(pass.map((g) => g.siteIds)).toEqual([['original', 'original-2'], ['added']]);
    // a talkgroup covering `original` and `added` hears the directive once, not once per deadline
    expect(radioSitesPerMessage(pass)).toEqual([['original', 'original-2', 'added'], []]);
  });

  it('is the message itself when the pass has one deadline', () => {
    expect(radioSitesPerMessage([{ siteIds: ['a', 'b'] }])).toEqual([['a', 'b']]);
  });

  it('names a site once though two messages carry it, and nothing for an empty pass', () => {
    expect(radioSitesPerMessage([{ siteIds: ['a'] }, { siteIds: ['a', 'b'] }])).toEqual([['a', 'b'], []]);
    expect(radioSitesPerMessage([])).toEqual([]);
  });
});
