import type {
  WarningEnglish,
  WarningLevelName,
  WarningMsgType,
  WarningReferenceView,
  WarningState,
  WarningStatus,
  WarningStep,
} from '#contracts';

/** A row of `warnings`: one CAP message (the alert, an update, a cancellation). */
export interface WarningRow {
  id: string;
  identifier: string;
  sender: string;
  msg_type: WarningMsgType;
  status: WarningStatus;
  state: WarningState;
  event: string;
  level: WarningLevelName;
  headline: string;
  description: string;
  instruction: string;
  en: WarningEnglish | null;
  region_codes: string[];
  polygons: string[];
  onset: Date;
  expires: Date;
  drill_id: string | null;
  previous_id: string | null;
  superseded_by_id: string | null;
  directive_id: string | null;
  refs: WarningReferenceView[];
  emergency: boolean;
  issuer_site_id: string;
  issuer_site_path: string;
  imported_identifier: string | null;
  imported_sender: string | null;
  created_at: Date;
  created_by: string | null;
  submitted_at: Date | null;
  submitted_by: string | null;
  approved_at: Date | null;
  approved_by: string | null;
  rejected_at: Date | null;
  rejected_by: string | null;
  reject_reason: string | null;
  published_at: Date | null;
  published_by: string | null;
  cancelled_at: Date | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
}

export interface WarningStepRow {
  step: WarningStep;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  reason: string | null;
}

/** What a new message row holds; the workflow columns start empty. */
export interface NewWarning {
  id: string;
  identifier: string;
  sender: string;
  msgType: WarningMsgType;
  status: WarningStatus;
  state: WarningState;
  event: string;
  level: WarningLevelName;
  headline: string;
  description: string;
  instruction: string;
  en: WarningEnglish | null;
  regionCodes: string[];
  polygons: string[];
  onset: string;
  expires: string;
  drillId: string | null;
  previousId: string | null;
  directiveId: string | null;
  refs: WarningReferenceView[];
  issuerSiteId: string;
  issuerSitePath: string;
  importedIdentifier: string | null;
  importedSender: string | null;
  createdBy: string;
}

/** The workflow columns a step sets (each only when given). */
export type WarningPatch = Partial<
  Pick<
    WarningRow,
    | 'state'
    | 'submitted_by'
    | 'approved_by'
    | 'rejected_by'
    | 'reject_reason'
    | 'published_by'
    | 'cancelled_by'
    | 'cancel_reason'
    | 'superseded_by_id'
    | 'directive_id'
    | 'emergency'
  >
> & {
  /** set these `…_at` columns to the database's now() */
  stamp?: ('submitted_at' | 'approved_at' | 'rejected_at' | 'published_at' | 'cancelled_at')[];
  /** clear a rejection when resubmitted */
  clearRejection?: boolean;
};
