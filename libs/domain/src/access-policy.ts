import type { Role } from '#contracts';

/**
 * Who may do what, and where. Every REST and socket edge asks this one table, so a rule
 * changes in one place. Site scope is a subtree: an actor reaches their own site and
 * everything below it; an admin reaches every site.
 */
export type Permission =
  | 'site.read'
  | 'site.create'
  | 'site.update'
  | 'user.read'
  | 'user.create'
  | 'user.manage'
  | 'audit.read'
  | 'terminal.read'
  | 'terminal.manage'
  | 'directive.read'
  | 'directive.issue'
  | 'directive.ack'
  | 'directive.cancel'
  | 'directive.template'
  | 'duty.manage'
  | 'consultation.create'
  | 'consultation.join'
  | 'radio.read'
  | 'radio.manage'
  | 'radio.ack';

const GRANTS: Record<Permission, readonly Role[]> = {
  'site.read': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'site.create': ['admin', 'commander'],
  'site.update': ['admin', 'commander'],
  'user.read': ['admin', 'commander', 'dispatcher'],
  'user.create': ['admin', 'commander'],
  // disable, enable, change role or site: the same people who create users, within their scope
  'user.manage': ['admin', 'commander'],
  'audit.read': ['admin'],
  'terminal.read': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'terminal.manage': ['admin', 'commander'],
  'directive.read': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'directive.issue': ['admin', 'commander', 'dispatcher'],
  // a duty officer for their own site; the others on behalf of a site in scope, with a note
  'directive.ack': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'directive.cancel': ['admin', 'commander', 'dispatcher'],
  // site groups and templates
  'directive.template': ['admin', 'commander', 'dispatcher'],
  'duty.manage': ['admin', 'commander', 'dispatcher'],
  // 视频会商: who moderates or joins a given one is decided per consultation (domain/consultations)
  'consultation.create': ['admin', 'commander', 'dispatcher'],
  'consultation.join': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  // 无线对讲: a duty officer sees and talks on their own site's talkgroups (domain/radio-access)
  'radio.read': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'radio.manage': ['admin', 'commander', 'dispatcher'],
  // acknowledging a radio emergency is a dispatcher's duty (or above)
  'radio.ack': ['admin', 'commander', 'dispatcher'],
};

/** Roles a creator may hand out: nobody but an admin mints another admin. */
const ASSIGNABLE_ROLES: Record<Role, readonly Role[]> = {
  admin: ['admin', 'commander', 'dispatcher', 'duty_officer'],
  commander: ['commander', 'dispatcher', 'duty_officer'],
  dispatcher: [],
  duty_officer: [],
};

export interface Actor {
  userId: string;
  role: Role;
  siteId: string;
  /** materialized path of the actor's site, e.g. "/<root>/<county>/" */
  sitePath: string;
}

export function hasPermission(role: Role, permission: Permission): boolean {
  return GRANTS[permission].includes(role);
}

export function canAssignRole(creator: Role, role: Role): boolean {
  return ASSIGNABLE_ROLES[creator].includes(role);
}

/** True when the site at `targetPath` is the actor's own site or below it. */
export function isInScope(actor: Actor, targetPath: string): boolean {
  if (actor.role === 'admin') return true;
  return targetPath.startsWith(actor.sitePath);
}

/** Root sites (no parent) can only be created by an admin: they define a whole new tree. */
export function canCreateRootSite(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** The user an actor wants to disable, enable, move or re-role. */
export interface ManagedUser {
  userId: string;
  role: Role;
  sitePath: string;
}

/**
 * Why `actor` may not change `target` (and give it `change`), or null when allowed. The
 * rules for creating a user apply to managing one: a commander manages commanders and below
 * in their own subtree, never an admin; nobody changes their own account, so an admin cannot
 * lock out or demote themselves by mistake.
 */
export function userManagementDenial(
  actor: Actor,
  target: ManagedUser,
  change: { role?: Role; sitePath?: string },
): string | null {
  if (!hasPermission(actor.role, 'user.manage')) return `role ${actor.role} may not manage users`;
  if (target.userId === actor.userId) return 'you may not change your own account';
  if (!isInScope(actor, target.sitePath)) return 'the user is outside your scope';
  if (!canAssignRole(actor.role, target.role))
    return `role ${actor.role} may not manage a user with role ${target.role}`;
  if (change.role && !canAssignRole(actor.role, change.role))
    return `role ${actor.role} may not give a user the role ${change.role}`;
  if (change.sitePath && !isInScope(actor, change.sitePath)) return 'the new site is outside your scope';
  return null;
}
