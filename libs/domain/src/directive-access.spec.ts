import { describe, expect, it } from '@jest/globals';
import type { Actor } from './access-policy.js';
import {
  boardDenial,
  changeDenial,
  expiryDenial,
  feedbackDenial,
  onBehalfDenial,
  onBehalfDetailsDenial,
  updateDenial,
} from './directive-access.js';

const dispatcher: Actor = { userId: 'u', role: 'dispatcher', siteId: 'c', sitePath: '/r/c/' };
const officer: Actor = { ...dispatcher, role: 'duty_officer' };

describe('directive access rules', () => {
  it('refuses a validity that has already ended', () => {
    const now = new Date('2026-07-01T00:00:00Z');
    expect(expiryDenial(undefined, now)).toBeNull();
    expect(expiryDenial('2026-07-01T00:00:01Z', now)).toBeNull();
    expect(expiryDenial('2026-07-01T00:00:00Z', now)).toEqual({
      code: 'invalid',
      message: 'expiresAt: must be in the future',
      fields: [{ path: 'expiresAt', message: 'must be in the future' }],
    });
  });

  it('lets a dispatcher act for a site in scope with a note, in that order of checks', () => {
    expect(onBehalfDenial(dispatcher, 't', '/r/c/t/', 'phone call')).toBeNull();
    expect(onBehalfDenial(officer, 't', null, 'x')).toEqual({
      code: 'forbidden',
      message: 'a duty officer acts only for their own site, not site t',
    });
    expect(onBehalfDenial(dispatcher, 't', null, undefined)).toEqual({
      code: 'invalid',
      message: 'siteId: site t does not exist',
      fields: [{ path: 'siteId', message: 'no such site' }],
    });
    expect(onBehalfDenial(dispatcher, 'd', '/r/d/', undefined)).toEqual({
      code: 'forbidden',
      message: 'site d is outside your scope',
    });
    expect(onBehalfDenial(dispatcher, 't', '/r/c/t/', '')).toEqual({
      code: 'invalid',
      message: 'note: required when acting on behalf of another site',
      fields: [{ path: 'note', message: 'required when acting on behalf of another site' }],
    });
  });

  it("keeps how, who and when of a 代签收 off a site's own 签收", () => {
    expect(onBehalfDetailsDenial(true, { method: 'phone', person: '王五' })).toBeNull();
    expect(onBehalfDetailsDenial(false, {})).toBeNull();
    expect(onBehalfDetailsDenial(false, { person: '王五' })).toEqual({
      code: 'invalid',
      message: 'person: only when acknowledging on behalf of another site',
      fields: [{ path: 'person', message: 'only when acknowledging on behalf of another site' }],
    });
  });

  it('accepts 反馈 once, after 签收, on a live directive', () => {
    const ok = { recipientState: 'acknowledged', directiveStatus: 'issued' } as const;
    expect(feedbackDenial('d', 's', ok)).toBeNull();
    expect(feedbackDenial('d', 's', null)).toEqual({
      code: 'forbidden',
      message: 'directive d is not addressed to site s',
    });
    expect(feedbackDenial('d', 's', { ...ok, directiveStatus: 'cancelled' })).toEqual({
      code: 'conflict',
      message: 'directive d was cancelled',
    });
    expect(feedbackDenial('d', 's', { ...ok, recipientState: 'completed' })?.message).toBe(
      'site s has already reported completion of directive d',
    );
    for (const state of ['pending', 'delivered', 'failed', 'expired'] as const) {
      expect(feedbackDenial('d', 's', { ...ok, recipientState: state })?.message).toBe(
        'directive d must be acknowledged (签收) by site s before feedback',
      );
    }
  });

  it('leaves changes to the issuing scope, and 续发 to live directives', () => {
    expect(changeDenial('d', true)).toBeNull();
    expect(changeDenial('d', false)).toEqual({
      code: 'forbidden',
      message: 'directive d was not issued within your scope',
    });
    expect(updateDenial('d', 'issued')).toBeNull();
    expect(updateDenial('d', 'closed')).toEqual({
      code: 'conflict',
      message: 'directive d is closed; it cannot be updated',
    });
  });

  it('shows the board to the issuing scope, never to a duty officer', () => {
    expect(boardDenial(dispatcher, 'd', true)).toBeNull();
    expect(boardDenial(dispatcher, 'd', false)?.code).toBe('forbidden');
    expect(boardDenial(officer, 'd', true)).toEqual({
      code: 'forbidden',
      message: 'you may not watch the board of directive d',
    });
  });
});
