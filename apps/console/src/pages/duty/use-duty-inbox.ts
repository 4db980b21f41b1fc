import { useCallback, useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type {
  DirectiveCancelledPayload,
  DirectiveEscalationPayload,
  DirectiveExpiryPayload,
  DirectivePushPayload,
  DirectiveSummaryView,
  DirectiveUpdatePayload,
  SocketResult,
} from '#contracts';
import { ackQueue, type QueuedAck } from '../../lib/ack-queue.js';
import { api, ApiError } from '../../lib/api.js';
import { EV } from '../../lib/events.js';
import { applyExpiry, applyPush, fromView, type Inbox, type InboxItem } from './inbox-model.js';

const SOCKET_ACK_TIMEOUT_MS = 5000;
/** events come in bursts (a reconnect's catch-up): one history read per burst */
const REFRESH_DEBOUNCE_MS = 300;

/** The hub answered and refused: retrying will not help (unlike a network failure). */
export class Refused extends Error {}

export const isNetworkFailure = (err: unknown) => !(err instanceof ApiError) && !(err instanceof Refused);

const RANK: Record<InboxItem['state'], number> = {
  pending: 0,
  delivered: 1,
  failed: 1,
  acknowledged: 2,
  completed: 3,
  expired: 3,
  cancelled: 4,
};

/** Two views of one directive: keep the furthest state and the highest escalation. */
function merge(cur: InboxItem | undefined, next: InboxItem): InboxItem {
  if (!cur) return next;
  const ahead = RANK[next.state] >= RANK[cur.state] ? next : cur;
  return {
    ...ahead,
    directive: cur.directive,
    updates: next.updates.length >= cur.updates.length ? next.updates : cur.updates,
    escalationLevel: Math.max(cur.escalationLevel, next.escalationLevel),
    issuer: next.issuer ?? cur.issuer,
  };
}

export interface DutyEvents {
  /** a directive this console had not shown yet */
  onNew: (d: DirectivePushPayload) => void;
  /** this site's 签收 is overdue and the hub escalated it */
  onEscalated: (e: DirectiveEscalationPayload) => void;
}

/**
 * The duty room's state: the live inbox (Socket.IO), the site's history (REST), and the
 * 签收 queue. A 签收 goes by `directive.ack` on the socket when it is connected, else by
 * REST; one that fails for want of a network is queued and sent again the same way when the
 * socket reconnects.
 */
export function useDutyInbox(socket: Socket | null, events: DutyEvents) {
  const [inbox, setInbox] = useState<Inbox>({});
  const [history, setHistory] = useState<DirectiveSummaryView[]>([]);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [queued, setQueued] = useState<QueuedAck[]>(() => ackQueue.list());
  const [flushError, setFlushError] = useState<unknown>(null);
  const known = useRef(new Set<string>());
  const eventsRef = useRef(events);
  eventsRef.current = events;

  /**
   * Reads overlap (a push, a 签收 and a 反馈 within a second each ask for one); only the
   * latest started may write, or an older answer arriving late would turn 已办结 back into
   * 已送达 on the page.
   */
  const reads = useRef(0);
  const refresh = useCallback(async () => {
    const mine = ++reads.current;
    try {
      const list = await api.directives(200);
      if (mine !== reads.current) return;
      setHistory(list);
      const waiting = list.filter((d) => d.status === 'issued' && (d.counts.acknowledged ?? 0) > 0);
      const views = await Promise.all(waiting.map((d) => api.directive(d.id)));
      if (mine !== reads.current) return;
      setInbox((cur) => {
        const next = { ...cur };
        for (const v of views) next[v.id] = merge(next[v.id], fromView(v));
        for (const d of list) {
          const item = next[d.id];
          if (item && d.status === 'cancelled') next[d.id] = { ...item, state: 'cancelled' };
          if (item && (d.counts.completed ?? 0) > 0) next[d.id] = { ...item, state: 'completed' };
        }
        return next;
      });
      setLoadError(null);
    } catch (err) {
      if (mine === reads.current) setLoadError(err);
    }
  }, []);

  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refreshSoon = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void refresh(), REFRESH_DEBOUNCE_MS);
  }, [refresh]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  /** The REST view adds what a push lacks: the issuer and this site's escalation level. */
  const details = useCallback(async (id: string) => {
    try {
      const v = await api.directive(id);
      setInbox((cur) => ({ ...cur, [id]: merge(cur[id], fromView(v)) }));
    } catch (err) {
      // the card stands without the issuer line; the next refresh tries again
      console.warn('directive details unavailable', id, err);
    }
  }, []);

  const send = useCallback(
    async (id: string): Promise<string> => {
      if (socket?.connected) {
        const res = (await socket
          .timeout(SOCKET_ACK_TIMEOUT_MS)
          .emitWithAck(EV.ack, { directiveId: id })) as SocketResult;
        if (!res.ok) throw new Refused(res.error);
        return new Date().toISOString();
      }
      return (await api.ack(id)).acknowledgedAt ?? new Date().toISOString();
    },
    [socket],
  );

  /** the site's own history row moves on at once; the next read confirms it */
  const advanceHistory = (id: string, state: 'acknowledged' | 'completed') => {
    reads.current++; // a read already under way predates this; the one that follows is current
    setHistory((list) =>
      list.map((d) =>
        d.id === id ? { ...d, counts: { ...d.counts, [state]: Math.max(1, d.counts[state] ?? 0) } } : d,
      ),
    );
  };

  const markAcked = (id: string, at: string) => {
    advanceHistory(id, 'acknowledged');
    setInbox((cur) =>
      cur[id]
        ? { ...cur, [id]: merge(cur[id], { ...cur[id]!, state: 'acknowledged', acknowledgedAt: at }) }
        : cur,
    );
  };

  const flushing = useRef(false);
  const flush = useCallback(async () => {
    if (flushing.current) return;
    flushing.current = true;
    try {
      for (const q of ackQueue.list()) {
        try {
          markAcked(q.directiveId, await send(q.directiveId));
          setQueued(ackQueue.remove(q.directiveId));
        } catch (err) {
          if (isNetworkFailure(err)) return;
          // refused (cancelled meanwhile, say): drop it and say why on the page
          setQueued(ackQueue.remove(q.directiveId));
          setFlushError(err);
        }
      }
    } finally {
      flushing.current = false;
      refreshSoon();
    }
  }, [send, refreshSoon]);

  useEffect(() => {
    if (!socket) return;
    const onDirective = (d: DirectivePushPayload, receipt?: (v: unknown) => void) => {
      receipt?.('received');
      setInbox((cur) => applyPush(cur, d));
      if (!known.current.has(d.id)) {
        known.current.add(d.id);
        eventsRef.current.onNew(d);
        void details(d.id);
      }
      refreshSoon();
    };
    const onCancelled = (c: DirectiveCancelledPayload) => {
      setInbox((cur) =>
        cur[c.directiveId]
          ? { ...cur, [c.directiveId]: { ...cur[c.directiveId]!, state: 'cancelled' } }
          : cur,
      );
      refreshSoon();
    };
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
    const onExpiry = (e: DirectiveExpiryPayload) => setInbox((cur) => applyExpiry(cur, e));
    const onEscalated = (e: DirectiveEscalationPayload) => {
      setInbox((cur) => {
        const item = cur[e.directiveId];
        if (!item) return cur;
        return {
          ...cur,
          [e.directiveId]: { ...item, escalationLevel: Math.max(item.escalationLevel, e.escalationLevel) },
        };
      });
      eventsRef.current.onEscalated(e);
    };
    // the server re-sends unacknowledged directives on connect; REST fills in the rest
    const onConnect = () => {
      void refresh();
      void flush();
    };
    socket.on(EV.directive, onDirective);
    socket.on(EV.cancelled, onCancelled);
    socket.on(EV.update, onUpdate);
    socket.on(EV.escalatedHere, onEscalated);
    socket.on(EV.expiry, onExpiry);
    socket.on('connect', onConnect);
    if (socket.connected) onConnect();
    return () => {
      socket.off(EV.directive, onDirective);
      socket.off(EV.cancelled, onCancelled);
      socket.off(EV.update, onUpdate);
      socket.off(EV.escalatedHere, onEscalated);
      socket.off(EV.expiry, onExpiry);
      socket.off('connect', onConnect);
    };
  }, [socket, refresh, refreshSoon, flush, details]);

  /** 签收; without a network it is queued (persisted) instead of failing. */
  const ack = async (id: string) => {
    try {
      markAcked(id, await send(id));
      refreshSoon();
    } catch (err) {
      if (!isNetworkFailure(err)) throw err;
      setQueued(ackQueue.add(id));
    }
  };
  const feedback = async (id: string, text: string) => {
    await api.feedback(id, { text });
    setInbox((cur) => ({ ...cur, [id]: { ...cur[id]!, state: 'completed' } }));
    advanceHistory(id, 'completed');
    refreshSoon();
  };

  return { inbox, history, loadError, queued, flushError, ack, feedback };
}
