import { useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type { ConsultationView, UserView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { alarm } from '../../lib/alarm.js';
import { api } from '../../lib/api.js';
import { CONSULT_EV } from '../../lib/events.js';
import { navigate } from '../../lib/router.js';
import '../../styles/consult.css';

/**
 * The fallback: invitations arrive live on the socket (`consultation.invitation`); the
 * poll catches one missed while the link was down. GET /consultations is scoped on the
 * server (canViewConsultation), so a console only ever sees its own invitations.
 */
const POLL_MS = 30_000;

/** `?join=<id>`: the consultation page joins it as soon as it opens (one click from the alert). */
export const JOIN_PARAM = 'join';

export function formatWhen(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', {
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/**
 * The invitation alert on every page but the consultation page itself: each open
 * consultation that invites the user's site, with a one-click 加入. Kept free of the SFU
 * client so the duty console's first load does not grow.
 */
export function ConsultInvitations({
  user,
  hidden,
  socket,
}: {
  user: UserView;
  hidden: boolean;
  socket: Socket | null;
}) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState<ConsultationView[]>([]);
  const [dismissed, setDismissed] = useState<Set<string>>(new Set());

  useEffect(() => {
    let stop = false;
    const poll = () =>
      api.consultations().then(
        (list) => {
          if (!stop) setOpen(list.filter((c) => c.state !== 'ended' && c.siteIds.includes(user.siteId)));
        },
        // a missed poll is retried on the next tick; the link state is shown in the top bar
        (err: unknown) => console.warn('consultation invitations', err),
      );
    const onInvitation = (c: ConsultationView) => {
      if (!c?.id || !Array.isArray(c.siteIds) || !c.siteIds.includes(user.siteId)) return;
      setOpen((cur) => (cur.some((x) => x.id === c.id) ? cur : [...cur, c]));
      alarm.invitation();
    };
    // back from an outage: look at once rather than at the next poll
    const onConnect = () => void poll();
    void poll();
    const h = setInterval(() => void poll(), POLL_MS);
    socket?.on(CONSULT_EV.invitation, onInvitation);
    socket?.on('connect', onConnect);
    return () => {
      stop = true;
      clearInterval(h);
      socket?.off(CONSULT_EV.invitation, onInvitation);
      socket?.off('connect', onConnect);
    };
    // re-read on leaving the consultation page too: a room ended there is no invitation any more
  }, [user.siteId, socket, hidden]);

  const shown = open.filter((c) => !dismissed.has(c.id));
  if (hidden || shown.length === 0) return null;
  return (
    <section className="consult-invites" aria-label={t('consult.inviteHeading')}>
      {shown.map((c) => (
        <div key={c.id} className="consult-invite" role="alert" data-testid="consult-invite">
          <span className="consult-invite-text">
            <strong>{t('consult.inviteHeading')}</strong> {c.title}
            {c.drill && (
              <span className="drill-badge" data-testid="consult-invite-drill">
                {t('drill.badge')}
              </span>
            )}
            {c.state === 'scheduled' && c.scheduledAt && (
              <small>
                {t('consult.scheduledFor')} {formatWhen(c.scheduledAt, lang)}
              </small>
            )}
          </span>
          <button
            type="button"
            className="primary"
            data-testid="consult-invite-join"
            onClick={() => navigate(`/consult?${JOIN_PARAM}=${encodeURIComponent(c.id)}`)}
          >
            {t('consult.inviteJoin')}
          </button>
          <button type="button" onClick={() => setDismissed((cur) => new Set(cur).add(c.id))}>
            {t('consult.inviteLater')}
          </button>
        </div>
      ))}
    </section>
  );
}
