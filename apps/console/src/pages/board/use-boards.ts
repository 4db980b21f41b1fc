import { useCallback, useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type {
  DirectiveBoardPayload,
  DirectiveExpiryPayload,
  DirectiveRecipientView,
  DirectiveStatus,
  RecipientState,
  SocketResult,
} from '#contracts';
import { errorText } from '../../lib/api.js';
import { EV } from '../../lib/events.js';

export interface LiveBoard {
  status: DirectiveStatus;
  counts: Partial<Record<RecipientState, number>>;
  recipients: Record<string, DirectiveRecipientView>;
  /** a validity moved while watching (`directive.expiry`); undefined: the REST view's stands */
  expiresAt?: string | null;
}

export interface LiveBoards {
  boards: Record<string, LiveBoard>;
  errors: Record<string, string>;
}

function merge(cur: LiveBoard | undefined, b: DirectiveBoardPayload, replace: boolean): LiveBoard {
  const recipients = replace || !cur ? {} : { ...cur.recipients };
  for (const r of b.recipients) recipients[r.siteId] = r;
  return {
    status: b.status,
    counts: b.counts,
    recipients,
    ...(cur && !replace ? { expiresAt: cur.expiresAt } : {}),
  };
}

const without = <T>(rec: Record<string, T>, id: string): Record<string, T> => {
  if (!(id in rec)) return rec;
  const next = { ...rec };
  delete next[id];
  return next;
};

/**
 * The live boards of several directives at once (the open ones in the list and the one
 * shown): a snapshot on subscribe (again after every reconnect, so nothing missed while
 * offline is lost), then the coalesced `directive.board` changes. One hook owns every
 * subscription: the server's board rooms are not counted, so two owners would unsubscribe
 * each other.
 */
export function useBoards(socket: Socket | null, ids: readonly string[]): LiveBoards {
  const [state, setState] = useState<LiveBoards>({ boards: {}, errors: {} });
  const subscribed = useRef(new Set<string>());
  const key = [...new Set(ids)].sort().join(',');

  const subscribe = useCallback(
    (directiveId: string) => {
      if (!socket?.connected) return;
      socket
        .timeout(5000)
        .emitWithAck(EV.boardSubscribe, { directiveId })
        .then((res: SocketResult<{ board: DirectiveBoardPayload }>) => {
          if (!subscribed.current.has(directiveId)) return;
          setState((s) =>
            res.ok
              ? {
                  boards: { ...s.boards, [directiveId]: merge(undefined, res.board, true) },
                  errors: without(s.errors, directiveId),
                }
              : { ...s, errors: { ...s.errors, [directiveId]: res.error } },
          );
        })
        .catch((err: unknown) =>
          setState((s) => ({ ...s, errors: { ...s.errors, [directiveId]: errorText(err) } })),
        );
    },
    [socket],
  );

  useEffect(() => {
    if (!socket) return;
    const mine = subscribed.current;
    const onBoard = (b: DirectiveBoardPayload) => {
      if (!mine.has(b.directiveId)) return;
      setState((s) => ({
        ...s,
        boards: { ...s.boards, [b.directiveId]: merge(s.boards[b.directiveId], b, false) },
      }));
    };
    const onExpiry = (e: DirectiveExpiryPayload) => {
      if (!mine.has(e.directiveId)) return;
      setState((s) => {
        const cur = s.boards[e.directiveId];
        return cur
          ? { ...s, boards: { ...s.boards, [e.directiveId]: { ...cur, expiresAt: e.expiresAt } } }
          : s;
      });
    };
    const resubscribe = () => mine.forEach(subscribe);
    socket.on(EV.board, onBoard);
    socket.on(EV.expiry, onExpiry);
    socket.on('connect', resubscribe);
    return () => {
      socket.off(EV.board, onBoard);
      socket.off(EV.expiry, onExpiry);
      socket.off('connect', resubscribe);
      if (socket.connected) mine.forEach((directiveId) => socket.emit(EV.boardUnsubscribe, { directiveId }));
      mine.clear();
      setState({ boards: {}, errors: {} });
    };
  }, [socket, subscribe]);

  useEffect(() => {
    if (!socket) return;
    const want = new Set(key ? key.split(',') : []);
    const mine = subscribed.current;
    for (const id of [...mine]) {
      if (want.has(id)) continue;
      mine.delete(id);
      if (socket.connected) socket.emit(EV.boardUnsubscribe, { directiveId: id });
      setState((s) => ({ boards: without(s.boards, id), errors: without(s.errors, id) }));
    }
    for (const id of want) {
      if (mine.has(id)) continue;
      mine.add(id);
      subscribe(id);
    }
  }, [socket, key, subscribe]);

  return state;
}
