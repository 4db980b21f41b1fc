import type { WarningFacts } from '#domain';
import type { WarningRow } from './warning-rows.js';

/** What the domain rules know of a warning row. */
export function factsOf(w: WarningRow): WarningFacts {
  return {
    id: w.id,
    state: w.state,
    createdBy: w.created_by,
    expires: w.expires,
    supersededById: w.superseded_by_id,
    awaitingSignOff: w.emergency && w.approved_at === null,
  };
}
