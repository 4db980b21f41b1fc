import { describe, expect, it } from '@jest/globals';
import { ROLES, type Role } from '#contracts';
import {
  canAssignRole,
  canCreateRootSite,
  hasPermission,
  isInScope,
  userManagementDenial,
  type Actor,
  type Permission,
} from './access-policy.js';

// The expected table, written out independently of the code: a change to GRANTS must change this too.
const EXPECTED_GRANTS: Record<Permission, Role[]> = {
  'site.read': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'site.create': ['admin', 'commander'],
  'site.update': ['admin', 'commander'],
  'user.read': ['admin', 'commander', 'dispatcher'],
  'user.create': ['admin', 'commander'],
  'user.manage': ['admin', 'commander'],
  'audit.read': ['admin'],
  'terminal.read': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'terminal.manage': ['admin', 'commander'],
  'directive.read': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'directive.issue': ['admin', 'commander', 'dispatcher'],
  'directive.ack': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'directive.cancel': ['admin', 'commander', 'dispatcher'],
  'directive.template': ['admin', 'commander', 'dispatcher'],
  'duty.manage': ['admin', 'commander', 'dispatcher'],
  'consultation.create': ['admin', 'commander', 'dispatcher'],
  'consultation.join': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'radio.read': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'radio.manage': ['admin', 'commander', 'dispatcher'],
  'radio.ack': ['admin', 'commander', 'dispatcher'],
};

const PERMISSIONS = Object.keys(EXPECTED_GRANTS) as Permission[];
const grantCases = PERMISSIONS.flatMap((permission) =>
  ROLES.map((role) => [role, permission, EXPECTED_GRANTS[permission].includes(role)] as const),
);

const actor = (role: Role, sitePath: string): Actor => ({ userId: 'u1', role, siteId: 's', sitePath });

describe('hasPermission', () => {
  it.each(grantCases)('%s / %s -> %s', (role, permission, expected) => {
    expect(hasPermission(role, permission)).toBe(expected);
  });
});

describe('canAssignRole', () => {
  const expected: Record<Role, Role[]> = {
    admin: ['admin', 'commander', 'dispatcher', 'duty_officer'],
    commander: ['commander', 'dispatcher', 'duty_officer'],
    dispatcher: [],
    duty_officer: [],
  };
  const cases = ROLES.flatMap((creator) =>
    ROLES.map((role) => [creator, role, expected[creator].includes(role)] as const),
  );

  it.each(cases)('%s assigning %s -> %s', (creator, role, allowed) => {
    expect(canAssignRole(creator, role)).toBe(allowed);
  });
});

describe('isInScope', () => {
  const county = actor('commander', '/root/county/');

  it('reaches the actor’s own site', () => {
    expect(isInScope(county, '/root/county/')).toBe(true);
  });

  it('reaches children and deeper descendants', () => {
    expect(isInScope(county, '/root/county/town/')).toBe(true);
    expect(isInScope(county, '/root/county/town/village/')).toBe(true);
  });

  it('does not reach a sibling or the parent', () => {
    expect(isInScope(county, '/root/other-county/')).toBe(false);
    expect(isInScope(county, '/root/')).toBe(false);
  });

  it('is not fooled by a sibling whose id starts with the actor’s id', () => {
    const b = actor('dispatcher', '/a/b/');
    expect(isInScope(b, '/a/bc/')).toBe(false);
    expect(isInScope(b, '/a/bc/d/')).toBe(false);
    expect(isInScope(b, '/a/b/c/')).toBe(true);
  });

  it('gives an admin every site, whatever its own site is', () => {
    const admin = actor('admin', '/root/county/');
    expect(isInScope(admin, '/other-root/')).toBe(true);
    expect(isInScope(admin, '/root/')).toBe(true);
  });
});

describe('canCreateRootSite', () => {
  it.each(ROLES.map((role) => [role, role === 'admin'] as const))('%s -> %s', (role, expected) => {
    expect(canCreateRootSite(actor(role, '/root/'))).toBe(expected);
  });
});

describe('userManagementDenial', () => {
  const county = actor('commander', '/r/c/');
  const user = (role: Role, sitePath: string, userId = 'u2') => ({ userId, role, sitePath });

  it('lets a commander disable or demote a commander below them', () => {
    expect(userManagementDenial(county, user('commander', '/r/c/t/'), { role: 'duty_officer' })).toBeNull();
  });

  it.each([
    ['themselves', actor('admin', '/r/'), user('admin', '/r/', 'u1'), {}],
    ['a user outside their subtree', county, user('duty_officer', '/r/other/'), {}],
    ['an admin', county, user('admin', '/r/c/'), {}],
    ['to admin', county, user('dispatcher', '/r/c/'), { role: 'admin' as Role }],
    ['to a site outside their subtree', county, user('dispatcher', '/r/c/'), { sitePath: '/r/x/' }],
    ['as a dispatcher', actor('dispatcher', '/r/'), user('duty_officer', '/r/c/'), {}],
  ])('refuses %s', (_case, who, target, change) => {
    expect(userManagementDenial(who, target, change)).toEqual(expect.any(String));
  });

  it('lets an admin manage anyone else anywhere', () => {
    expect(userManagementDenial(actor('admin', '/r/'), user('admin', '/q/'), { sitePath: '/z/' })).toBeNull();
  });
});
