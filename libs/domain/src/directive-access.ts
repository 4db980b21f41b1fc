import type { RecipientState } from '#contracts';
import { isInScope, type Actor } from './access-policy.js';
import { isExpired } from './directives.js';
import { invalidField, type RuleDenial } from './rule-denial.js';

/** A validity that has already ended would expire every recipient at once. */
export function expiryDenial(expiresAt: string | undefined, now: Date): RuleDenial | null {
  if (!expiresAt || !isExpired(expiresAt, now)) return null;
  return invalidField('expiresAt', 'must be in the future');
}

/**
 * 签收 or 反馈 for another site than the actor's own (代签收): not for duty officers, only
 * for an existing site within the actor's scope, and never without a note saying why.
 * `sitePath` is null when the site does not exist.
 */
export function onBehalfDenial(
  actor: Actor,
  siteId: string,
  sitePath: string | null,
  note: string | undefined,
): RuleDenial | null {
  if (actor.role === 'duty_officer') {
    return {
      code: 'forbidden',
      message: `a duty officer acts only for their own site, not site ${siteId}`,
    };
  }
  if (sitePath === null)
    return invalidField('siteId', 'no such site', `siteId: site ${siteId} does not exist`);
  if (!isInScope(actor, sitePath))
    return { code: 'forbidden', message: `site ${siteId} is outside your scope` };
  if (!note) return invalidField('note', 'required when acting on behalf of another site');
  return null;
}

/**
 * How, who, their phone and when belong to a 代签收 only: on one's own 签收 they would put
 * words in another person's mouth in the record, so they are refused rather than dropped.
 */
export function onBehalfDetailsDenial(
  onBehalf: boolean,
  details: { method?: unknown; person?: unknown; phone?: unknown; at?: unknown },
): RuleDenial | null {
  if (onBehalf) return null;
  const field = (['method', 'person', 'phone', 'at'] as const).find((k) => details[k] !== undefined);
  return field ? invalidField(field, 'only when acknowledging on behalf of another site') : null;
}

/** What 反馈 needs to know about the recipient it completes (null: not addressed to the site). */
export interface FeedbackTarget {
  recipientState: RecipientState;
  directiveStatus: string;
}

/** 反馈 completes a site's part: only once, only after its 签收, never on a cancelled directive. */
export function feedbackDenial(
  directiveId: string,
  siteId: string,
  target: FeedbackTarget | null,
): RuleDenial | null {
  if (!target)
    return { code: 'forbidden', message: `directive ${directiveId} is not addressed to site ${siteId}` };
  if (target.directiveStatus === 'cancelled')
    return { code: 'conflict', message: `directive ${directiveId} was cancelled` };
  if (target.recipientState === 'completed') {
    return {
      code: 'conflict',
      message: `site ${siteId} has already reported completion of directive ${directiveId}`,
    };
  }
  if (target.recipientState !== 'acknowledged') {
    return {
      code: 'conflict',
      message: `directive ${directiveId} must be acknowledged (签收) by site ${siteId} before feedback`,
    };
  }
  return null;
}

/**
 * Changing a directive (cancel, 续发) is for those it was issued within the scope of;
 * those it was only addressed to see it, and answer it.
 */
export function changeDenial(directiveId: string, fullView: boolean): RuleDenial | null {
  if (fullView) return null;
  return { code: 'forbidden', message: `directive ${directiveId} was not issued within your scope` };
}

/** A 续发 goes out only while the directive is live. */
export function updateDenial(directiveId: string, status: string): RuleDenial | null {
  if (status === 'issued') return null;
  return { code: 'conflict', message: `directive ${directiveId} is ${status}; it cannot be updated` };
}

/** The live board is for those who issued within their scope, not for duty officers. */
export function boardDenial(actor: Actor, directiveId: string, fullView: boolean): RuleDenial | null {
  if (fullView && actor.role !== 'duty_officer') return null;
  return { code: 'forbidden', message: `you may not watch the board of directive ${directiveId}` };
}
