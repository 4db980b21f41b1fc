import type { Actor } from '#domain';
import type { DirectiveChange } from '../directives/shared/directive-changes.js';
import type { WarningRow } from './warning-rows.js';

/** The delayed job that records a published warning's expiry. */
export const WARNING_EXPIRE_JOB = 'warning.expire';

/** The audit entry (and, for a live message, the expiry timer) of a step. */
export function warningChange(
  actor: Actor,
  id: string,
  action: string,
  w: WarningRow,
  data: Record<string, unknown>,
): DirectiveChange {
  const expires =
    action === 'warning.cancelled' ? null : (data.content as { expires?: string } | undefined)?.expires;
  const at = new Date(expires ?? w.expires);
  return {
    audit: [
      {
        actorId: actor.userId,
        action,
        subjectType: 'warning',
        subjectId: id,
        data: { previous: action.endsWith('publish') ? undefined : w.id, ...data },
      },
    ],
    jobs:
      action === 'warning.cancelled'
        ? []
        : [{ name: WARNING_EXPIRE_JOB, data: { warningId: id }, key: `warning-expire:${id}`, runAt: at }],
  };
}

/** The content fields of a row, in the request's shape (an update merges its changes over them). */
export function rowContent(w: WarningRow) {
  return {
    event: w.event,
    level: w.level,
    headline: w.headline,
    description: w.description,
    instruction: w.instruction,
    en: w.en ?? undefined,
    areas: { regionCodes: w.region_codes, polygons: w.polygons },
    onset: w.onset.toISOString(),
    expires: w.expires.toISOString(),
  };
}
