import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsultationView, SiteView, UserView } from '#contracts';
import { SfuClient } from '#sfu-client';
import { useI18n } from '../i18n/index.js';
import { api, errorText, session } from '../lib/api.js';
import { JOIN_PARAM } from './consult/invitation.js';
import { ConsultLobby } from './consult/lobby.js';
import { ConsultRoom } from './consult/room.js';
import type { EndReason } from './consult/use-room.js';
import '../styles/consult.css';

interface Joined {
  client: SfuClient;
  id: string;
  self: MediaStream;
}

/**
 * 视频会商: the lobby (open consultations, the create form) or the room once joined.
 * Signalling is apps/sfu's browser client; this page is loaded on demand, so
 * mediasoup-client never weighs on the duty console. `?join=<id>` (the invitation alert)
 * joins at once.
 */
export default function ConsultPage({ user }: { user: UserView }) {
  const { t } = useI18n();
  const [list, setList] = useState<ConsultationView[]>([]);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [joined, setJoined] = useState<Joined | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const joining = useRef(false);

  const load = useCallback(() => {
    api.consultations().then(setList, (err: unknown) => setMsg(errorText(err)));
    api.sites().then(setSites, (err: unknown) => setMsg(errorText(err)));
  }, []);
  useEffect(load, [load]);

  const join = useCallback(async (id: string) => {
    if (joining.current) return;
    joining.current = true;
    setMsg(null);
    setNotice(null);
    let client: SfuClient | null = null;
    try {
      client = await SfuClient.join({
        baseUrl: location.origin,
        token: session.token ?? '',
        consultationId: id,
      });
      const self = await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: { width: 640, height: 360 },
      });
      await client.publish(self);
      setJoined({ client, id, self });
    } catch (err) {
      client?.close();
      setMsg(errorText(err));
    } finally {
      joining.current = false;
    }
  }, []);

  // one click from the invitation alert: the page opens with ?join=<id>
  useEffect(() => {
    const params = new URLSearchParams(location.search);
    const id = params.get(JOIN_PARAM);
    if (!id) return;
    history.replaceState(null, '', location.pathname);
    void join(id);
  }, [join]);

  const stop = useCallback(
    (j: Joined) => {
      j.self.getTracks().forEach((tr) => tr.stop());
      setJoined(null);
      load();
    },
    [load],
  );
  const onEnd = useCallback(
    (reason: EndReason) => {
      setJoined((j) => {
        if (j) {
          j.client.close();
          j.self.getTracks().forEach((tr) => tr.stop());
        }
        return null;
      });
      setNotice(reason === 'removed' ? t('consult.removedNotice') : t('consult.ended'));
      load();
    },
    [load, t],
  );
  useEffect(() => () => void joined?.client.leave(), [joined]);

  const names = new Map(sites.map((s) => [s.id, s.name]));
  if (joined) {
    for (const p of joined.client.peers.values()) names.set(p.siteId, p.siteName);
    return (
      <ConsultRoom
        client={joined.client}
        consultationId={joined.id}
        self={joined.self}
        consultation={list.find((c) => c.id === joined.id) ?? null}
        siteName={(id) => names.get(id) ?? null}
        user={user}
        onLeave={() => {
          void joined.client.leave();
          stop(joined);
        }}
        onEnd={onEnd}
      />
    );
  }
  return (
    <ConsultLobby
      user={user}
      list={list}
      sites={sites}
      msg={msg}
      notice={notice}
      onJoin={(id) => void join(id)}
      onCreated={(c, now) => {
        load();
        if (now) void join(c.id);
      }}
    />
  );
}
