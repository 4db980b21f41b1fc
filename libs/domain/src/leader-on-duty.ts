import { invalidField, type RuleDenial } from './rule-denial.js';

/** The user proposed as a site's leader on duty (null: no such user). */
export interface LeaderCandidate {
  siteId: string;
  disabled: boolean;
}

/**
 * 领导带班: the leader on duty is an enabled user of the site itself, as it is they who are
 * told when the site misses a deadline.
 */
export function leaderOnDutyDenial(
  siteId: string,
  userId: string,
  candidate: LeaderCandidate | null,
): RuleDenial | null {
  if (!candidate || candidate.disabled)
    return invalidField('userId', 'no such user', `userId: user ${userId} does not exist`);
  if (candidate.siteId !== siteId) {
    return invalidField(
      'userId',
      'the leader on duty must belong to the site',
      `userId: user ${userId} does not belong to site ${siteId}`,
    );
  }
  return null;
}
