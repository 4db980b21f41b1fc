import { z } from 'zod';
import type {
  DirectiveLevel,
  DirectiveRecipientView,
  DirectiveStatus,
  RecipientState,
} from './directives.js';

/**
 * The directives' Socket.IO contract (default namespace, auth: {token}): event names and
 * payloads between the hub and the consoles. See docs/directives.md.
 */

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
