import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';

export const siteRoom = (siteId: string) => `site:${siteId}`;
export const userRoom = (userId: string) => `user:${userId}`;
export const boardRoom = (directiveId: string) => `board:${directiveId}`;

/**
 * The Socket.IO server, handed over by the gateway when it starts. Services that emit
 * (the console channel, the board) hold this instead of the gateway, so the dependency
 * points one way. With REDIS_URL the server's adapter carries room emits to every instance.
 */
@Injectable()
export class RealtimeServer {
  private server: Server | null = null;

  attach(server: Server): void {
    this.server = server;
  }

  get io(): Server {
    if (!this.server) throw new Error('the Socket.IO server has not started');
    return this.server;
  }

  get ready(): boolean {
    return this.server !== null;
  }
}
