import { useCallback, useEffect, useRef, useState } from 'react';
import type { RadioEmergencyView, RadioFloorMessage, TalkgroupView, UserView } from '#contracts';
import { RadioClient } from '#sfu-client';
import { useI18n } from '../i18n/index.js';
import { api, errorText, session } from '../lib/api.js';
import { Emergencies } from './radio/emergencies.js';
import { History } from './radio/history.js';
import { Incoming } from './radio/incoming.js';
import { Ptt } from './radio/ptt.js';
import { talkerText } from './radio/talker.js';
import { Tools } from './radio/tools.js';
import '../styles/radio.css';

/**
 * 无线对讲: the talkgroups the user may use with their floor (live), and the open one: a
 * big PTT, what it says with a level meter, its radio gateways, recent transmissions with
 * replay, text announcements and patches. Emergencies of every talkgroup alarm here until
 * acknowledged. Loaded on demand: mediasoup-client weighs on no other page.
 */
export default function RadioPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [client] = useState(() =>
    RadioClient.connect({ baseUrl: location.origin, token: session.token ?? '' }),
  );
  const [tgs, setTgs] = useState<TalkgroupView[]>([]);
  const [open, setOpen] = useState<{ id: string; canTalk: boolean } | null>(null);
  const [joining, setJoining] = useState(false);
  const [tracks, setTracks] = useState<MediaStreamTrack[]>([]);
  const [emergencies, setEmergencies] = useState<RadioEmergencyView[]>([]);
  const [refresh, setRefresh] = useState(0);
  const [linkUp, setLinkUp] = useState(true);
  const [msg, setMsg] = useState<string | null>(null);
  const mic = useRef<MediaStream | null>(null);
  const want = useRef<string | null>(null);

  const load = useCallback(() => {
    api.talkgroups().then(setTgs, (e: unknown) => setMsg(errorText(e)));
    // raised before the page opened (or while its link was down): they alarm too. The answer
    // is the truth but for one pushed while it was on its way (kept); one acknowledged
    // elsewhere drops out here
    const asked = Date.now();
    api.openEmergencies().then(
      (open) =>
        setEmergencies((list) => [
          ...open,
          ...list.filter((x) => !open.some((o) => o.id === x.id) && Date.parse(x.raisedAt) > asked - 2000),
        ]),
      (e: unknown) => setMsg(errorText(e)),
    );
  }, []);

  const join = useCallback(
    async (id: string) => {
      setJoining(true);
      setMsg(null);
      want.current = id;
      try {
        if (!mic.current)
          mic.current = await navigator.mediaDevices.getUserMedia({ audio: true }).catch(() => null);
        const track = mic.current?.getAudioTracks()[0] ?? null;
        await client.join(id, track);
        setOpen({ id, canTalk: track !== null });
        setTracks(client.tracks());
      } catch (e) {
        setOpen(null);
        setMsg(errorText(e));
      } finally {
        setJoining(false);
      }
    },
    [client],
  );

  useEffect(() => {
    load();
    const offs = [
      client.on('floor', (m: RadioFloorMessage) => {
        setTgs((list) => list.map((x) => (x.id === m.talkgroupId ? { ...x, floor: m.floor } : x)));
        if (!m.floor) setRefresh((n) => n + 1);
      }),
      client.on('emergency', (e: RadioEmergencyView) =>
        setEmergencies((list) => [...list.filter((x) => x.id !== e.id), e]),
      ),
      client.on('track', () => setTracks(client.tracks())),
      client.on('left', () => {
        setTracks([]);
        setOpen(null);
      }),
      client.on('disconnect', () => setLinkUp(false)),
      client.on('connect', () => {
        setLinkUp(true);
        load();
        // the server dropped the peer with the old socket: open the talkgroup again
        if (want.current) void join(want.current);
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      client.close();
      mic.current?.getTracks().forEach((tr) => tr.stop());
    };
  }, [client, load, join]);

  const ack = (id: string) =>
    api.ackEmergency(id).then(
      (v) => setEmergencies((list) => list.map((x) => (x.id === id ? v : x))),
      (e: unknown) => setMsg(errorText(e)),
    );
  const tg = tgs.find((x) => x.id === open?.id) ?? null;
  return (
    <div className="radio-page">
      <h2>{t('navRadio')}</h2>
      {!linkUp && <p className="error">{t('radio.lost')}</p>}
      {msg && <p className="error">{msg}</p>}
      <Emergencies
        list={emergencies}
        talkgroups={tgs}
        canAck={user.role !== 'duty_officer'}
        onAck={(id) => void ack(id)}
      />
      <div className="radio-grid">
        <section className="radio-list" aria-label={t('radio.talkgroups')}>
          <h3>{t('radio.talkgroups')}</h3>
          {tgs.length === 0 && <p className="muted">{t('radio.none')}</p>}
          <ul>
            {tgs.map((x) => (
              <li key={x.id} data-testid="radio-tg" data-floor={x.floor ? 'busy' : 'free'}>
                <button
                  type="button"
                  className="radio-tg"
                  aria-current={x.id === open?.id ? 'true' : undefined}
                  disabled={joining}
                  onClick={() => void join(x.id)}
                >
                  <span className="radio-tg-name">{x.name}</span>
                  <span
                    className={x.floor ? 'radio-floor-busy' : 'radio-floor-free'}
                    data-testid="radio-floor"
                  >
                    {x.floor ? `${talkerText(t, x.floor.talker)} ${t('radio.talking')}` : t('radio.free')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
        {joining && !tg && <p className="muted">{t('radio.joining')}</p>}
        {tg && open && (
          <>
            <section className="radio-current" aria-label={t('radio.current')} data-testid="radio-current">
              <h3>{tg.name}</h3>
              <Ptt client={client} userId={user.id} floor={tg.floor} canTalk={open.canTalk} />
              <Incoming tracks={tracks} />
              <h4>{t('radio.gateways')}</h4>
              <ul className="radio-gateways">
                {tg.gateways.map((g) => (
                  <li key={g.id}>
                    {g.name} · {g.online ? t('radio.online') : t('radio.offline')}
                  </li>
                ))}
              </ul>
            </section>
            <div className="radio-side">
              <History talkgroupId={tg.id} refresh={refresh} />
              <Tools tg={tg} all={tgs} onChanged={load} />
            </div>
          </>
        )}
      </div>
    </div>
  );
}
