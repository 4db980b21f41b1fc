import { useState } from 'react';
import type { ConsultationView, UserView } from '#contracts';
import type { SfuClient } from '#sfu-client';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';
import { RoomPanel } from './room-panel.js';
import { MediaBadges, RemoteTile, useStreams, Video } from './tiles.js';
import { useRoom, type EndReason } from './use-room.js';

type View = 'grid' | 'speaker';

/**
 * Inside a consultation: tiles in a grid or with the speaker large, the participant's own
 * microphone and camera switches, roll call, recording and 结束会商 for the host.
 */
export function ConsultRoom(props: {
  client: SfuClient;
  consultationId: string;
  self: MediaStream;
  consultation: ConsultationView | null;
  siteName: (id: string) => string | null;
  user: UserView;
  onLeave: () => void;
  onEnd: (r: EndReason) => void;
}) {
  const { client, self, consultation, siteName, user } = props;
  const { t } = useI18n();
  const id = props.consultationId;
  const state = useRoom(client, id, props.onEnd);
  const [view, setView] = useState<View>('grid');
  const [mic, setMic] = useState(true);
  const [cam, setCam] = useState(true);
  const [msg, setMsg] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = (fn: () => Promise<unknown>) => {
    setMsg(null);
    setBusy(true);
    void fn()
      .catch((err: unknown) => setMsg(errorText(err)))
      .finally(() => setBusy(false));
  };
  const streams = useStreams(state.media, (m) => (m.source === 'screen' ? `${m.peerId}:screen` : m.peerId));

  // the SFU learns of a self-mute by the producer closing: others then see the mute
  // indicator. Closing a producer stops its track, so switching back on takes a fresh one.
  const toggle = (source: 'mic' | 'camera', on: boolean, set: (v: boolean) => void) =>
    act(async () => {
      const kind = source === 'mic' ? 'audio' : 'video';
      if (on) {
        await client.unpublish(source);
        for (const tr of self.getTracks())
          if (tr.kind === kind) {
            tr.stop();
            self.removeTrack(tr);
          }
      } else {
        const fresh = await navigator.mediaDevices.getUserMedia(
          kind === 'audio' ? { audio: true } : { video: { width: 640, height: 360 } },
        );
        const track = fresh.getTracks()[0]!;
        self.addTrack(track);
        await client.publish(new MediaStream([track]));
      }
      set(!on);
    });

  const label = (peerId: string) => {
    const p = state.peers.find((x) => x.peerId === peerId);
    return p ? `${p.siteName} · ${p.username}` : t('consult.unknownSite');
  };
  const remotes = state.peers.filter((p) => p.peerId !== client.peerId);
  const main =
    view === 'speaker'
      ? ([state.floor, state.speaker, remotes[0]?.peerId].find(
          (p): p is string => !!p && p !== client.peerId && remotes.some((r) => r.peerId === p),
        ) ?? null)
      : null;
  const ordered = main ? [...remotes].sort((a) => (a.peerId === main ? -1 : 0)) : remotes;
  const screens = state.media.filter((m) => m.source === 'screen');
  const invitedHere = !!state.rollCall && state.rollCall.siteIds.includes(user.siteId);

  return (
    <section className="card consult consult-room" aria-labelledby="consult-title">
      <h2 id="consult-title">
        {t('consult')}
        {consultation ? ` · ${consultation.title}` : ''}
        {consultation?.drill && (
          <span className="drill-badge" data-testid="consult-drill">
            {t('drill.badge')}
          </span>
        )}
      </h2>
      <div className="toolbar" role="toolbar" aria-label={t('consult.controls')}>
        <button type="button" onClick={props.onLeave}>
          {t('leave')}
        </button>
        <button type="button" aria-pressed={!mic} disabled={busy} onClick={() => toggle('mic', mic, setMic)}>
          {mic ? t('consult.micOff') : t('consult.micOn')}
        </button>
        <button
          type="button"
          aria-pressed={!cam}
          disabled={busy}
          onClick={() => toggle('camera', cam, setCam)}
        >
          {cam ? t('consult.camOff') : t('consult.camOn')}
        </button>
        <span className="consult-views">
          <button type="button" aria-pressed={view === 'grid'} onClick={() => setView('grid')}>
            {t('consult.gridView')}
          </button>
          <button type="button" aria-pressed={view === 'speaker'} onClick={() => setView('speaker')}>
            {t('consult.speakerView')}
          </button>
        </span>
        {client.moderator && (
          <button
            type="button"
            onClick={() =>
              act(async () => {
                const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
                await client.shareScreen(screen.getVideoTracks()[0]!);
              })
            }
          >
            {t('shareScreen')}
          </button>
        )}
        <span
          className={`consult-rec ${state.recording === 'recording' ? 'on' : ''}`}
          role="status"
          data-testid="recording-state"
          data-state={state.recording ?? 'unknown'}
        >
          {state.recording === 'recording' && <span aria-hidden="true">● </span>}
          {state.recording === 'recording'
            ? t('consult.recOn')
            : state.recording === 'failed' || state.recording === 'interrupted'
              ? t('consult.recFailed')
              : t('consult.recOff')}
        </span>
        {client.moderator && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              act(() => (state.recording === 'recording' ? api.stopRecording(id) : api.startRecording(id)))
            }
          >
            {state.recording === 'recording' ? t('consult.recStop') : t('consult.recStart')}
          </button>
        )}
        {client.moderator && (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => act(() => api.endConsultation(id))}
          >
            {t('consult.end')}
          </button>
        )}
      </div>
      {msg && (
        <p role="alert" className="error">
          {t('errorPrefix')}: {msg}
        </p>
      )}
      {invitedHere &&
        state.rollCall &&
        !state.rollCall.closed &&
        !state.rollCall.answered.includes(user.siteId) && (
          <p className="consult-answer" role="alert">
            <button
              type="button"
              className="primary"
              onClick={() => act(() => client.answerRollCall(state.rollCall!.id))}
            >
              {t('answerRollCall')}
            </button>
          </p>
        )}
      <div className="consult-body">
        <div className={`tiles ${view}`} data-view={view}>
          {ordered.map((p) => (
            <RemoteTile
              key={p.peerId}
              client={client}
              state={state}
              peerId={p.peerId}
              label={label(p.peerId)}
              stream={streams.get(p.peerId) ?? emptyStream(p.peerId)}
              big={p.peerId === main}
              act={act}
            />
          ))}
          {screens.map((m) => (
            <figure key={m.producerId} className="tile" data-testid="tile-screen">
              <Video
                stream={streams.get(`${m.peerId}:screen`)!}
                muted
                label={`${label(m.peerId)} · ${t('consult.screen')}`}
              />
              <figcaption>
                <span className="tile-name">
                  {label(m.peerId)} · {t('consult.screen')}
                </span>
              </figcaption>
            </figure>
          ))}
          <figure
            className={`tile self ${state.speaker === client.peerId ? 'speaking' : ''}`}
            data-testid="tile-self"
          >
            <Video stream={self} muted label={t('me')} />
            <figcaption>
              <span className="tile-name">{t('me')}</span>
              <MediaBadges mic={mic && !state.forced.audio} cam={cam} forced={state.forced.audio} />
            </figcaption>
          </figure>
        </div>
        <RoomPanel
          client={client}
          state={state}
          consultation={consultation}
          siteName={siteName}
          selfSiteId={user.siteId}
          act={act}
        />
      </div>
    </section>
  );
}

const empties = new Map<string, MediaStream>();
/** A participant without media yet still gets a stable (empty) stream for its tile. */
function emptyStream(peerId: string): MediaStream {
  let s = empties.get(peerId);
  if (!s) empties.set(peerId, (s = new MediaStream()));
  return s;
}
