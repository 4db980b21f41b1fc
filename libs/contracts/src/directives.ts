import { z } from 'zod';
import { phoneNumber } from './phone.js';
import { boundedDateTime, multiLineText, singleLineText } from './text.js';

/**
 * Directives (指令): the REST contract of the closed loop (Socket.IO: directive-events.ts;
 * the contract between the dispatch service and the channels: directive-channels.ts).
 * See docs/directives.md and docs/channels.md.
 */

export const DirectiveLevelSchema = z.enum(['red', 'orange', 'yellow', 'blue']);
export type DirectiveLevel = z.infer<typeof DirectiveLevelSchema>;

export const DIRECTIVE_STATUSES = ['issued', 'cancelled', 'closed'] as const;
export const DirectiveStatusSchema = z.enum(DIRECTIVE_STATUSES);
export type DirectiveStatus = z.infer<typeof DirectiveStatusSchema>;

/** pending → delivered → acknowledged (签收) → completed (办结), or expired / failed */
export const RECIPIENT_STATES = [
  'pending',
  'delivered',
  'acknowledged',
  'completed',
  'expired',
  'failed',
] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

/** The ways a directive reaches a site. */
export const DELIVERY_CHANNEL_NAMES = ['console', 'terminal', 'radio'] as const;
export const DeliveryChannelNameSchema = z.enum(DELIVERY_CHANNEL_NAMES);
export type DeliveryChannelName = z.infer<typeof DeliveryChannelNameSchema>;

/** How a transition was made: through a channel, by a dispatcher on behalf of a site, or by the system. */
export type TransitionVia = DeliveryChannelName | 'on_behalf' | 'system';

/** Every free text (title, body, feedback, note) is limited to 8 KB of UTF-8. */
export const MAX_TEXT_BYTES = 8 * 1024;

/** Free text: \n and \t allowed, no other controls or bidi controls (text.ts). */
const text = () => multiLineText(MAX_TEXT_BYTES);

/** The longest deadline for 签收: 7 days. */
export const MAX_ACK_WITHIN_SECONDS = 7 * 24 * 3600;

export const ackWithinSchema = z
  .number({ error: 'must be a number of seconds' })
  .int('must be a whole number of seconds')
  .positive('must be greater than 0')
  .max(MAX_ACK_WITHIN_SECONDS, `must be at most ${MAX_ACK_WITHIN_SECONDS} s (7 days)`);

export const DirectiveTargetsSchema = z
  .strictObject({
    siteIds: z.array(z.uuid()).max(10_000).optional(),
    /** every township in the issuer's scope */
    all: z.boolean().optional(),
    /** the chosen sites (and groups' sites) with every site below them */
    includeChildren: z.boolean().optional(),
    groupIds: z.array(z.uuid()).max(100).optional(),
  })
  .refine((t) => t.all === true || (t.siteIds?.length ?? 0) > 0 || (t.groupIds?.length ?? 0) > 0, {
    message: 'choose all: true, siteIds or groupIds',
  });
export type DirectiveTargets = z.infer<typeof DirectiveTargetsSchema>;

export const IssueDirectiveRequestSchema = z.strictObject({
  title: singleLineText(200),
  body: text(),
  level: DirectiveLevelSchema,
  targets: DirectiveTargetsSchema,
  /** seconds to 签收; default by level (red 5 min … blue 30 min) */
  ackWithinSeconds: ackWithinSchema.optional(),
  /** 演练: carried to every recipient and channel */
  drill: z.boolean().optional(),
  /** issued in this drill (docs/drills.md): implies drill: true; every target in the drill's sites */
  drillId: z.uuid().optional(),
  /**
   * Optional validity (ISO 8601 with offset, in the future): past it, recipients that have
   * not acknowledged become `expired`, 签收 is refused and nothing is delivered late.
   */
  expiresAt: boundedDateTime().optional(),
});
export type IssueDirectiveRequest = z.infer<typeof IssueDirectiveRequestSchema>;

/** How a dispatcher heard a site's 签收 when acknowledging on its behalf (代签收). */
export const ON_BEHALF_METHODS = ['phone', 'radio', 'in_person'] as const;
export const OnBehalfMethodSchema = z.enum(ON_BEHALF_METHODS);
export type OnBehalfMethod = z.infer<typeof OnBehalfMethodSchema>;

/**
 * A duty officer acknowledges for their own site; a dispatcher may act on behalf of a site
 * with a note, and for the record (追责) say how, who answered, their phone and when.
 */
export const AckDirectiveRequestSchema = z.strictObject({
  siteId: z.uuid().optional(),
  note: text().optional(),
  /** 代签收 only: the channel the site's answer came by */
  method: OnBehalfMethodSchema.optional(),
  /** 代签收 only: the person at the site who answered */
  person: singleLineText(50).optional(),
  /** 代签收 only: their phone number */
  phone: phoneNumber().optional(),
  /** 代签收 only: when they answered (ISO 8601 with offset); the hub's time when absent */
  at: boundedDateTime().optional(),
});
export type AckDirectiveRequest = z.infer<typeof AckDirectiveRequestSchema>;

export const FeedbackRequestSchema = z.strictObject({
  text: text(),
  siteId: z.uuid().optional(),
  note: text().optional(),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequestSchema>;

export const CancelDirectiveRequestSchema = z.strictObject({ reason: text().optional() });
export type CancelDirectiveRequest = z.infer<typeof CancelDirectiveRequestSchema>;

/** An update (续发) is a new message linked to the directive: the original is never edited. */
export const DirectiveUpdateRequestSchema = z.strictObject({ text: text() });
export type DirectiveUpdateRequest = z.infer<typeof DirectiveUpdateRequestSchema>;

export const ListDirectivesQuerySchema = z.strictObject({
  state: DirectiveStatusSchema.optional(),
  since: boundedDateTime('must be an ISO 8601 date-time').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListDirectivesQuery = z.infer<typeof ListDirectivesQuerySchema>;

export interface DirectiveRecipientView {
  siteId: string;
  siteName: string;
  state: RecipientState;
  /**
   * this site's own 签收 deadline (additive): the directive's `ackBy`, or for a site added
   * later (a warning's widened area) counted from when it was added
   */
  ackDeadline: string;
  deliveredAt: string | null;
  deliveredVia: TransitionVia | null;
  /** when the hub recorded the 签收 (authoritative for escalation; docs/directives.md) */
  acknowledgedAt: string | null;
  /**
   * when the 签收 was pressed: a device's own time, bounded by the directive's issue and
   * the hub's receipt; the same as `acknowledgedAt` where no device reported one
   */
  acknowledgedPressedAt: string | null;
  /** `ahead`/`behind`: the device's clock was off beyond the tolerance and its time was clamped */
  acknowledgedClockSkew: 'ahead' | 'behind' | null;
  acknowledgedBy: string | null;
  acknowledgedVia: TransitionVia | null;
  /** 代签收: how the site answered, who, their phone, when, and the note; null otherwise */
  acknowledgedOnBehalf?: OnBehalfRecord | null;
  completedAt: string | null;
  feedback: string | null;
  overdue: boolean;
  escalationLevel: number;
  /** step 2 (notify the leader on duty) found no leader at the site: nobody there was told */
  noLeader?: boolean;
}

/** What a 代签收 recorded (stored with the 签收's history event, kept append-only). */
export interface OnBehalfRecord {
  method: OnBehalfMethod | null;
  person: string | null;
  phone: string | null;
  /** when the site answered, as the dispatcher entered it */
  at: string | null;
  note: string | null;
}

export interface DirectiveMessageView {
  id: string;
  kind: 'issue' | 'update' | 'cancel';
  text: string | null;
  actorId: string | null;
  at: string;
}

export interface DirectiveSummaryView {
  id: string;
  serial: string;
  title: string;
  level: DirectiveLevel;
  status: DirectiveStatus;
  drill: boolean;
  issuedAt: string;
  ackBy: string;
  /**
   * the latest 签收 deadline of the recipients in your scope (additive): `ackBy`, unless a
   * site was added later (a warning's widened area); for a duty room, its own deadline
   */
  lastAckBy: string;
  issuedBy: string;
  counts: Partial<Record<RecipientState, number>>;
}

export interface DirectiveView {
  id: string;
  serial: string;
  title: string;
  body: string;
  level: DirectiveLevel;
  status: DirectiveStatus;
  ackWithinSeconds: number;
  ackBy: string;
  /** null: valid until closed or cancelled */
  expiresAt: string | null;
  drill: boolean;
  /** the warning (预警) this directive carries, when it carries one (issue 19) */
  warningId?: string;
  /** the drill it was issued in (additive, docs/drills.md; absent otherwise) */
  drillId?: string;
  issuedBy: string;
  issuerSiteId: string;
  /** the issuer's display name and call-back number, for the duty room to ring back */
  issuerName?: string | null;
  issuerPhone?: string | null;
  issuedAt: string;
  cancelledAt: string | null;
  closedAt: string | null;
  messages: DirectiveMessageView[];
  recipients: DirectiveRecipientView[];
}

export interface IssueDirectiveResponse {
  id: string;
  serial: string;
  recipients: DirectiveRecipientView[];
}

export interface AckResponse {
  directiveId: string;
  siteId: string;
  state: RecipientState;
  acknowledgedAt: string | null;
  /** true when this site had already acknowledged: the ack was recorded once, before */
  duplicate: boolean;
}

// ---- site groups and templates ----

export const CreateSiteGroupRequestSchema = z.strictObject({
  name: singleLineText(100),
  siteIds: z.array(z.uuid()).min(1).max(10_000),
});
export type CreateSiteGroupRequest = z.infer<typeof CreateSiteGroupRequestSchema>;

export interface SiteGroupView {
  id: string;
  name: string;
  ownerSiteId: string;
  siteIds: string[];
  createdAt: string;
}

export const CreateDirectiveTemplateRequestSchema = z.strictObject({
  name: singleLineText(100),
  title: IssueDirectiveRequestSchema.shape.title,
  body: IssueDirectiveRequestSchema.shape.body,
  level: DirectiveLevelSchema,
  ackWithinSeconds: ackWithinSchema.optional(),
  targets: DirectiveTargetsSchema.optional(),
});
export type CreateDirectiveTemplateRequest = z.infer<typeof CreateDirectiveTemplateRequestSchema>;

export const IssueFromTemplateRequestSchema = z.strictObject({
  targets: DirectiveTargetsSchema.optional(),
  drill: z.boolean().optional(),
});
export type IssueFromTemplateRequest = z.infer<typeof IssueFromTemplateRequestSchema>;

export interface DirectiveTemplateView {
  id: string;
  name: string;
  title: string;
  body: string;
  level: DirectiveLevel;
  ackWithinSeconds: number | null;
  targets: DirectiveTargets | null;
  ownerSiteId: string;
  createdAt: string;
}

export const SetLeaderOnDutyRequestSchema = z.strictObject({ userId: z.uuid().nullable() });
export type SetLeaderOnDutyRequest = z.infer<typeof SetLeaderOnDutyRequestSchema>;
