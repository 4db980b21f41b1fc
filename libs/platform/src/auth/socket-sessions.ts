import type { Actor } from '#domain';
import { DomainError } from '../http/domain-error.js';

/** The parts of a Socket.IO socket this file uses (socket.io's own type is not a platform dependency). */
export interface AuthedSocket {
  id: string;
  nsp: { sockets: Map<string, AuthedSocket> };
  data: { actor?: Actor };
  connected: boolean;
  use(fn: (packet: unknown[], next: (err?: Error) => void) => void): unknown;
  once(event: 'disconnect', fn: () => void): unknown;
  disconnect(close?: boolean): unknown;
}

// setTimeout's limit; a token living longer is checked again on each event anyway
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Keeps open sockets in step with who their user is now, in every namespace. Connect-time
 * authentication alone let a disabled user's console keep 签收ing, a demoted commander keep
 * moderating an open /sfu socket, and a socket outlive its token. So each socket:
 * - re-resolves its actor on every event (the resolver's 10 s cache keeps this cheap) and
 *   refreshes `socket.data.actor`, which the gateways read per event;
 * - is disconnected at its token's expiry, and when its user is revoked (disabled, moved to
 *   another site: its rooms were chosen for the old site) on any instance.
 * A refused event is answered through its ack, when it has one, before the disconnect.
 */
export class SocketSessions {
  private readonly namespaces = new Set<{ sockets: Map<string, AuthedSocket> }>();

  constructor(private readonly resolve: (userId: string) => Promise<Actor>) {}

  track(socket: AuthedSocket, expiresAtMs: number): void {
    this.namespaces.add(socket.nsp);
    const connectedSiteId = socket.data.actor!.siteId;
    const ms = Math.min(Math.max(expiresAtMs - Date.now(), 0), MAX_TIMER_MS);
    const timer = setTimeout(() => socket.disconnect(true), ms);
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
    socket.use((packet, next) => {
      const userId = socket.data.actor!.userId;
      if (Date.now() >= expiresAtMs)
        return this.refuse(socket, packet, 'your token has expired; log in again');
      this.resolve(userId).then(
        (actor) => {
          if (actor.siteId !== connectedSiteId)
            return this.refuse(socket, packet, 'your site has changed; reconnect');
          socket.data.actor = actor;
          next();
        },
        (err: unknown) => {
          if (err instanceof DomainError) return this.refuse(socket, packet, err.message);
          // the database did not answer: this event fails, but a blip must not close every
          // console whose cache entry happened to lapse (they would not reconnect by themselves)
          this.answer(packet, 'could not check your account just now; try again');
        },
      );
    });
  }

  /** Disconnects this instance's sockets of a user (every instance gets the same call via the bus). */
  disconnectUser(userId: string): number {
    let n = 0;
    for (const nsp of this.namespaces)
      for (const socket of nsp.sockets.values())
        if (socket.data.actor?.userId === userId) {
          socket.disconnect(true);
          n += 1;
        }
    return n;
  }

  private refuse(socket: AuthedSocket, packet: unknown[], error: string): void {
    this.answer(packet, error);
    // after the ack has been written: disconnect(true) would drop it with the transport
    setImmediate(() => socket.disconnect(true));
  }

  private answer(packet: unknown[], error: string): void {
    const ack = packet[packet.length - 1];
    if (typeof ack === 'function') (ack as (r: unknown) => void)({ ok: false, error });
  }
}
