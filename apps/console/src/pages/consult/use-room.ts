import { useEffect, useState } from 'react';
import type {
  MediaSource,
  RecordingState,
  SfuPeerView,
  SfuProducerView,
  SfuRollCallNotice,
} from '#contracts';
import type { RemoteTrack, SfuClient } from '#sfu-client';
import { api } from '../../lib/api.js';

const STATS_MS = 2000;

export interface RemoteMedia {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
}

export interface RollCallState {
  id: string;
  siteIds: string[];
  answered: string[];
  closed: boolean;
}

export type EndReason = 'ended' | 'removed' | 'closed';

export interface RoomState {
  peers: SfuPeerView[];
  media: RemoteMedia[];
  /** producer id → paused in the SFU (a moderator's mute) */
  paused: Record<string, boolean>;
  kbps: Record<string, number>;
  speaker: string | null;
  floor: string | null;
  rollCall: RollCallState | null;
  recording: RecordingState | null;
  /** kinds a moderator muted on this participant */
  forced: { audio: boolean; video: boolean };
}

function rollCallFrom(n: SfuRollCallNotice): RollCallState {
  return { id: n.rollCallId, siteIds: n.siteIds, answered: n.answered, closed: false };
}

/**
 * The room as this browser sees it, kept in step with the SFU's notifications. The client
 * is created by the caller; this hook only listens and derives.
 */
export function useRoom(client: SfuClient, consultationId: string, onEnd: (r: EndReason) => void): RoomState {
  const [state, setState] = useState<RoomState>(() => {
    const j = client.joinResult;
    return {
      peers: [...client.peers.values()],
      media: [],
      paused: Object.fromEntries(j.producers.map((p) => [p.producerId, p.paused])),
      kbps: {},
      speaker: j.activeSpeakerPeerId,
      floor: j.floorPeerId,
      rollCall: j.rollCall ? rollCallFrom(j.rollCall) : null,
      recording: null,
      forced: { audio: false, video: false },
    };
  });

  useEffect(() => {
    const patch = (fn: (s: RoomState) => Partial<RoomState>) => setState((s) => ({ ...s, ...fn(s) }));
    const addTrack = (r: RemoteTrack) =>
      patch((s) => ({
        media: [
          ...s.media.filter((m) => m.producerId !== r.producerId),
          { producerId: r.producerId, peerId: r.peerId, kind: r.kind, source: r.source, track: r.track },
        ],
      }));
    const offs = [
      client.on('track', addTrack),
      client.on('trackended', (r: RemoteTrack) =>
        patch((s) => ({ media: s.media.filter((m) => m.producerId !== r.producerId) })),
      ),
      // these run before the client's own bookkeeping (registered first): use the payload
      client.on('sfu:peer-joined', (p: SfuPeerView) =>
        patch((s) => ({ peers: [...s.peers.filter((x) => x.peerId !== p.peerId), p] })),
      ),
      client.on('sfu:peer-left', ({ peerId }: { peerId: string }) =>
        patch((s) => ({
          peers: s.peers.filter((x) => x.peerId !== peerId),
          media: s.media.filter((m) => m.peerId !== peerId),
        })),
      ),
      client.on('sfu:new-producer', (p: SfuProducerView) =>
        patch((s) => ({ paused: { ...s.paused, [p.producerId]: p.paused } })),
      ),
      client.on('sfu:producer-paused', (p: SfuProducerView) =>
        patch((s) => ({
          paused: { ...s.paused, [p.producerId]: p.paused },
          forced: p.peerId === client.peerId ? { ...s.forced, [p.kind]: p.paused } : s.forced,
        })),
      ),
      client.on('sfu:active-speaker', ({ peerId }: { peerId: string | null }) =>
        patch(() => ({ speaker: peerId })),
      ),
      client.on('sfu:floor', ({ peerId }: { peerId: string | null }) => patch(() => ({ floor: peerId }))),
      client.on('sfu:rollcall', (n: SfuRollCallNotice & { closed?: boolean; missing?: string[] }) =>
        patch((s) =>
          n.closed
            ? s.rollCall && s.rollCall.id === n.rollCallId
              ? { rollCall: { ...s.rollCall, closed: true } }
              : {}
            : { rollCall: rollCallFrom(n) },
        ),
      ),
      client.on('sfu:rollcall-answer', (a: { rollCallId: string; siteId: string }) =>
        patch((s) =>
          s.rollCall && s.rollCall.id === a.rollCallId && !s.rollCall.answered.includes(a.siteId)
            ? { rollCall: { ...s.rollCall, answered: [...s.rollCall.answered, a.siteId] } }
            : {},
        ),
      ),
      client.on('sfu:recording', (r: { state: RecordingState }) => patch(() => ({ recording: r.state }))),
      client.on('sfu:removed', () => onEnd('removed')),
      client.on('sfu:room-closed', ({ reason }: { reason: string }) =>
        onEnd(reason === 'ended' ? 'ended' : 'closed'),
      ),
    ];
    // tracks of those already in the room arrived during join, before these listeners
    for (const r of client.remote.values()) addTrack(r);
    api.recordings(consultationId).then(
      (list) => {
        const running = list.some((r) => r.state === 'recording');
        setState((s) => (s.recording === null ? { ...s, recording: running ? 'recording' : 'stopped' } : s));
      },
      (err: unknown) => console.warn('recordings', err),
    );
    return () => offs.forEach((off) => off());
  }, [client, consultationId, onEnd]);

  // link quality: what this browser received from each peer in the last interval
  useEffect(() => {
    let last = new Map<string, number>();
    const h = setInterval(() => {
      void client.receiveStats().then((stats) => {
        const bytes = new Map<string, number>();
        for (const s of stats) bytes.set(s.peerId, (bytes.get(s.peerId) ?? 0) + s.bytesReceived);
        const kbps: Record<string, number> = {};
        for (const [peerId, b] of bytes)
          kbps[peerId] = Math.round(((b - (last.get(peerId) ?? b)) * 8) / STATS_MS);
        last = bytes;
        setState((s) => ({ ...s, kbps }));
      });
    }, STATS_MS);
    return () => clearInterval(h);
  }, [client]);

  return state;
}

/** Whether a peer's microphone / camera reaches the room (absent or paused in the SFU = off). */
export function mediaOn(state: RoomState, peerId: string, source: 'mic' | 'camera'): boolean {
  return state.media.some((m) => m.peerId === peerId && m.source === source && !state.paused[m.producerId]);
}
