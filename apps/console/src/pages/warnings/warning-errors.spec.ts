import { describe, expect, it } from '@jest/globals';
import { capProblemPlace, warningErrorKey } from './warning-errors.js';

describe("the warning workflow's refusals in Chinese", () => {
  it.each([
    ['the editor of a warning may not approve it; another person signs it off', 'warn.err.selfApprove'],
    ['only a commander may publish a warning before sign-off (emergency)', 'warn.err.emergencyOnly'],
    [
      "warning 5 is review, not approved; only a commander's emergency publication skips sign-off",
      'warn.err.notApproved',
    ],
    ['warning 5 is published: it was published already', 'warn.err.published'],
    ['warning 5 is cancelled: it cannot be updated', 'warn.err.cancelled'],
    ['warning 5 was superseded by 6: update that one', 'warn.err.superseded'],
    ['warning 5 expired before publication', 'warn.err.expired'],
    ['warning 5 is review, not a draft', 'warn.err.notDraft'],
    ['warning 5 is draft, not in review', 'warn.err.notReview'],
    ['role dispatcher may not approve warnings', 'warn.err.role'],
    [
      'your site and the sites above it have no region code: set one on the site before issuing warnings',
      'warn.err.noIssuerCode',
    ],
    ['no site in your scope lies in the area 110101', 'warn.err.noSites'],
    ['invalid CAP: line 2: unsupported version: CAP 1.1; the hub accepts CAP 1.2', 'warn.err.capVersion'],
    [
      'invalid CAP: line 3: a DOCTYPE is refused: no DTD, no entities, nothing fetched',
      'warn.err.capHostile',
    ],
    ["invalid CAP: line 9: Element 'info': This element is not expected.", 'warn.err.capInvalid'],
    [
      'the alert cannot be a warning: areas.regionCodes: name at least one region code',
      'warn.err.capUnusable',
    ],
  ])('%s', (message, key) => {
    expect(warningErrorKey(message)).toBe(key);
  });

  it("reads a field's reason when the message is generic", () => {
    expect(warningErrorKey('invalid request', [{ message: 'must be after onset' }])).toBe('warn.err.order');
    expect(
      warningErrorKey('invalid request', [{ message: 'must be 6, 9 or 12 digits (GB/T 2260 style)' }]),
    ).toBe('warn.err.region');
  });

  it('leaves other refusals to the console-wide translations', () => {
    expect(warningErrorKey('area outside your scope')).toBeUndefined();
    expect(warningErrorKey('not found')).toBeUndefined();
  });
});

describe('where an imported CAP document went wrong', () => {
  it('names the lines and elements the validator named, never its English sentence', () => {
    const message =
      "invalid CAP: line 9: Element 'info': This element is not expected. Expected is one of ( source, scope ).; line 12: Element '{urn:oasis:names:tc:emergency:cap:1.2}area': Missing child element(s).";
    expect(capProblemPlace(message, 'zh-CN')).toBe('第 9、12 行，元素 info、area');
    expect(capProblemPlace(message, 'en')).toBe('line 9, 12, element info, area');
    expect(capProblemPlace('invalid CAP: the document is not well-formed', 'zh-CN')).toBe('');
  });
});
