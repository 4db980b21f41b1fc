import { z } from 'zod';
import { boundedDateTime, singleLineText } from './text.js';

/**
 * Video consultations (视频会商): the REST contract, and the Socket.IO signalling contract on
 * the `/sfu` namespace that the browser client (apps/sfu/client) and the console share.
 * mediasoup's own parameter objects (rtpParameters, dtlsParameters, rtpCapabilities) pass
 * through as opaque objects: mediasoup validates them, and its errors come back as
 * `{ ok: false, error }`. Kept free of Node-only APIs so browsers can import it.
 * See docs/video.md.
 */

export const CONSULTATION_STATES = ['scheduled', 'live', 'ended'] as const;
export type ConsultationState = (typeof CONSULTATION_STATES)[number];

/** At most this many sites invited to one consultation. */
export const MAX_INVITED_SITES = 50;

export const CreateConsultationRequestSchema = z.strictObject({
  title: singleLineText(200),
  /** township duty rooms (and expert sites) invited; each must be in the creator's scope */
  siteIds: z
    .array(z.uuid())
    .min(1, 'invite at least one site')
    .max(MAX_INVITED_SITES, `must invite at most ${MAX_INVITED_SITES} sites`)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a site'),
  /** the directive (指令) or incident this consultation concerns */
  directiveId: z.uuid().optional(),
  /** 演练: held in this drill (docs/drills.md); every invited site must be one of the drill's */
  drillId: z.uuid().optional(),
  /** schedule for later; unset = now */
  scheduledAt: boundedDateTime('must be an ISO 8601 date-time').optional(),
});
export type CreateConsultationRequest = z.infer<typeof CreateConsultationRequestSchema>;

export const ListConsultationsQuerySchema = z.strictObject({
  state: z.enum(CONSULTATION_STATES).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1).max(200).default(50),
});
export type ListConsultationsQuery = z.infer<typeof ListConsultationsQuerySchema>;

export interface ConsultationView {
  id: string;
  title: string;
  state: ConsultationState;
  hostSiteId: string;
  createdBy: string;
  siteIds: string[];
  directiveId: string | null;
  /** 演练: held in a drill, opened with one or by a drill's response (additive, docs/drills.md) */
  drillId: string | null;
  /** 演练 mark: true exactly when drillId is set (additive) */
  drill: boolean;
  scheduledAt: string | null;
  createdAt: string;
  endedAt: string | null;
}

export interface AttendanceView {
  userId: string;
  siteId: string;
  joinedAt: string;
  leftAt: string | null;
  /** left | removed | ended | worker-died | disconnected */
  leftReason: string | null;
}

export interface RollCallView {
  id: string;
  startedBy: string;
  startedAt: string;
  closedAt: string | null;
  siteIds: string[];
  answers: { siteId: string; userId: string; answeredAt: string }[];
  /** invited sites that did not answer (filled once closed, else those not yet answered) */
  missing: string[];
}

export const RECORDING_STATES = ['recording', 'stopped', 'interrupted', 'failed'] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

export interface RecordingView {
  id: string;
  consultationId: string;
  state: RecordingState;
  startedBy: string;
  startedAt: string;
  stoppedAt: string | null;
  /** paths relative to DATA_DIR; a new segment starts when the speakers or sources change */
  files: string[];
  error: string | null;
}

export interface ConsultationDetailView extends ConsultationView {
  attendance: AttendanceView[];
  rollCalls: RollCallView[];
  recordings: RecordingView[];
}

/** What a client needs before it connects to `/sfu`. */
export interface JoinTicket {
  consultationId: string;
  namespace: '/sfu';
  moderator: boolean;
  iceServers: IceServer[];
}

export const IceServerSchema = z.strictObject({
  urls: z.union([
    z.string().regex(/^(stun|turn|turns):/, 'must start with stun:, turn: or turns:'),
    z.array(z.string().regex(/^(stun|turn|turns):/, 'must start with stun:, turn: or turns:')).min(1),
  ]),
  username: z.string().min(1).optional(),
  credential: z.string().min(1).optional(),
});
export type IceServer = z.infer<typeof IceServerSchema>;

// ---- signalling on the /sfu namespace --------------------------------------------------

/** Client → server events; every one answers through the Socket.IO ack with SfuResult. */
export const SFU_EVENTS = {
  join: 'sfu:join',
  leave: 'sfu:leave',
  createTransport: 'sfu:transport:create',
  connectTransport: 'sfu:transport:connect',
  produce: 'sfu:produce',
  closeProducer: 'sfu:producer:close',
  consume: 'sfu:consume',
  resumeConsumer: 'sfu:consumer:resume',
  setConsumerLayers: 'sfu:consumer:layers',
  // moderator only
  mute: 'sfu:mute',
  floor: 'sfu:floor',
  remove: 'sfu:remove',
  rollCallStart: 'sfu:rollcall:start',
  rollCallClose: 'sfu:rollcall:close',
  stats: 'sfu:stats',
  // any participant
  rollCallAnswer: 'sfu:rollcall:answer',
} as const;

/** Server → client notifications. */
export const SFU_NOTIFICATIONS = {
  peerJoined: 'sfu:peer-joined',
  peerLeft: 'sfu:peer-left',
  newProducer: 'sfu:new-producer',
  producerClosed: 'sfu:producer-closed',
  producerPaused: 'sfu:producer-paused',
  consumerClosed: 'sfu:consumer-closed',
  activeSpeaker: 'sfu:active-speaker',
  floor: 'sfu:floor',
  removed: 'sfu:removed',
  roomClosed: 'sfu:room-closed',
  rollCall: 'sfu:rollcall',
  rollCallAnswer: 'sfu:rollcall-answer',
  recording: 'sfu:recording',
} as const;

export type SfuResult<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

const id = z.string().min(1).max(64);
const opaque = z.record(z.string(), z.unknown());

export const MEDIA_SOURCES = ['mic', 'camera', 'screen'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];

export const SfuJoinSchema = z.strictObject({ consultationId: z.uuid() });
export const SfuCreateTransportSchema = z.strictObject({ direction: z.enum(['send', 'recv']) });
export const SfuConnectTransportSchema = z.strictObject({ transportId: id, dtlsParameters: opaque });
export const SfuProduceSchema = z
  .strictObject({
    transportId: id,
    kind: z.enum(['audio', 'video']),
    rtpParameters: opaque,
    source: z.enum(MEDIA_SOURCES),
  })
  .refine((p) => (p.source === 'mic') === (p.kind === 'audio'), {
    message: 'mic is audio; camera and screen are video',
    path: ['source'],
  });
export const SfuProducerIdSchema = z.strictObject({ producerId: id });
export const SfuConsumeSchema = z.strictObject({ producerId: id, rtpCapabilities: opaque });
export const SfuConsumerIdSchema = z.strictObject({ consumerId: id });
export const SfuConsumerLayersSchema = z.strictObject({
  consumerId: id,
  spatialLayer: z.number().int().min(0).max(2),
});
export const SfuMuteSchema = z.strictObject({
  peerId: id,
  kind: z.enum(['audio', 'video']),
  muted: z.boolean(),
});
/** give the floor to a participant (null takes it back); muteOthers pauses every other microphone */
export const SfuFloorSchema = z.strictObject({ peerId: id.nullable(), muteOthers: z.boolean().optional() });
export const SfuRemoveSchema = z.strictObject({ peerId: id });
export const SfuRollCallIdSchema = z.strictObject({ rollCallId: z.uuid() });
export const SfuEmptySchema = z.strictObject({});

export interface SfuPeerView {
  peerId: string;
  userId: string;
  username: string;
  siteId: string;
  siteName: string;
  moderator: boolean;
}

export interface SfuProducerView {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
}

export interface SfuJoinResult {
  peerId: string;
  moderator: boolean;
  routerRtpCapabilities: Record<string, unknown>;
  iceServers: IceServer[];
  peers: SfuPeerView[];
  producers: SfuProducerView[];
  floorPeerId: string | null;
  activeSpeakerPeerId: string | null;
  rollCall: SfuRollCallNotice | null;
}

export interface SfuTransportView {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
}

export interface SfuConsumerView {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  rtpParameters: Record<string, unknown>;
}

export interface SfuRollCallNotice {
  rollCallId: string;
  siteIds: string[];
  answered: string[];
}

export interface SfuParticipantStats {
  peerId: string;
  userId: string;
  siteId: string;
  /** media the participant sends, as the SFU receives it */
  producers: {
    producerId: string;
    kind: 'audio' | 'video';
    source: MediaSource;
    paused: boolean;
    bitrate: number;
    fractionLost: number;
    packetsLost: number;
    score: number | null;
  }[];
  /** media the SFU sends to the participant; loss as the participant's receiver reports say */
  consumers: { count: number; bitrate: number; fractionLost: number };
}

// ---- invitations on the console's own Socket.IO connection ------------------------------

/**
 * The sfu publishes a new consultation on the event bus (this channel); dispatch hands it
 * to the invited sites' duty consoles as `CONSOLE_CONSULT_EVENTS.invitation`. Fire and
 * forget: the console still polls GET /consultations as a fallback.
 */
export const CONSULTATION_INVITED_CHANNEL = 'consultation.invited';

/** Server → console (default namespace, room `site:<id>`). */
export const CONSOLE_CONSULT_EVENTS = {
  /** a consultation that invites the console's site was created; payload ConsultationView */
  invitation: 'consultation.invitation',
} as const;
