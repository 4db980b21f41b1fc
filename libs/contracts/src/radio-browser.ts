import { z } from 'zod';
import type { IceServer } from './consultations.js';
import type { FloorRank, RadioEmergencyView, TalkgroupFloorView } from './radio.js';

/**
 * Browser PTT on `/radio` (same JWT as REST, `auth: {token}`): a console joins one talkgroup's
 * router with WebRTC, hears whoever holds the floor and talks while it holds it.
 * Client → server events; every one answers through the ack, `{ok: true, ...}` or
 * `{ok: false, error}`.
 */
export const RADIO_EVENTS = {
  join: 'radio.join',
  leave: 'radio.leave',
  createTransport: 'radio.createTransport',
  connectTransport: 'radio.connectTransport',
  /** the microphone: one audio producer in the talkgroup codec, heard only while holding the floor */
  produce: 'radio.produce',
  /** every source of the talkgroup, consumed; the server resumes only the floor holder's */
  consume: 'radio.consume',
  /** PTT down: `{verdict: 'granted' | 'preempted'}` or `{verdict: 'busy', heldBy}` */
  press: 'radio.press',
  /** PTT up */
  release: 'radio.release',
} as const;

/** Server → client notifications on `/radio`. */
export const RADIO_NOTIFICATIONS = {
  /** RadioFloorMessage of every talkgroup the user may use */
  floor: 'radio.floor',
  /** RadioEmergencyView of a talkgroup the user may use */
  emergency: 'radio.emergency',
  /** a new source in the joined talkgroup, already consumed: RadioConsumerView */
  consumer: 'radio.consumer',
  /** the joined talkgroup's media went away (deleted, codec changed, host gone) */
  closed: 'radio.closed',
} as const;

const id = z.string().min(1).max(64);
const opaque = z.record(z.string(), z.unknown());

export const RadioJoinTalkgroupSchema = z.strictObject({ talkgroupId: z.uuid() });
export const RadioCreateTransportSchema = z.strictObject({ direction: z.enum(['send', 'recv']) });
export const RadioConnectTransportSchema = z.strictObject({ transportId: id, dtlsParameters: opaque });
export const RadioProduceSchema = z.strictObject({ transportId: id, rtpParameters: opaque });
export const RadioConsumeSchema = z.strictObject({ rtpCapabilities: opaque });
export const RadioEmptySchema = z.strictObject({});

export interface RadioJoinResult {
  talkgroupId: string;
  routerRtpCapabilities: Record<string, unknown>;
  iceServers: IceServer[];
  floor: TalkgroupFloorView | null;
  /** the rank a press asks at (commander → commander, others → dispatcher) */
  rank: FloorRank;
}

export interface RadioConsumerView {
  consumerId: string;
  producerId: string;
  rtpParameters: Record<string, unknown>;
}

export type RadioPressResult =
  | { verdict: 'granted' | 'preempted'; transmissionId: string; since: string }
  | { verdict: 'busy'; heldBy: TalkgroupFloorView & { rank: FloorRank } };

export type RadioEmergencyNotice = RadioEmergencyView;
