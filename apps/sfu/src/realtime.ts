import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';

export const sfuRoom = (consultationId: string) => `sfu:${consultationId}`;

/** The `/sfu` namespace, for services that notify participants (set once the gateway starts). */
@Injectable()
export class SfuRealtime {
  private ns: Namespace | null = null;

  attach(ns: Namespace): void {
    this.ns = ns;
  }

  toRoom(consultationId: string, event: string, payload: unknown, exceptSocketId?: string): void {
    if (!this.ns) return;
    const target = this.ns.to(sfuRoom(consultationId));
    (exceptSocketId ? target.except(exceptSocketId) : target).emit(event, payload);
  }

  /** A peer id is its socket id. */
  toPeer(peerId: string, event: string, payload: unknown): void {
    this.ns?.to(peerId).emit(event, payload);
  }

  /** Takes a socket out of a consultation's broadcast room (removed, room closed). */
  detach(peerId: string, consultationId: string): void {
    const socket = this.ns?.sockets.get(peerId);
    if (!socket) return;
    void socket.leave(sfuRoom(consultationId));
    delete socket.data.sfu;
  }
}
