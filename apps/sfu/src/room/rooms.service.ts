import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import { SFU_NOTIFICATIONS as N, type SfuPeerView } from '#contracts';
import type { Actor } from '#domain';
import { AppConfig, DomainError, LOGGER, Metrics } from '#platform';
import { ConsultationsService } from '../consultations/consultations.service.js';
import { SfuRealtime } from '../realtime.js';
import { WorkerPoolService } from '../worker-pool.service.js';
import { webRtcTransportOptions } from './media-options.js';
import { Room, type RoomCloseReason, type RoomHooks } from './room.js';
import { TransportBudget } from './transport-budget.js';

type MediaListener = (room: Room) => void;
type CloseListener = (room: Room, reason: RoomCloseReason) => void;

/**
 * The live rooms of this SFU instance, one per consultation, opened by the first join.
 * It keeps attendance in step with the room: every peer that leaves, is removed, or is
 * dropped by a dead worker gets its attendance row closed with the reason.
 */
@Injectable()
export class RoomsService implements OnApplicationShutdown {
  private readonly rooms = new Map<string, Room>();
  private readonly opening = new Map<string, Promise<Room>>();
  /** peerId -> attendance row */
  private readonly attendance = new Map<string, string>();
  private readonly mediaListeners: MediaListener[] = [];
  private readonly closeListeners: CloseListener[] = [];
  private readonly joins: Counter;
  private readonly transports: TransportBudget;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly pool: WorkerPoolService,
    private readonly realtime: SfuRealtime,
    private readonly consultations: ConsultationsService,
    metrics: Metrics,
  ) {
    this.transports = new TransportBudget({
      perPeer: config.raw.SFU_TRANSPORTS_PER_PEER,
      perUser: config.raw.SFU_TRANSPORTS_PER_USER,
      perConsultation: config.raw.SFU_TRANSPORTS_PER_CONSULTATION,
    });
    const rooms = this.rooms;
    new Gauge({
      name: 'yihu_sfu_rooms',
      help: 'open consultation rooms',
      registers: [metrics.registry],
      collect() {
        this.set(rooms.size);
      },
    });
    this.joins = new Counter({
      name: 'yihu_sfu_joins_total',
      help: 'participants who joined a consultation room',
      registers: [metrics.registry],
    });
  }

  onMediaChanged(fn: MediaListener): void {
    this.mediaListeners.push(fn);
  }

  onRoomClosed(fn: CloseListener): void {
    this.closeListeners.push(fn);
  }

  get(consultationId: string): Room | undefined {
    const room = this.rooms.get(consultationId);
    return room && !room.closed ? room : undefined;
  }

  require(consultationId: string): Room {
    const room = this.get(consultationId);
    if (!room) throw new DomainError('conflict', 'nobody is in this consultation room');
    return room;
  }

  count(): number {
    return this.rooms.size;
  }

  private async open(consultationId: string): Promise<Room> {
    const existing = this.get(consultationId);
    if (existing) return existing;
    let pending = this.opening.get(consultationId);
    if (!pending) {
      const hooks: RoomHooks = {
        toRoom: (event, payload, except) => this.realtime.toRoom(consultationId, event, payload, except),
        toPeer: (peerId, event, payload) => this.realtime.toPeer(peerId, event, payload),
        onClosed: (room, reason) => this.closed(room, reason),
        onMediaChanged: (room) => this.mediaListeners.forEach((fn) => fn(room)),
      };
      pending = Room.open(
        consultationId,
        {
          peersPerRouter: this.config.raw.SFU_PEERS_PER_ROUTER,
          maxPeers: this.config.raw.SFU_PEERS_PER_CONSULTATION,
          transports: this.transports,
          webRtcTransport: webRtcTransportOptions(this.config),
          pickWorker: (avoid) => this.pool.pickAvoiding(avoid),
        },
        hooks,
      )
        .then((room) => {
          this.rooms.set(consultationId, room);
          return room;
        })
        .catch((err: unknown) => {
          throw new DomainError('conflict', `the media server is not available: ${(err as Error).message}`);
        })
        .finally(() => this.opening.delete(consultationId));
      this.opening.set(consultationId, pending);
    }
    return pending;
  }

  async join(consultationId: string, actor: Actor, view: SfuPeerView): Promise<Room> {
    const room = await this.open(consultationId);
    await room.addPeer(view);
    try {
      this.attendance.set(view.peerId, await this.consultations.joined(consultationId, actor));
    } catch (err) {
      room.removePeer(view.peerId);
      throw err;
    }
    this.joins.inc();
    this.realtime.toRoom(consultationId, N.peerJoined, view, view.peerId);
    return room;
  }

  /** A peer goes: left, removed, disconnected. Idempotent. */
  async leave(consultationId: string, peerId: string, reason: string): Promise<void> {
    const room = this.rooms.get(consultationId);
    room?.removePeer(peerId);
    this.realtime.detach(peerId, consultationId);
    await this.closeAttendance(peerId, reason);
    if (room && !room.closed && room.peers.size === 0) room.close('idle');
  }

  private async closeAttendance(peerId: string, reason: string): Promise<void> {
    const id = this.attendance.get(peerId);
    if (!id) return;
    this.attendance.delete(peerId);
    await this.consultations
      .left(id, reason)
      .catch((err: unknown) => this.logger.error({ err }, 'attendance update failed'));
  }

  close(consultationId: string, reason: RoomCloseReason): void {
    this.rooms.get(consultationId)?.close(reason);
  }

  private closed(room: Room, reason: RoomCloseReason): void {
    if (this.rooms.get(room.consultationId) === room) this.rooms.delete(room.consultationId);
    const level = reason === 'worker-died' ? 'warn' : 'info';
    this.logger[level](
      { consultationId: room.consultationId, reason, peers: room.peers.size },
      'consultation room closed',
    );
    this.realtime.toRoom(room.consultationId, N.roomClosed, { consultationId: room.consultationId, reason });
    for (const peerId of room.peers.keys()) {
      this.realtime.detach(peerId, room.consultationId);
      void this.closeAttendance(peerId, reason);
    }
    this.closeListeners.forEach((fn) => fn(room, reason));
  }

  onApplicationShutdown(): void {
    for (const room of this.rooms.values()) room.close('ended');
  }
}
