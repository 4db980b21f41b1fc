import { describe, expect, it } from '@jest/globals';
import type { Actor } from './access-policy.js';
import {
  canJoinConsultation,
  canModerateConsultation,
  canShareScreen,
  canViewConsultation,
  missingRollCallSites,
} from './consultations.js';

const county = '/root/county/';
const c = { hostSitePath: county, invitedSiteIds: ['town-a', 'town-b'], state: 'live' as const };
const actor = (role: Actor['role'], siteId: string, sitePath: string): Actor => ({
  userId: 'u',
  role,
  siteId,
  sitePath,
});

describe('consultation rules', () => {
  it('lets a commander or dispatcher in scope moderate, but not a duty officer or one out of scope', () => {
    expect(canModerateConsultation(actor('commander', 'county', county), c)).toBe(true);
    expect(canModerateConsultation(actor('dispatcher', 'root', '/root/'), c)).toBe(true);
    expect(canModerateConsultation(actor('duty_officer', 'county', county), c)).toBe(false);
    expect(canModerateConsultation(actor('commander', 'other', '/root/other/'), c)).toBe(false);
    expect(canModerateConsultation(actor('admin', 'x', '/x/'), c)).toBe(true);
  });

  it('lets invited sites join and keeps everyone else out; nobody joins an ended one', () => {
    expect(canJoinConsultation(actor('duty_officer', 'town-a', `${county}town-a/`), c)).toBe(true);
    expect(canJoinConsultation(actor('duty_officer', 'town-c', `${county}town-c/`), c)).toBe(false);
    expect(canJoinConsultation(actor('commander', 'county', county), { ...c, state: 'ended' })).toBe(false);
    expect(
      canViewConsultation(actor('duty_officer', 'town-b', `${county}town-b/`), { ...c, state: 'ended' }),
    ).toBe(true);
  });

  it('lets only a moderator or the floor holder share a screen', () => {
    expect(canShareScreen(true, false)).toBe(true);
    expect(canShareScreen(false, true)).toBe(true);
    expect(canShareScreen(false, false)).toBe(false);
  });

  it('lists the sites that have not answered, in order', () => {
    expect(missingRollCallSites(['a', 'b', 'c'], ['b'])).toEqual(['a', 'c']);
    expect(missingRollCallSites(['a'], ['a'])).toEqual([]);
  });
});
