import type { OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Namespace, Socket } from 'socket.io';
import type { AppConfig } from '../config/app-config.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SocketCountStore } from './socket-count-store.js';

export type SocketNamespaceName = 'console' | 'sfu' | 'radio';

export interface SocketLimitSettings {
  socketsPerUser: number;
  eventsPerSecond: number;
  eventBurst: number;
  dropsBeforeDisconnect: number;
}

/** A socket's lease in the shared count; refreshed at a third of it, so one missed refresh is harmless. */
const LEASE_MS = 60_000;
const DROP_WINDOW_MS = 10_000;

/** `/radio` (browser PTT) is WebRTC signalling like `/sfu` and shares its settings. */
function settingsFor(config: AppConfig, name: SocketNamespaceName): SocketLimitSettings {
  const c = config.raw;
  const dropsBeforeDisconnect = c.SOCKET_DROPS_BEFORE_DISCONNECT;
  return name === 'console'
    ? {
        socketsPerUser: c.SOCKET_CONSOLE_SOCKETS_PER_USER,
        eventsPerSecond: c.SOCKET_CONSOLE_EVENTS_PER_SECOND,
        eventBurst: c.SOCKET_CONSOLE_EVENT_BURST,
        dropsBeforeDisconnect,
      }
    : {
        socketsPerUser: c.SOCKET_SFU_SOCKETS_PER_USER,
        eventsPerSecond: c.SOCKET_SFU_EVENTS_PER_SECOND,
        eventBurst: c.SOCKET_SFU_EVENT_BURST,
        dropsBeforeDisconnect,
      };
}

const settingName = (name: SocketNamespaceName, what: string) =>
  `SOCKET_${name === 'console' ? 'CONSOLE' : 'SFU'}_${what}`;

/**
 * Per-user socket caps and per-socket event rates for a Socket.IO namespace. Separate from
 * authentication: it runs after the auth middleware has put the actor on the socket.
 * An event over the rate is answered `{ok: false, error}` when it asks for an ack and
 * otherwise dropped, counted either way; a socket that keeps going is disconnected.
 */
export class SocketLimits implements OnApplicationShutdown {
  /** socket id -> its key in the shared count, for the lease refresh */
  private readonly local = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private readonly refused: Counter;
  private readonly dropped: Counter;
  private readonly disconnected: Counter;

  constructor(
    private readonly config: AppConfig,
    private readonly store: SocketCountStore,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    const registers = [metrics.registry];
    this.refused = new Counter({
      name: 'yihu_socket_refused_total',
      help: 'sockets refused because the user holds too many',
      labelNames: ['namespace'] as const,
      registers,
    });
    this.dropped = new Counter({
      name: 'yihu_socket_events_dropped_total',
      help: 'Socket.IO events refused over the per-socket rate',
      labelNames: ['namespace'] as const,
      registers,
    });
    this.disconnected = new Counter({
      name: 'yihu_socket_rate_disconnects_total',
      help: 'sockets disconnected for staying over the event rate',
      labelNames: ['namespace'] as const,
      registers,
    });
    this.timer = setInterval(() => void this.refresh(), LEASE_MS / 3).unref();
  }

  /** Installs both limits on a namespace; call after the auth middleware. */
  apply(ns: Namespace, name: SocketNamespaceName): void {
    const settings = settingsFor(this.config, name);
    ns.use((socket, next) => {
      this.admit(socket, name, settings).then(next, (err: unknown) => {
        this.logger.error({ err, namespace: name }, 'socket limit check failed');
        next(new Error('internal error'));
      });
    });
  }

  private async admit(
    socket: Socket,
    name: SocketNamespaceName,
    settings: SocketLimitSettings,
  ): Promise<Error | undefined> {
    const userId = (socket.data as { actor?: { userId: string } }).actor?.userId;
    if (!userId) return undefined;
    const key = `${name}:${userId}`;
    const count = await this.store.add(key, socket.id, LEASE_MS);
    if (count > settings.socketsPerUser) {
      await this.store.remove(key, socket.id);
      this.refused.inc({ namespace: name });
      return new Error(
        `too many connections for this user: at most ${settings.socketsPerUser} on ${socket.nsp.name} (${settingName(name, 'SOCKETS_PER_USER')})`,
      );
    }
    this.local.set(socket.id, key);
    const release = () => {
      if (this.local.delete(socket.id)) void this.store.remove(key, socket.id).catch(() => undefined);
    };
    socket.once('disconnect', release);
    // Socket.IO drops a socket whose client left while the middleware ran, without a
    // disconnect event: it has connected by the next macrotask or it never will
    setImmediate(() => {
      if (!socket.connected) release();
    });
    this.limitRate(socket, name, settings);
    return undefined;
  }

  private limitRate(socket: Socket, name: SocketNamespaceName, s: SocketLimitSettings): void {
    let tokens = s.eventBurst;
    let at = Date.now();
    let drops = 0;
    let windowStart = 0;
    const error = `rate limited: at most ${s.eventsPerSecond} events a second on ${socket.nsp.name} (${settingName(name, 'EVENTS_PER_SECOND')})`;
    socket.use((packet, next) => {
      const now = Date.now();
      tokens = Math.min(s.eventBurst, tokens + ((now - at) / 1000) * s.eventsPerSecond);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        next();
        return;
      }
      this.dropped.inc({ namespace: name });
      const ack = packet[packet.length - 1] as unknown;
      if (typeof ack === 'function') (ack as (r: unknown) => void)({ ok: false, error });
      if (now - windowStart > DROP_WINDOW_MS) {
        windowStart = now;
        drops = 0;
      }
      drops += 1;
      if (drops === s.dropsBeforeDisconnect) {
        this.disconnected.inc({ namespace: name });
        this.logger.warn(
          { namespace: name, userId: (socket.data as { actor?: { userId: string } }).actor?.userId },
          'socket disconnected: over the event rate',
        );
        socket.emit('rate_limited', { error });
        socket.disconnect(true);
      }
    });
  }

  private async refresh(): Promise<void> {
    const entries = [...this.local].map(([socketId, key]) => ({ key, socketId }));
    await this.store
      .refresh(entries, LEASE_MS)
      .catch((err: unknown) => this.logger.warn({ err }, 'socket lease refresh failed'));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.store.close();
  }
}
