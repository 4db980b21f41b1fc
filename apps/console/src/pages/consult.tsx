import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { ConsultationView, SiteView, UserView } from '#contracts';
import { SfuClient, type RemoteTrack } from '../../../sfu/client/sfu-client.js';
import { useI18n } from '../i18n/index.js';
import { api, errorText, session } from '../lib/api.js';

interface Tile {
  peerId: string;
  label: string;
  stream: MediaStream;
  kbps: number | null;
}

const STATS_MS = 2000;

function Video({ stream, muted, label }: { stream: MediaStream; muted: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  });
  return <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} />;
}

/**
 * 视频会商: one click joins (camera and microphone), a tile per site with the active
 * speaker outlined, received bitrate as the link quality, screen sharing, and for the
 * moderator mute / floor / remove / roll call. Signalling is apps/sfu's browser client;
 * this page is loaded on demand, so mediasoup-client never weighs on the duty console.
 */
export default function ConsultPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [list, setList] = useState<ConsultationView[]>([]);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [client, setClient] = useState<SfuClient | null>(null);
  const [self, setSelf] = useState<MediaStream | null>(null);
  const [tiles, setTiles] = useState<Record<string, Tile>>({});
  const [speaker, setSpeaker] = useState<string | null>(null);
  const [rollCall, setRollCall] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [invite, setInvite] = useState<Set<string>>(new Set());
  const canCreate = user.role !== 'duty_officer';

  const load = useCallback(() => {
    api.consultations().then(setList, (err: unknown) => setMsg(errorText(err)));
    api.sites().then(setSites, () => undefined);
  }, []);
  useEffect(load, [load]);
  useEffect(() => () => void client?.leave(), [client]);

  // link quality: what this browser received from each peer in the last interval
  useEffect(() => {
    if (!client) return;
    let last = new Map<string, number>();
    const h = setInterval(() => {
      void client.receiveStats().then((stats) => {
        const bytes = new Map<string, number>();
        for (const s of stats) bytes.set(s.peerId, (bytes.get(s.peerId) ?? 0) + s.bytesReceived);
        const kbps = new Map(
          [...bytes].map(([peerId, b]) => [
            peerId,
            Math.round(((b - (last.get(peerId) ?? b)) * 8) / STATS_MS),
          ]),
        );
        last = bytes;
        setTiles((cur) => {
          const next = { ...cur };
          for (const [peerId, k] of kbps) if (next[peerId]) next[peerId] = { ...next[peerId], kbps: k };
          return next;
        });
      });
    }, STATS_MS);
    return () => clearInterval(h);
  }, [client]);

  const join = async (id: string) => {
    setMsg(null);
    try {
      const c = await SfuClient.join({
        baseUrl: location.origin,
        token: session.token ?? '',
        consultationId: id,
      });
      const label = (peerId: string) => {
        const p = c.peers.get(peerId);
        return p ? `${p.siteName} · ${p.username}` : peerId;
      };
      const addTrack = (r: RemoteTrack) =>
        setTiles((cur) => {
          const tile = cur[r.peerId] ?? {
            peerId: r.peerId,
            label: label(r.peerId),
            stream: new MediaStream(),
            kbps: null,
          };
          tile.stream.addTrack(r.track);
          return { ...cur, [r.peerId]: { ...tile } };
        });
      c.on('track', addTrack);
      // tracks of those already in the room arrived during join, before this listener
      for (const r of c.remote.values()) addTrack(r);
      c.on('sfu:peer-left', ({ peerId }: { peerId: string }) =>
        setTiles((cur) => {
          const next = { ...cur };
          delete next[peerId];
          return next;
        }),
      );
      c.on('sfu:active-speaker', ({ peerId }: { peerId: string | null }) => setSpeaker(peerId));
      c.on('sfu:rollcall', (n: { rollCallId: string; closed?: boolean }) =>
        setRollCall(n.closed ? null : n.rollCallId),
      );
      c.on('closed', () => {
        setClient(null);
        setTiles({});
      });
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: { width: 640, height: 360 },
      });
      setSelf(stream);
      await c.publish(stream);
      setClient(c);
    } catch (err) {
      setMsg(errorText(err));
    }
  };
  const leave = () => {
    void client?.leave();
    self?.getTracks().forEach((tr) => tr.stop());
    setSelf(null);
  };
  const share = async () => {
    try {
      const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      await client!.shareScreen(screen.getVideoTracks()[0]!);
    } catch (err) {
      setMsg(errorText(err));
    }
  };
  const act = (fn: () => Promise<unknown>) => void fn().catch((err: unknown) => setMsg(errorText(err)));
  const create = (e: FormEvent) => {
    e.preventDefault();
    api.createConsultation({ title, siteIds: [...invite] }).then(
      (c) => {
        load();
        void join(c.id);
      },
      (err: unknown) => setMsg(errorText(err)),
    );
  };

  if (client) {
    return (
      <section className="card consult" aria-labelledby="consult-title">
        <h2 id="consult-title">{t('consult')}</h2>
        <div className="toolbar">
          <button type="button" onClick={leave}>
            {t('leave')}
          </button>
          <button type="button" onClick={() => void share()}>
            {t('shareScreen')}
          </button>
          {client.moderator && (
            <button type="button" onClick={() => act(() => client.startRollCall())}>
              {t('rollCall')}
            </button>
          )}
          {rollCall && (
            <button
              type="button"
              className="primary"
              onClick={() => act(() => client.answerRollCall(rollCall).then(() => setRollCall(null)))}
            >
              {t('answerRollCall')}
            </button>
          )}
        </div>
        {msg && (
          <p role="alert" className="error">
            {msg}
          </p>
        )}
        <div className="tiles">
          {self && (
            <figure className={`tile ${speaker === client.peerId ? 'speaking' : ''}`} data-testid="tile-self">
              <Video stream={self} muted label={t('me')} />
              <figcaption>{t('me')}</figcaption>
            </figure>
          )}
          {Object.values(tiles).map((tile) => (
            <figure
              key={tile.peerId}
              className={`tile ${speaker === tile.peerId ? 'speaking' : ''}`}
              data-testid="tile-remote"
            >
              <Video stream={tile.stream} muted={false} label={tile.label} />
              <figcaption>
                {tile.label} {tile.kbps !== null && <span className="quality">{tile.kbps} kbit/s</span>}
              </figcaption>
              {client.moderator && (
                <div className="actions">
                  <button
                    type="button"
                    onClick={() => act(() => client.mute(tile.peerId, 'audio', true))}
                    aria-label={`${t('mute')} ${tile.label}`}
                  >
                    {t('mute')}
                  </button>
                  <button
                    type="button"
                    onClick={() => act(() => client.giveFloor(tile.peerId))}
                    aria-label={`${t('giveFloor')} ${tile.label}`}
                  >
                    {t('giveFloor')}
                  </button>
                  <button
                    type="button"
                    onClick={() => act(() => client.remove(tile.peerId))}
                    aria-label={`${t('remove')} ${tile.label}`}
                  >
                    {t('remove')}
                  </button>
                </div>
              )}
            </figure>
          ))}
        </div>
      </section>
    );
  }
  return (
    <section className="card consult" aria-labelledby="consult-title">
      <h2 id="consult-title">{t('consult')}</h2>
      {msg && (
        <p role="alert" className="error">
          {t('errorPrefix')}: {msg}
        </p>
      )}
      <ul className="dir-list">
        {list
          .filter((c) => c.state !== 'ended')
          .map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="join"
                onClick={() => void join(c.id)}
                data-testid="consult-join"
              >
                {t('join')}: {c.title}
              </button>
            </li>
          ))}
      </ul>
      {list.filter((c) => c.state !== 'ended').length === 0 && <p>{t('noConsultations')}</p>}
      {canCreate && (
        <form onSubmit={create} className="provision">
          <h3>{t('newConsultation')}</h3>
          <label>
            {t('title')}
            <input required value={title} onChange={(e) => setTitle(e.target.value)} />
          </label>
          <fieldset>
            <legend>{t('targets')}</legend>
            {sites
              .filter((s) => s.id !== user.siteId)
              .map((s) => (
                <label key={s.id}>
                  <input
                    type="checkbox"
                    checked={invite.has(s.id)}
                    onChange={() =>
                      setInvite((cur) => {
                        const next = new Set(cur);
                        if (next.has(s.id)) next.delete(s.id);
                        else next.add(s.id);
                        return next;
                      })
                    }
                  />
                  {s.name}
                </label>
              ))}
          </fieldset>
          <button type="submit" className="primary">
            {t('startConsultation')}
          </button>
        </form>
      )}
    </section>
  );
}
