import { io, type Socket } from 'socket.io-client';
import { useEffect, useState } from 'react';

export type ConnState = 'connecting' | 'online' | 'offline';

/**
 * One Socket.IO connection per logged-in page. socket.io-client reconnects by itself
 * (backoff up to 5 s); the server catches a console up on every connect.
 */
export function useSocket(token: string | null): { socket: Socket | null; state: ConnState } {
  const [socket, setSocket] = useState<Socket | null>(null);
  const [state, setState] = useState<ConnState>('connecting');
  useEffect(() => {
    if (!token) return;
    const s = io({ auth: { token }, transports: ['websocket'], reconnectionDelayMax: 5000 });
    setSocket(s);
    setState('connecting');
    s.on('connect', () => setState('online'));
    s.on('disconnect', () => setState('offline'));
    s.on('connect_error', () => setState('offline'));
    // The browser knows before socket.io's heartbeat does: drop the socket at once and
    // reconnect when the link is back, so the catch-up on connect is never skipped.
    const offline = () => {
      s.disconnect();
      setState('offline');
    };
    const online = () => {
      if (!s.connected) s.connect();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      s.close();
      setSocket(null);
    };
  }, [token]);
  return { socket, state };
}
