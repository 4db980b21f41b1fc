import { useEffect, useRef } from 'react';
import type { SfuClient } from '#sfu-client';
import { useI18n } from '../../i18n/index.js';
import { mediaOn, type RemoteMedia, type RoomState } from './use-room.js';

export function Video({ stream, muted, label }: { stream: MediaStream; muted: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  });
  return <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} />;
}

/**
 * One MediaStream per key that lives as long as the key does: a new stream object on each
 * render would restart the <video> and drop frames.
 */
export function useStreams(
  media: RemoteMedia[],
  keyOf: (m: RemoteMedia) => string,
): Map<string, MediaStream> {
  const ref = useRef(new Map<string, MediaStream>());
  const want = new Map<string, MediaStreamTrack[]>();
  for (const m of media) want.set(keyOf(m), [...(want.get(keyOf(m)) ?? []), m.track]);
  for (const key of ref.current.keys()) if (!want.has(key)) ref.current.delete(key);
  for (const [key, tracks] of want) {
    let stream = ref.current.get(key);
    if (!stream) ref.current.set(key, (stream = new MediaStream()));
    for (const tr of stream.getTracks()) if (!tracks.includes(tr)) stream.removeTrack(tr);
    for (const tr of tracks) if (!stream.getTracks().includes(tr)) stream.addTrack(tr);
  }
  return ref.current;
}

/** Microphone / camera state as words and a symbol, never colour alone. */
export function MediaBadges({ mic, cam, forced }: { mic: boolean; cam: boolean; forced?: boolean }) {
  const { t } = useI18n();
  return (
    <span className="consult-badges">
      {!mic && (
        <span className="consult-badge muted" data-testid="mute-indicator">
          <span aria-hidden="true">🔇 </span>
          {forced ? t('consult.mutedByHost') : t('consult.muted')}
        </span>
      )}
      {!cam && <span className="consult-badge">{t('consult.camIsOff')}</span>}
    </span>
  );
}

export interface TileProps {
  client: SfuClient;
  state: RoomState;
  peerId: string;
  label: string;
  stream: MediaStream;
  big: boolean;
  act: (fn: () => Promise<unknown>) => void;
}

/** A remote participant: video, name, link quality, mute indicator, and moderator actions. */
export function RemoteTile({ client, state, peerId, label, stream, big, act }: TileProps) {
  const { t } = useI18n();
  const mic = mediaOn(state, peerId, 'mic');
  const cam = mediaOn(state, peerId, 'camera');
  const kbps = state.kbps[peerId];
  const micPaused = state.media.some(
    (m) => m.peerId === peerId && m.source === 'mic' && state.paused[m.producerId],
  );
  return (
    <figure
      className={`tile ${big ? 'big' : ''} ${state.speaker === peerId ? 'speaking' : ''}`}
      data-testid="tile-remote"
      data-peer={peerId}
      data-mic={mic ? 'on' : 'off'}
    >
      <Video stream={stream} muted={false} label={label} />
      <figcaption>
        <span className="tile-name">{label}</span>
        <MediaBadges mic={mic} cam={cam} forced={micPaused} />
        {kbps !== undefined && <span className="quality">{kbps} kbit/s</span>}
      </figcaption>
      {client.moderator && (
        <div className="actions">
          <button
            type="button"
            onClick={() => act(() => client.mute(peerId, 'audio', !micPaused))}
            aria-label={`${micPaused ? t('consult.unmute') : t('mute')} ${label}`}
          >
            {micPaused ? t('consult.unmute') : t('mute')}
          </button>
          <button
            type="button"
            onClick={() => act(() => client.giveFloor(peerId))}
            aria-label={`${t('giveFloor')} ${label}`}
          >
            {t('giveFloor')}
          </button>
          <button
            type="button"
            onClick={() => act(() => client.remove(peerId))}
            aria-label={`${t('remove')} ${label}`}
          >
            {t('remove')}
          </button>
        </div>
      )}
    </figure>
  );
}
