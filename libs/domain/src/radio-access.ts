import { hasPermission, isInScope, type Actor } from './access-policy.js';

/** The site a talkgroup belongs to. */
export interface TalkgroupSite {
  id: string;
  /** materialized path, e.g. "/<root>/<county>/" */
  path: string;
}

/**
 * Who sees and uses a talkgroup: a duty officer only their own site's (a township's duty
 * room does not listen in on its neighbours), commanders and dispatchers their subtree,
 * an admin every one.
 */
export function canUseTalkgroup(actor: Actor, site: TalkgroupSite): boolean {
  if (!hasPermission(actor.role, 'radio.read')) return false;
  if (actor.role === 'duty_officer') return actor.siteId === site.id;
  return isInScope(actor, site.path);
}

/** Why `actor` may not create, change or delete a talkgroup of `site`; null when allowed. */
export function talkgroupManageDenial(actor: Actor, site: TalkgroupSite): string | null {
  if (!hasPermission(actor.role, 'radio.manage')) return `role ${actor.role} may not manage talkgroups`;
  if (!isInScope(actor, site.path)) return 'the talkgroup site is outside your scope';
  return null;
}

/** Why `actor` may not put `gateway` (a terminal) into a talkgroup of `site`; null when allowed. */
export function gatewayDenial(
  actor: Actor,
  site: TalkgroupSite,
  gateway: { kind: string; revoked: boolean; sitePath: string },
): 'not_radio' | 'revoked' | 'out_of_scope' | 'outside_talkgroup_site' | null {
  if (gateway.kind !== 'radio') return 'not_radio';
  if (gateway.revoked) return 'revoked';
  if (!isInScope(actor, gateway.sitePath)) return 'out_of_scope';
  // a gateway of the talkgroup's site or below: a county talkgroup gathers its townships
  if (!gateway.sitePath.startsWith(site.path)) return 'outside_talkgroup_site';
  return null;
}

/**
 * The floor rank a console user's PTT asks at: a commander pre-empts a dispatcher; everyone
 * else who may use the talkgroup (dispatcher, admin, a duty officer on their own site) talks
 * at dispatcher rank, above the hub's directive broadcasts and the radio users.
 */
export function radioTalkRank(actor: Actor): 'commander' | 'dispatcher' {
  return actor.role === 'commander' ? 'commander' : 'dispatcher';
}
