import type { Role } from '#contracts';

/**
 * Who may do what, and where. Every REST and socket edge asks this one table, so a rule
 * changes in one place. Site scope is a subtree: an actor reaches their own site and
 * everything below it; an admin reaches every site.
 */
export type Permission =
  | 'site.read'
  | 'site.create'
  | 'user.read'
  | 'user.create'
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
  | 'consultation.join';

const GRANTS: Record<Permission, readonly Role[]> = {
  'site.read': ['admin', 'commander', 'dispatcher', 'duty_officer'],
  'site.create': ['admin', 'commander'],
  'user.read': ['admin', 'commander', 'dispatcher'],
  'user.create': ['admin', 'commander'],
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
