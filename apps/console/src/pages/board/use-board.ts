import { useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type {
  DirectiveBoardPayload,
  DirectiveRecipientView,
  DirectiveStatus,
  DirectiveView,
  RecipientState,
  SocketResult,
} from '#contracts';
import { api, errorText } from '../../lib/api.js';
import { EV } from '../../lib/events.js';

export interface BoardState {
  directive: DirectiveView | null;
  status: DirectiveStatus | null;
  counts: Partial<Record<RecipientState, number>>;
  recipients: Record<string, DirectiveRecipientView>;
  error: string | null;
}

const EMPTY: BoardState = { directive: null, status: null, counts: {}, recipients: {}, error: null };

function merge(cur: BoardState, b: DirectiveBoardPayload, replace: boolean): BoardState {
  const recipients = replace ? {} : { ...cur.recipients };
  for (const r of b.recipients) recipients[r.siteId] = r;
  return { ...cur, status: b.status, counts: b.counts, recipients };
}

/**
 * A directive's live board: a snapshot on subscribe (again after every reconnect, so
 * nothing missed while offline is lost), then the coalesced `directive.board` changes.
 */
export function useBoard(socket: Socket | null, directiveId: string | null): BoardState {
  const [state, setState] = useState<BoardState>(EMPTY);
  useEffect(() => {
    setState(EMPTY);
    if (!directiveId) return;
    let live = true;
    api
      .directive(directiveId)
      .then((d) => live && setState((s) => ({ ...s, directive: d })))
      .catch((err: unknown) => live && setState((s) => ({ ...s, error: errorText(err) })));
    if (!socket) return;
    const subscribe = () => {
      socket
        .timeout(5000)
        .emitWithAck(EV.boardSubscribe, { directiveId })
        .then((res: SocketResult<{ board: DirectiveBoardPayload }>) => {
          if (!live) return;
          if (res.ok) setState((s) => ({ ...merge(s, res.board, true), error: null }));
          else setState((s) => ({ ...s, error: res.error }));
        })
        .catch((err: unknown) => live && setState((s) => ({ ...s, error: errorText(err) })));
    };
    const onBoard = (b: DirectiveBoardPayload) => {
      if (b.directiveId === directiveId) setState((s) => merge(s, b, false));
    };
    socket.on(EV.board, onBoard);
    socket.on('connect', subscribe);
    if (socket.connected) subscribe();
    return () => {
      live = false;
      socket.off(EV.board, onBoard);
      socket.off('connect', subscribe);
      if (socket.connected) socket.emit(EV.boardUnsubscribe, { directiveId });
    };
  }, [socket, directiveId]);
  return state;
}
