import { z } from 'zod';
import { multiLineText, singleLineText } from './text.js';

/**
 * 一呼百应 push terminals and radio-over-IP gateways: the REST contract for provisioning
 * and the MQTT device protocol v1 (docs/device-protocol-v1.md). Third-party devices
 * implement the protocol: change it only by adding, never by altering.
 */
export const TERMINAL_KINDS = ['push', 'radio'] as const;
export const TerminalKindSchema = z.enum(TERMINAL_KINDS);
export type TerminalKind = z.infer<typeof TerminalKindSchema>;

/**
 * "t" + 20 hex digits: 21 characters of [0-9a-z], inside the client identifiers every
 * MQTT 3.1.1 server must accept [MQTT-3.1.3-5], and safe as a topic level.
 */
export const TERMINAL_ID_PATTERN = /^t[0-9a-f]{20}$/;

export const CreateTerminalRequestSchema = z.strictObject({
  name: singleLineText(100),
  siteId: z.uuid(),
  kind: TerminalKindSchema,
  /** radio gateways: the talkgroup the gateway announces on */
  talkgroup: singleLineText(64).optional(),
});
export type CreateTerminalRequest = z.infer<typeof CreateTerminalRequestSchema>;

/** The answer to provisioning and rotation. The secret is shown this once and stored hashed. */
export interface TerminalCredentials {
  id: string;
  secret: string;
}

export const TERMINAL_POWER = ['mains', 'battery'] as const;

export const TerminalTelemetrySchema = z.object({
  power: z.enum(TERMINAL_POWER).optional(),
  /** percent */
  battery: z.number().min(0).max(100).optional(),
  /** "lan" | "satellite" | "lte" | ... : whatever link the device is on */
  link: singleLineText(32).optional(),
});
export type TerminalTelemetry = z.infer<typeof TerminalTelemetrySchema>;

export type TerminalPresence = 'online' | 'offline' | 'never';

export interface TerminalView {
  id: string;
  name: string;
  siteId: string;
  kind: TerminalKind;
  talkgroup: string | null;
  revoked: boolean;
  presence: TerminalPresence;
  telemetry: TerminalTelemetry | null;
  lastSeenAt: string | null;
  createdAt: string;
}

// ---- device protocol v1 ----

export const TOPIC_ROOT = 'yihu/v1/terminals';
/** the leaf a push terminal publishes its site's nil report on (radio gateways may not) */
export const DEVICE_REPORTS_LEAF = 'reports';

export const terminalTopics = (id: string) => ({
  directives: `${TOPIC_ROOT}/${id}/directives`,
  acks: `${TOPIC_ROOT}/${id}/acks`,
  status: `${TOPIC_ROOT}/${id}/status`,
  /** addition to v1: updates and cancellations of directives the terminal received */
  notices: `${TOPIC_ROOT}/${id}/notices`,
  /** addition to v1 (issue 18): device → server, a push terminal's 零报告 (TerminalDailyReportSchema) */
  reports: `${TOPIC_ROOT}/${id}/${DEVICE_REPORTS_LEAF}`,
});

export const DIRECTIVE_LEVELS = ['red', 'orange', 'yellow', 'blue', 'none'] as const;

/** server → device on `.../{id}/directives`, QoS 1 */
export const TerminalDirectiveMessageSchema = z.object({
  messageId: z.uuid(),
  directiveId: z.string().min(1),
  serial: z.string(),
  title: z.string(),
  body: z.string(),
  level: z.string(),
  issuedAt: z.string(),
  expiresAt: z.string().nullable(),
  drill: z.boolean(),
  /** additive (issue 19): the directive carries a warning (预警); absent otherwise */
  kind: z.literal('warning').optional(),
  warningId: z.string().optional(),
});
export type TerminalDirectiveMessage = z.infer<typeof TerminalDirectiveMessageSchema>;

export const TERMINAL_NOTICE_KINDS = ['update', 'cancel'] as const;

/**
 * server → device on `.../{id}/notices`, QoS 1 (an addition to v1; devices that do not
 * subscribe never see it). An update adds text to a directive; a cancel withdraws it.
 * Acked on `acks` like a directive (`received`; `acknowledged` when a person has seen it).
 */
export const TerminalNoticeMessageSchema = z.object({
  messageId: z.uuid(),
  directiveId: z.string().min(1),
  serial: z.string(),
  kind: z.enum(TERMINAL_NOTICE_KINDS),
  /** the update text, or the reason for the cancellation ('' when none was given) */
  text: z.string(),
  at: z.string(),
  /**
   * additive (issue 19): on an `update` that moved the directive's validity, the new
   * `expiresAt` (null: no limit now); absent otherwise
   */
  expiresAt: z.string().nullable().optional(),
});
export type TerminalNoticeMessage = z.infer<typeof TerminalNoticeMessageSchema>;

export const TERMINAL_ACK_STATES = ['received', 'acknowledged'] as const;

/** device → server on `.../{id}/acks`, QoS 1 */
export const TerminalAckSchema = z.object({
  messageId: z.uuid(),
  state: z.enum(TERMINAL_ACK_STATES),
  at: z.iso.datetime({ offset: true }),
});
export type TerminalAck = z.infer<typeof TerminalAckSchema>;

/** Largest payload the hub accepts from a device; anything bigger is refused at the broker. */
export const MAX_DEVICE_PAYLOAD_BYTES = 16 * 1024;

/** Where a message to one terminal stands in the outbox. */
export const TERMINAL_MESSAGE_STATES = ['queued', 'sent', 'received', 'acknowledged', 'expired'] as const;
export type TerminalMessageState = (typeof TERMINAL_MESSAGE_STATES)[number];

/** A test call (测试呼叫) from the console: reaches the terminals of the given sites, marked as a drill. */
export const TerminalTestCallRequestSchema = z.strictObject({
  siteIds: z.array(z.uuid()).min(1).max(1000),
  title: singleLineText(200),
  body: multiLineText(4 * 4000, { allowEmpty: true })
    .max(4000, 'must be at most 4000 characters')
    .default(''),
  ttlSeconds: z
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600)
    .default(3600),
});
export type TerminalTestCallRequest = z.infer<typeof TerminalTestCallRequestSchema>;
