import { z } from 'zod';
import type {
  DirectiveCancelledPayload,
  DirectivePushPayload,
  DirectiveUpdatePayload,
} from './directive-events.js';
import { DeliveryChannelNameSchema, MAX_TEXT_BYTES, type DeliveryChannelName } from './directives.js';

/**
 * The contract between the dispatch service and the delivery channels (console, terminal,
 * radio): the jobs a channel is given and the reports it sends back. See docs/channels.md.
 */

/** Job names shared by the dispatch service and the channels. */
export const DIRECTIVE_JOBS = {
  /** one job per channel and message: `directive.deliver.console`, `directive.deliver.terminal`, ... */
  deliver: (channel: DeliveryChannelName) => `directive.deliver.${channel}` as const,
  /** a channel reports delivered / acknowledged / failed for one site */
  channelReport: 'directive.channel-report',
  /**
   * a directive spoken on the radio talkgroups of its sites (docs/radio-voice.md): written
   * beside `directive.deliver.radio` for every directive message (issue, escalation
   * re-delivery, re-send), handled by the process that holds the radio media (the SFU)
   */
  broadcastRadio: 'directive.broadcast.radio',
} as const;

/**
 * What a channel is asked to deliver: one message of a directive to some of its sites.
 * `kind` is `directive` for the directive itself (first delivery or an escalation's
 * re-delivery), `update` for a linked update, `cancel` for a cancellation.
 */
export interface DirectiveDeliveryJob {
  kind: 'directive' | 'update' | 'cancel';
  directiveId: string;
  /** stable id of this message: use it to de-duplicate (jobs run at least once) */
  messageId: string;
  siteIds: string[];
  directive: DirectivePushPayload;
  update?: DirectiveUpdatePayload;
  cancelled?: DirectiveCancelledPayload;
}

export const CHANNEL_REPORT_KINDS = ['delivered', 'acknowledged', 'failed'] as const;

/**
 * A channel's report about one site. `acknowledged` must come from a person (a key press
 * on a terminal, a call-back on the radio), never from a broker receipt.
 */
export const ChannelReportSchema = z.strictObject({
  directiveId: z.uuid(),
  siteId: z.uuid(),
  channel: DeliveryChannelNameSchema,
  kind: z.enum(CHANNEL_REPORT_KINDS),
  /** when the hub (or the channel's own server) received what it reports */
  at: z.iso.datetime({ offset: true }),
  /**
   * `acknowledged` from a device: when the person pressed 签收, by the device's clock. The
   * recipient keeps it bounded by the directive's issue and `at` (docs/directives.md).
   */
  pressedAt: z.iso.datetime({ offset: true }).optional(),
  /** the user who acknowledged, when known */
  actorId: z.uuid().nullable().optional(),
  /** terminal or radio gateway id */
  deviceId: z.string().min(1).max(64).nullable().optional(),
  note: z.string().max(MAX_TEXT_BYTES).optional(),
});
export type ChannelReport = z.infer<typeof ChannelReportSchema>;
