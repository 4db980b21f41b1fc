import { useCallback, useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type {
  DirectiveCancelledPayload,
  DirectivePushPayload,
  DirectiveSummaryView,
  DirectiveUpdatePayload,
  SocketResult,
  UserView,
} from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { alarm } from '../../lib/alarm.js';
import { api, errorText } from '../../lib/api.js';
import { EV } from '../../lib/events.js';
import type { ConnState } from '../../lib/socket.js';
import { useNow } from '../../lib/time.js';
import { DirectiveCard } from './directive-card.js';
import { History } from './history.js';
import { applyPush, fromView, needsAck, needsFeedback, type Inbox } from './inbox-model.js';

const SOCKET_ACK_TIMEOUT_MS = 5000;

/** The township duty room (值班台): live inbox, alarm until 签收, 反馈, history. */
export function DutyPage({ socket, conn }: { user: UserView; socket: Socket | null; conn: ConnState }) {
  const { t } = useI18n();
  const now = useNow();
  const [inbox, setInbox] = useState<Inbox>({});
  const [history, setHistory] = useState<DirectiveSummaryView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [soundOk, setSoundOk] = useState(alarm.unlocked);

  // REST view of the site's directives: history, plus those acknowledged but not yet reported back
  const refresh = useCallback(async () => {
    try {
      const list = await api.directives(200);
      setHistory(list);
      const waiting = list.filter((d) => d.status === 'issued' && (d.counts.acknowledged ?? 0) > 0);
      const views = await Promise.all(waiting.map((d) => api.directive(d.id)));
      setInbox((cur) => {
        const next = { ...cur };
        for (const v of views) if (!next[v.id] || next[v.id]!.state !== 'completed') next[v.id] = fromView(v);
        for (const d of list) {
          const item = next[d.id];
          if (item && d.status === 'cancelled') next[d.id] = { ...item, state: 'cancelled' };
          if (item && (d.counts.completed ?? 0) > 0) next[d.id] = { ...item, state: 'completed' };
        }
        return next;
      });
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }, []);

  useEffect(() => {
    if (!socket) return;
    const onDirective = (d: DirectivePushPayload, receipt?: (v: unknown) => void) => {
      receipt?.('received');
      setInbox((cur) => applyPush(cur, d));
    };
    const onCancelled = (c: DirectiveCancelledPayload) =>
      setInbox((cur) =>
        cur[c.directiveId]
          ? { ...cur, [c.directiveId]: { ...cur[c.directiveId]!, state: 'cancelled' } }
          : cur,
      );
    const onUpdate = (u: DirectiveUpdatePayload) =>
      setInbox((cur) => {
        const item = cur[u.directiveId];
        if (!item || item.updates.some((x) => x.id === u.messageId)) return cur;
        return {
          ...cur,
          [u.directiveId]: {
            ...item,
            updates: [...item.updates, { id: u.messageId, text: u.text, at: u.at }],
          },
        };
      });
    socket.on(EV.directive, onDirective);
    socket.on(EV.cancelled, onCancelled);
    socket.on(EV.update, onUpdate);
    // the server re-sends unacknowledged directives on connect; REST fills in the rest
    socket.on('connect', refresh);
    if (socket.connected) void refresh();
    return () => {
      socket.off(EV.directive, onDirective);
      socket.off(EV.cancelled, onCancelled);
      socket.off(EV.update, onUpdate);
      socket.off('connect', refresh);
    };
  }, [socket, refresh]);

  const items = Object.values(inbox).sort((a, b) => b.directive.issuedAt.localeCompare(a.directive.issuedAt));
  const open = items.filter((i) => needsAck(i) || needsFeedback(i));

  useEffect(() => {
    alarm.set(items.filter(needsAck).map((i) => i.directive.level));
  });
  useEffect(() => () => alarm.set([]), []);

  const ack = async (id: string) => {
    let acknowledgedAt = new Date().toISOString();
    if (socket?.connected) {
      const res = (await socket
        .timeout(SOCKET_ACK_TIMEOUT_MS)
        .emitWithAck(EV.ack, { directiveId: id })) as SocketResult;
      if (!res.ok) throw new Error(res.error);
    } else {
      acknowledgedAt = (await api.ack(id)).acknowledgedAt ?? acknowledgedAt;
    }
    setInbox((cur) => ({ ...cur, [id]: { ...cur[id]!, state: 'acknowledged', acknowledgedAt } }));
    void refresh();
  };
  const feedback = async (id: string, text: string) => {
    await api.feedback(id, { text });
    setInbox((cur) => ({ ...cur, [id]: { ...cur[id]!, state: 'completed' } }));
    void refresh();
  };

  return (
    <div className="duty">
      <section className="inbox" aria-labelledby="inbox-title">
        <h2 id="inbox-title">
          {t('inbox')} <span className="count">{open.length}</span>
        </h2>
        {!soundOk && (
          <button
            type="button"
            className="sound"
            onClick={() => void alarm.unlock().then(() => setSoundOk(alarm.unlocked))}
          >
            {t('enableSound')}
          </button>
        )}
        {conn !== 'online' && (
          <p className="warn" role="status">
            {t(conn === 'offline' ? 'connOffline' : 'connConnecting')}
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {t('errorPrefix')}: {error}
          </p>
        )}
        {open.length === 0 && <p className="empty">{t('inboxEmpty')}</p>}
        {open.map((i) => (
          <DirectiveCard
            key={i.directive.id}
            item={i}
            now={now}
            onAck={() => ack(i.directive.id)}
            onFeedback={(text) => feedback(i.directive.id, text)}
          />
        ))}
      </section>
      <History items={history} />
    </div>
  );
}
