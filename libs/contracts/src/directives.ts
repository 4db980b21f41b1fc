import { z } from 'zod';
import { phoneNumber } from './phone.js';
import { boundedDateTime, multiLineText, singleLineText } from './text.js';

/**
 * Directives (指令): the REST and Socket.IO contract of the closed loop (the contract
 * between the dispatch service and the channels is in directive-channels.ts).
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

// ---- Socket.IO contract (default namespace, auth: {token}) ----

export const DIRECTIVE_EVENTS = {
  /** server → console: a directive for the socket's site. Answer the event's ack callback as the delivery receipt. */
  directive: 'directive',
  /** console → server: 签收 `{directiveId}`; ack callback answers `{ok: true}` or `{ok: false, error}` */
  ack: 'directive.ack',
  /** server → console: a linked update to a directive already received */
  update: 'directive.update',
  /** server → console: the directive was cancelled */
  cancelled: 'directive.cancelled',
  /** server → leader on duty / issuer / parent site: a recipient missed its deadline */
  escalation: 'directive.escalation',
  /**
   * server → the late site's own consoles: its 签收 is overdue and an escalation step was
   * taken (same payload as `escalation`); added so a township sees that it was escalated
   */
  escalatedHere: 'directive.escalated',
  /** dispatcher → server: `{directiveId}`; ack callback `{ok: true, board}` or `{ok: false, error}` */
  boardSubscribe: 'directive.board.subscribe',
  boardUnsubscribe: 'directive.board.unsubscribe',
  /** server → dispatcher: coalesced recipient changes, at most ~10 a second per board */
  board: 'directive.board',
  /**
   * server → the issuer's site and its ancestors: a directive was issued there
   * (`DirectiveIssuedPayload`, ids only; the list itself is read over REST, scope-checked)
   */
  issued: 'directive.issued',
  /**
   * server → the recipients' consoles and the directive's board: its validity moved (a
   * warning's update; `DirectiveExpiryPayload`)
   */
  expiry: 'directive.expiry',
} as const;

/** The `directive.issued` event: enough to refresh a list, nothing a scope check would hide. */
export interface DirectiveIssuedPayload {
  directiveId: string;
  serial: string;
}

/** The `directive` event's payload. */
export interface DirectivePushPayload {
  id: string;
  serial: string;
  title: string;
  body: string;
  level: DirectiveLevel;
  /** ISO time by which 签收 is due */
  ackBy: string;
  /** ISO time after which the directive is no longer valid (not shown or delivered); null = no limit */
  expiresAt: string | null;
  drill: boolean;
  issuedAt: string;
  /** 0 on first delivery; the escalation step that caused a re-delivery */
  redelivery: number;
  /** a warning (预警) published through this directive (issue 19; absent otherwise) */
  kind?: 'warning';
  warningId?: string;
}

export const SocketAckRequestSchema = z.strictObject({ directiveId: z.uuid() });
export const SocketBoardRequestSchema = z.strictObject({ directiveId: z.uuid() });

export type SocketResult<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

export interface DirectiveUpdatePayload {
  directiveId: string;
  serial: string;
  messageId: string;
  text: string;
  at: string;
  /** additive: present when this update moved the directive's validity (null: no limit now) */
  expiresAt?: string | null;
}

/**
 * The `directive.expiry` event (additive): a warning's update moved the directive's
 * validity. To the recipients' consoles and the directive's board.
 */
export interface DirectiveExpiryPayload {
  directiveId: string;
  serial: string;
  /** the new validity; null: valid until closed or cancelled */
  expiresAt: string | null;
  previousExpiresAt: string | null;
  at: string;
}

export interface DirectiveCancelledPayload {
  directiveId: string;
  serial: string;
  reason: string | null;
  at: string;
}

export const ESCALATION_STEPS = ['redeliver', 'notify_leader', 'escalate_parent'] as const;
export type EscalationStep = (typeof ESCALATION_STEPS)[number];

export interface DirectiveEscalationPayload {
  directiveId: string;
  serial: string;
  title: string;
  level: DirectiveLevel;
  drill: boolean;
  /** the site that has not acknowledged */
  siteId: string;
  siteName: string;
  /** 1 re-deliver, 2 leader on duty and dispatcher notified, 3 escalated to the parent site */
  escalationLevel: number;
  step: EscalationStep;
  at: string;
  /** set on step 2 when the site has no leader on duty: nobody there was told */
  noLeader?: boolean;
}

export interface DirectiveBoardPayload {
  directiveId: string;
  status: DirectiveStatus;
  counts: Partial<Record<RecipientState, number>>;
  /** the recipients that changed since the previous message (latest state each) */
  recipients: DirectiveRecipientView[];
}
