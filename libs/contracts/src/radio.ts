import { z } from 'zod';
import { singleLineText } from './text.js';

/**
 * Radio over IP (无线对讲): the additions to device protocol v1 for terminals of kind
 * `radio` (docs/device-protocol-v1.md), the talkgroup REST contract, and the messages the
 * MQTT bridge and the radio server pass on the event bus. Gateways in the field implement
 * the MQTT part: change it only by adding.
 */

/** the wire codecs a talkgroup may use; mediasoup forwards and never transcodes */
export const RADIO_CODECS = ['PCMA', 'opus'] as const;
export const RadioCodecSchema = z.enum(RADIO_CODECS);
export type RadioCodec = z.infer<typeof RadioCodecSchema>;

/** RTP facts of each codec: PCMA is payload type 8 at 8 kHz, 20 ms frames (160 bytes) */
export const RADIO_CODEC_RTP: Record<
  RadioCodec,
  { payloadType: number; clockRate: number; channels: number }
> = {
  PCMA: { payloadType: 8, clockRate: 8000, channels: 1 },
  opus: { payloadType: 111, clockRate: 48000, channels: 2 },
};

/** the leaves under `yihu/v1/terminals/{id}/radio/` */
export const RADIO_DEVICE_LEAVES = ['join', 'state', 'events'] as const;
export const RADIO_CMD_LEAF = 'cmd';

/**
 * A radio message is a few dozen bytes (a join with four codecs is under 100): anything
 * above this on a radio topic is refused, far below the 16 KB of MAX_DEVICE_PAYLOAD_BYTES.
 */
export const MAX_RADIO_PAYLOAD_BYTES = 1024;

const deviceTime = z.iso.datetime({ offset: true });
const ssrc = z.number().int().min(0).max(0xffffffff);

/** device → hub, QoS 1: sent on every connect after subscribing to `radio/cmd` */
export const RadioJoinSchema = z.object({
  codecs: z.array(RadioCodecSchema).min(1).max(4),
  ssrc,
  at: deviceTime,
});
export type RadioJoin = z.infer<typeof RadioJoinSchema>;

/** device → hub, QoS 1: carrier detect (a radio user is talking) and own PTT, on every change */
export const RadioStateSchema = z.object({
  cor: z.boolean(),
  ptt: z.boolean(),
  at: deviceTime,
});
export type RadioState = z.infer<typeof RadioStateSchema>;

/** DTMF digits a gateway decoded from received audio: 0-9, *, #, A-D */
export const DTMF_DIGITS_PATTERN = /^[0-9*#A-D]{1,32}$/;

export const RadioEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dtmf'), digits: z.string().regex(DTMF_DIGITS_PATTERN), at: deviceTime }),
  z.object({ type: z.literal('emergency'), at: deviceTime }),
]);
export type RadioEvent = z.infer<typeof RadioEventSchema>;

export const TALKER_KINDS = ['gateway', 'user', 'system'] as const;
export interface RadioTalker {
  kind: (typeof TALKER_KINDS)[number];
  id: string;
  name: string;
}

/** hub → device, QoS 1 */
export type RadioCmd =
  | { type: 'media'; host: string; port: number; codec: RadioCodec; payloadType: number; clockRate: number }
  | { type: 'key'; transmissionId: string; talker: { kind: RadioTalker['kind']; name: string } }
  | { type: 'unkey'; transmissionId: string; reason: RadioUnkeyReason }
  | { type: 'inhibit'; tx: boolean; rx: boolean };

/** why a gateway was unkeyed: the transmission ended, was pre-empted, timed out, or the gateway was inhibited */
export type RadioUnkeyReason = 'ended' | 'preempted' | 'timeout' | 'inhibited' | 'shutdown';

export const RadioCmdSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('media'),
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    codec: RadioCodecSchema,
    payloadType: z.number().int().min(0).max(127),
    clockRate: z.number().int().positive(),
  }),
  z.object({
    type: z.literal('key'),
    transmissionId: z.string().min(1).max(64),
    talker: z.object({ kind: z.enum(TALKER_KINDS), name: z.string().max(100) }),
  }),
  z.object({
    type: z.literal('unkey'),
    transmissionId: z.string().min(1).max(64),
    reason: z.enum(['ended', 'preempted', 'timeout', 'inhibited', 'shutdown']),
  }),
  z.object({ type: z.literal('inhibit'), tx: z.boolean(), rx: z.boolean() }),
]);

/**
 * Floor ranks, lowest first: a higher rank pre-empts a lower one; an equal or lower rank is
 * refused "busy" with who holds the floor.
 */
export const FLOOR_RANKS = ['radio', 'directive', 'dispatcher', 'commander', 'emergency'] as const;
export type FloorRank = (typeof FLOOR_RANKS)[number];

// ---- REST ----

export const CreateTalkgroupRequestSchema = z.strictObject({
  name: singleLineText(64),
  siteId: z.uuid(),
  codec: RadioCodecSchema.optional(),
  gatewayIds: z.array(z.string().regex(/^t[0-9a-f]{20}$/)).max(64),
});
export type CreateTalkgroupRequest = z.infer<typeof CreateTalkgroupRequestSchema>;

/** PATCH: rename, change the codec (gateways re-join) or replace the gateways; at least one */
export const UpdateTalkgroupRequestSchema = z
  .strictObject({
    name: singleLineText(64).optional(),
    codec: RadioCodecSchema.optional(),
    gatewayIds: z
      .array(z.string().regex(/^t[0-9a-f]{20}$/))
      .max(64)
      .optional(),
  })
  .refine((r) => r.name !== undefined || r.codec !== undefined || r.gatewayIds !== undefined, {
    message: 'give at least one of name, codec, gatewayIds',
  });
export type UpdateTalkgroupRequest = z.infer<typeof UpdateTalkgroupRequestSchema>;

export const ListTransmissionsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListTransmissionsQuery = z.infer<typeof ListTransmissionsQuerySchema>;

/** POST /talkgroups/:id/patch: relay each talkgroup's floor holder into the other */
export const PatchTalkgroupRequestSchema = z.strictObject({ with: z.uuid() });

/** POST /talkgroups/:id/gateways/:gid/inhibit: stop a gateway transmitting (tx) and/or receiving (rx) */
export const InhibitGatewayRequestSchema = z.strictObject({ tx: z.boolean(), rx: z.boolean() });
export type InhibitGatewayRequest = z.infer<typeof InhibitGatewayRequestSchema>;

export interface RadioEmergencyView {
  id: string;
  talkgroupId: string;
  terminalId: string;
  transmissionId: string | null;
  raisedAt: string;
  ackedAt: string | null;
  ackedBy: string | null;
}

/** at most this much text is spoken in one announcement (≈ 2 minutes of Mandarin) */
export const MAX_ANNOUNCE_CHARS = 500;
export const AnnounceRequestSchema = z.strictObject({
  text: z.string().trim().min(1).max(MAX_ANNOUNCE_CHARS),
});

export interface TalkgroupGatewayView {
  id: string;
  name: string;
  online: boolean;
  cor: boolean;
  ptt: boolean;
}

export interface TalkgroupFloorView {
  talker: RadioTalker;
  since: string;
}

export interface TalkgroupView {
  id: string;
  name: string;
  siteId: string;
  codec: RadioCodec;
  gatewayIds: string[];
  gateways: TalkgroupGatewayView[];
  floor: TalkgroupFloorView | null;
  /** talkgroups patched (互通) with this one */
  patchedWith: string[];
}

export interface TransmissionView {
  id: string;
  talkgroupId: string;
  talker: RadioTalker;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  directiveId: string | null;
  /** true when the hub stopped mid-transmission (the recording up to then is kept) */
  interrupted: boolean;
  audioUrl: string;
}

// ---- event bus: MQTT bridge ↔ radio server ----

/** bus channels; the payloads below */
export const RADIO_BUS = {
  /** a gateway's radio/join, radio/state or radio/events, validated by the bridge */
  gateway: 'radio.gateway',
  /** a command for a gateway's radio/cmd: exactly one bridge publishes it */
  cmd: 'radio.cmd',
  /** the radio server: a talkgroup's floor changed (RadioFloorMessage) */
  floor: 'radio.floor',
  /** the radio server: a gateway raised an emergency (RadioEmergencyMessage), for dispatchers */
  emergency: 'radio.emergency',
  /**
   * a radio gateway's connection came or went, as a bridge saw it (RadioPresenceMessage).
   * With an external broker every bridge sees every status, so each edge may arrive once
   * per bridge: handle it idempotently. Readiness for media is the join, not `online`.
   */
  presence: 'radio.presence',
} as const;

export type RadioGatewayMessage =
  | { terminalId: string; siteId: string; bridge: string; leaf: 'join'; body: RadioJoin }
  | { terminalId: string; siteId: string; bridge: string; leaf: 'state'; body: RadioState }
  | { terminalId: string; siteId: string; bridge: string; leaf: 'events'; body: RadioEvent };

/** on RADIO_BUS.floor: the floor now (null: free) */
export interface RadioFloorMessage {
  talkgroupId: string;
  floor: TalkgroupFloorView | null;
}

/** on RADIO_BUS.emergency: when raised, and again when acknowledged (`ackedAt` set) */
export interface RadioEmergencyMessage {
  emergency: RadioEmergencyView;
  siteId: string;
}

export interface RadioCmdMessage {
  terminalId: string;
  cmd: RadioCmd;
  /**
   * Unique per command (a UUID). Every bridge hears the command (the bus fans out); with
   * several of them the one that claims this id first publishes it. Without it the claim
   * is on the command's content for RADIO_CMD_CLAIM_SECONDS, so an identical command sent
   * again within that window would be taken for a copy: set it.
   */
  id?: string;
}

/** how long a bridge's claim on a radio command holds (see RadioCmdMessage.id) */
export const RADIO_CMD_CLAIM_SECONDS = 2;

export const RadioCmdMessageSchema = z.object({
  terminalId: z.string().regex(/^t[0-9a-f]{20}$/),
  cmd: RadioCmdSchema,
  id: z.string().min(1).max(64).optional(),
});

export interface RadioPresenceMessage {
  terminalId: string;
  siteId: string;
  bridge: string;
  online: boolean;
  /** when the bridge saw it (its own clock) */
  at: string;
}
