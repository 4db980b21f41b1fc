import { describe, expect, it } from '@jest/globals';
import type { Actor } from './access-policy.js';
import {
  distinctTargets,
  expansionReadLimit,
  groupMembersDenial,
  outOfScopeTargetDenial,
  RecipientSet,
  scopePrefix,
  targetCountDenial,
  unknownTargetsDenial,
} from './targeting.js';

const county: Actor = { userId: 'u', role: 'dispatcher', siteId: 'c', sitePath: '/r/c/' };
const admin: Actor = { ...county, role: 'admin' };
const limits = { maxTargets: 3, maxGroups: 1, maxRecipients: 2 };

describe('targeting rules', () => {
  it('reaches the own subtree, an admin every tree', () => {
    expect(scopePrefix(county)).toBe('/r/c/');
    expect(scopePrefix(admin)).toBe('/');
  });

  it('names each site and group once, in the order first given', () => {
    expect(distinctTargets({ siteIds: ['b', 'a', 'b'], groupIds: ['g', 'g'] })).toEqual({
      siteIds: ['b', 'a'],
      groupIds: ['g'],
    });
    expect(distinctTargets({ all: true })).toEqual({ siteIds: [], groupIds: [] });
  });

  it('refuses more sites and groups named than a directive may name, then more groups', () => {
    expect(targetCountDenial(['a', 'b'], ['g'], limits)).toBeNull();
    expect(targetCountDenial(['a', 'b', 'c'], ['g'], limits)).toEqual({
      code: 'too_large',
      message: 'targets: 4 sites and groups named; at most 3 per directive (DIRECTIVE_MAX_TARGETS)',
    });
    expect(targetCountDenial([], ['g', 'h'], limits)?.message).toBe(
      'targets.groupIds: 2 groups; at most 1 per directive (DIRECTIVE_MAX_GROUPS)',
    );
  });

  it('reads one row past the recipient limit', () => {
    expect(expansionReadLimit(limits)).toBe(3);
  });

  it('names every unknown id at its index', () => {
    const found = new Map([['b', '/r/c/b/']]);
    expect(unknownTargetsDenial('siteIds', ['b'], found)).toBeNull();
    expect(unknownTargetsDenial('siteIds', ['a', 'b', 'c'], found)).toEqual({
      code: 'invalid',
      message: 'targets.siteIds.0: site a does not exist; targets.siteIds.2: site c does not exist',
      fields: [
        { path: 'targets.siteIds.0', message: 'site a does not exist' },
        { path: 'targets.siteIds.2', message: 'site c does not exist' },
      ],
    });
    expect(unknownTargetsDenial('groupIds', ['g'], new Map())?.fields).toEqual([
      { path: 'targets.groupIds.0', message: 'site group g does not exist' },
    ]);
  });

  it('refuses a site or group outside the scope, but not for an admin', () => {
    const found = new Map([
      ['in', '/r/c/t/'],
      ['out', '/r/d/'],
    ]);
    expect(outOfScopeTargetDenial(county, 'siteIds', found)).toEqual({
      code: 'forbidden',
      message: 'targets.siteIds: site out is outside your scope',
    });
    expect(outOfScopeTargetDenial(county, 'groupIds', found)?.message).toBe(
      'targets.groupIds: site group out is outside your scope',
    );
    expect(outOfScopeTargetDenial(county, 'siteIds', new Map([['in', '/r/c/t/']]))).toBeNull();
    expect(outOfScopeTargetDenial(admin, 'siteIds', found)).toBeNull();
  });

  it('counts each recipient once and refuses the step that goes over the limit', () => {
    const set = new RecipientSet(2);
    expect(set.emptyDenial()?.fields).toEqual([{ path: 'targets', message: 'the targets select no site' }]);
    expect(set.add(['a', 'b', 'a'], 'the sites')).toBeNull();
    expect(set.add(['b'], 'the groups')).toBeNull();
    expect(set.emptyDenial()).toBeNull();
    expect(set.toArray()).toEqual(['a', 'b']);
    expect(set.add(['c'], 'the sites with their children')).toEqual({
      code: 'too_large',
      message:
        'targets: the sites with their children select more than 2 sites; at most 2 recipients per directive (DIRECTIVE_MAX_RECIPIENTS)',
    });
  });

  it('lets the first bad member of a new group decide: unknown, then out of scope', () => {
    const found = new Map([
      ['in', '/r/c/t/'],
      ['out', '/r/d/'],
    ]);
    expect(groupMembersDenial(county, ['in'], found)).toBeNull();
    expect(groupMembersDenial(county, ['in', 'nope', 'out'], found)).toEqual({
      code: 'invalid',
      message: 'siteIds.1: site nope does not exist',
      fields: [{ path: 'siteIds.1', message: 'site nope does not exist' }],
    });
    expect(groupMembersDenial(county, ['out', 'nope'], found)).toEqual({
      code: 'forbidden',
      message: 'siteIds.0: site out is outside your scope',
    });
    expect(groupMembersDenial(admin, ['out'], found)).toBeNull();
  });
});
