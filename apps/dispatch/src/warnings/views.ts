import type { WarningSummaryView, WarningView } from '#contracts';
import { effectiveWarningState } from '#domain';
import type { WarningRow, WarningStepRow } from './warning-rows.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** CAP `sent`: when the message was published, or (unpublished) when it was made. */
export const sentOf = (w: WarningRow): Date => w.published_at ?? w.created_at;

export function toWarningSummary(w: WarningRow, now: Date): WarningSummaryView {
  return {
    id: w.id,
    identifier: w.identifier,
    state: effectiveWarningState(w.state, w.expires, now),
    msgType: w.msg_type,
    status: w.status,
    event: w.event,
    level: w.level,
    headline: w.headline,
    onset: w.onset.toISOString(),
    expires: w.expires.toISOString(),
    publishedAt: iso(w.published_at),
    directiveId: w.directive_id,
    emergency: w.emergency,
    createdAt: w.created_at.toISOString(),
  };
}

export function toWarningView(
  w: WarningRow,
  steps: WarningStepRow[],
  now: Date,
  selfApprovalAllowed: boolean,
): WarningView {
  return {
    ...toWarningSummary(w, now),
    sender: w.sender,
    description: w.description,
    instruction: w.instruction,
    en: w.en,
    areas: { regionCodes: w.region_codes, polygons: w.polygons },
    sent: sentOf(w).toISOString(),
    drillId: w.drill_id,
    references: w.refs,
    previousId: w.previous_id,
    supersededById: w.superseded_by_id,
    issuerSiteId: w.issuer_site_id,
    importedFrom:
      w.imported_identifier !== null
        ? { identifier: w.imported_identifier, sender: w.imported_sender ?? '' }
        : null,
    createdBy: w.created_by,
    submittedAt: iso(w.submitted_at),
    submittedBy: w.submitted_by,
    approvedAt: iso(w.approved_at),
    approvedBy: w.approved_by,
    rejectedAt: iso(w.rejected_at),
    rejectedBy: w.rejected_by,
    rejectReason: w.reject_reason,
    publishedBy: w.published_by,
    cancelledAt: iso(w.cancelled_at),
    cancelledBy: w.cancelled_by,
    cancelReason: w.cancel_reason,
    history: steps.map((s) => ({
      step: s.step,
      at: s.at.toISOString(),
      actorId: s.actor_id,
      actorName: s.actor_name,
      reason: s.reason,
    })),
    selfApprovalAllowed,
  };
}
