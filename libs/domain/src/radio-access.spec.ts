import { describe, expect, it } from '@jest/globals';
import type { Actor } from './access-policy.js';
import { canUseTalkgroup, gatewayDenial, radioTalkRank, talkgroupManageDenial } from './radio-access.js';

const county = { id: 'c', path: '/r/c/' };
const town = { id: 't', path: '/r/c/t/' };
const other = { id: 'o', path: '/r/o/' };
const actor = (role: Actor['role'], site: { id: string; path: string }): Actor => ({
  userId: 'u',
  role,
  siteId: site.id,
  sitePath: site.path,
});

describe('talkgroup access', () => {
  it('lets a duty officer use only their own site, not a site below it', () => {
    expect(canUseTalkgroup(actor('duty_officer', town), town)).toBe(true);
    expect(canUseTalkgroup(actor('duty_officer', county), town)).toBe(false);
    expect(canUseTalkgroup(actor('duty_officer', town), other)).toBe(false);
  });

  it('lets dispatchers and commanders use their subtree, an admin everything', () => {
    expect(canUseTalkgroup(actor('dispatcher', county), town)).toBe(true);
    expect(canUseTalkgroup(actor('commander', county), other)).toBe(false);
    expect(canUseTalkgroup(actor('admin', town), other)).toBe(true);
  });

  it('refuses management to duty officers and outside the scope', () => {
    expect(talkgroupManageDenial(actor('duty_officer', town), town)).toMatch(/may not manage/);
    expect(talkgroupManageDenial(actor('dispatcher', town), county)).toMatch(/outside your scope/);
    expect(talkgroupManageDenial(actor('dispatcher', county), town)).toBeNull();
  });

  it('names why a gateway cannot join', () => {
    const d = actor('dispatcher', county);
    const gw = { kind: 'radio', revoked: false, sitePath: town.path };
    expect(gatewayDenial(d, county, gw)).toBeNull();
    expect(gatewayDenial(d, county, { ...gw, kind: 'push' })).toBe('not_radio');
    expect(gatewayDenial(d, county, { ...gw, revoked: true })).toBe('revoked');
    expect(gatewayDenial(d, county, { ...gw, sitePath: other.path })).toBe('out_of_scope');
    expect(gatewayDenial(actor('admin', town), town, { ...gw, sitePath: other.path })).toBe(
      'outside_talkgroup_site',
    );
  });
});

describe('console PTT rank', () => {
  it('puts a commander above a dispatcher and everyone else at dispatcher rank', () => {
    expect(radioTalkRank(actor('commander', county))).toBe('commander');
    expect(radioTalkRank(actor('dispatcher', county))).toBe('dispatcher');
    expect(radioTalkRank(actor('duty_officer', town))).toBe('dispatcher');
    expect(radioTalkRank(actor('admin', town))).toBe('dispatcher');
  });
});
