import type { Actor } from './access-policy.js';
import { isInScope } from './access-policy.js';

/** What the rules need to know about a consultation (视频会商). */
export interface ConsultationScope {
  hostSitePath: string;
  invitedSiteIds: readonly string[];
  state: 'scheduled' | 'live' | 'ended';
}

const MODERATOR_ROLES = new Set(['admin', 'commander', 'dispatcher']);

/**
 * Commanders and dispatchers whose scope covers the host site moderate: mute, floor,
 * remove, roll call, recording, end. Everyone else only joins.
 */
export function canModerateConsultation(actor: Actor, c: ConsultationScope): boolean {
  return MODERATOR_ROLES.has(actor.role) && isInScope(actor, c.hostSitePath);
}

/** Moderators, and anyone (duty officers, experts) whose own site was invited. */
export function canJoinConsultation(actor: Actor, c: ConsultationScope): boolean {
  if (c.state === 'ended') return false;
  return canModerateConsultation(actor, c) || c.invitedSiteIds.includes(actor.siteId);
}

/** Seeing the record outlives the meeting: the same people may read it after it ended. */
export function canViewConsultation(actor: Actor, c: ConsultationScope): boolean {
  return canModerateConsultation(actor, c) || c.invitedSiteIds.includes(actor.siteId);
}

/**
 * A screen is shared by a moderator or by whoever holds the floor: a site presenting its
 * situation map is given the floor first.
 */
export function canShareScreen(isModerator: boolean, holdsFloor: boolean): boolean {
  return isModerator || holdsFloor;
}

/** Sites that have not answered a roll call (点名), in invitation order. */
export function missingRollCallSites(siteIds: readonly string[], answered: readonly string[]): string[] {
  const done = new Set(answered);
  return siteIds.filter((s) => !done.has(s));
}
