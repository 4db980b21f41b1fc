import { Inject } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Logger } from 'pino';
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import {
  SFU_EVENTS as E,
  SFU_NOTIFICATIONS as N,
  SfuConnectTransportSchema,
  SfuConsumeSchema,
  SfuConsumerIdSchema,
  SfuConsumerLayersSchema,
  SfuCreateTransportSchema,
  SfuEmptySchema,
  SfuFloorSchema,
  SfuJoinSchema,
  SfuMuteSchema,
  SfuProduceSchema,
  SfuProducerIdSchema,
  SfuRemoveSchema,
  SfuRollCallIdSchema,
  type SfuJoinResult,
  type SfuResult,
} from '#contracts';
import { canModerateConsultation, type Actor, type ConsultationScope } from '#domain';
import { ActorResolver, AppConfig, DomainError, EventHandler, LOGGER, SocketLimits } from '#platform';
import { ConsultationsService } from './consultations/consultations.service.js';
import { sfuRoom, SfuRealtime } from './realtime.js';
import type { Peer } from './room/peer.js';
import type { Room } from './room/room.js';
import { RoomsService } from './room/rooms.service.js';

interface Joined {
  consultationId: string;
  moderator: boolean;
  /** to re-check moderation per event: a demoted commander stops moderating at once */
  scope: ConsultationScope;
}

interface Ctx {
  socket: Socket;
  actor: Actor;
}

interface InRoom extends Ctx {
  room: Room;
  peer: Peer;
  joined: Joined;
}

/**
 * Signalling for video consultations on `/sfu` (same JWT as REST, `auth: {token}`). Thin:
 * validate, check who may do it, hand to the room. Every event answers through its ack;
 * nothing a client sends can throw out of a handler.
 */
@WebSocketGateway({ namespace: '/sfu' })
export class SfuGateway implements OnGatewayInit, OnGatewayDisconnect {
  private readonly events: EventHandler;

  constructor(
    private readonly actors: ActorResolver,
    private readonly realtime: SfuRealtime,
    private readonly rooms: RoomsService,
    private readonly consultations: ConsultationsService,
    private readonly limits: SocketLimits,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.events = new EventHandler(logger, 'sfu');
  }

  afterInit(ns: Namespace): void {
    this.realtime.attach(ns);
    ns.use(this.actors.socketMiddleware());
    this.limits.apply(ns, 'sfu');
  }

  async handleDisconnect(socket: Socket): Promise<void> {
    const joined = socket.data.sfu as Joined | undefined;
    if (joined) await this.rooms.leave(joined.consultationId, socket.id, 'disconnected');
  }

  private run<S extends z.ZodType, T extends object>(
    socket: Socket,
    schema: S,
    body: unknown,
    fn: (ctx: Ctx, data: z.infer<S>) => Promise<T>,
  ): Promise<SfuResult<T>> {
    return this.events.run(schema, body, (data) => fn({ socket, actor: socket.data.actor as Actor }, data));
  }

  private inRoom(ctx: Ctx, moderator = false): InRoom {
    const joined = ctx.socket.data.sfu as Joined | undefined;
    if (!joined) throw new DomainError('conflict', 'join a consultation first');
    // ctx.actor is re-read on every event (SocketSessions); the join-time flag alone would
    // let a demoted or moved commander keep muting and removing on an open socket
    if (moderator && !(joined.moderator && canModerateConsultation(ctx.actor, joined.scope)))
      throw new DomainError('forbidden', 'only a moderator may do this');
    const room = this.rooms.require(joined.consultationId);
    return { ...ctx, room, peer: room.peer(ctx.socket.id), joined };
  }

  /** Who a moderator acted on, for the audit log (the peer id alone names only a socket). */
  private target(room: Room, peerId: string): Record<string, string> {
    const { view } = room.peer(peerId);
    return { peerId, userId: view.userId, siteId: view.siteId };
  }

  @SubscribeMessage(E.join)
  join(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(
      socket,
      SfuJoinSchema,
      body,
      async ({ actor }, { consultationId }): Promise<SfuJoinResult> => {
        if (socket.data.sfu) throw new DomainError('conflict', 'already in a consultation; leave it first');
        const c = await this.consultations.loadForJoin(actor, consultationId);
        const view = await this.consultations.peerView(actor, socket.id, c.moderator);
        // mark first: a disconnect during join must still close the attendance
        socket.data.sfu = { consultationId, moderator: c.moderator, scope: c.scope } satisfies Joined;
        let room: Room;
        try {
          room = await this.rooms.join(consultationId, actor, view);
        } catch (err) {
          delete socket.data.sfu;
          throw err;
        }
        if (!socket.connected) {
          await this.rooms.leave(consultationId, socket.id, 'disconnected');
          throw new DomainError('conflict', 'disconnected while joining');
        }
        await socket.join(sfuRoom(consultationId));
        const open = await this.consultations.openRollCall(consultationId);
        return {
          peerId: socket.id,
          moderator: c.moderator,
          routerRtpCapabilities: room.rtpCapabilities as unknown as Record<string, unknown>,
          iceServers: this.config.raw.SFU_ICE_SERVERS,
          ...room.snapshot(),
          floorPeerId: room.floorPeerId,
          activeSpeakerPeerId: room.activeSpeakerPeerId,
          rollCall: open
            ? { rollCallId: open.call.id, siteIds: open.call.siteIds, answered: open.answered }
            : null,
        };
      },
    );
  }

  @SubscribeMessage(E.leave)
  leave(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuEmptySchema, body, async (ctx) => {
      const joined = ctx.socket.data.sfu as Joined | undefined;
      if (!joined) throw new DomainError('conflict', 'not in a consultation');
      await this.rooms.leave(joined.consultationId, socket.id, 'left');
      return {};
    });
  }

  @SubscribeMessage(E.createTransport)
  createTransport(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuCreateTransportSchema, body, async (ctx, { direction }) => {
      const { room, peer } = this.inRoom(ctx);
      return room.createTransport(peer, direction);
    });
  }

  @SubscribeMessage(E.connectTransport)
  connectTransport(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuConnectTransportSchema, body, async (ctx, req) => {
      const { room, peer } = this.inRoom(ctx);
      await room.connectTransport(peer, req.transportId, req.dtlsParameters);
      return {};
    });
  }

  @SubscribeMessage(E.produce)
  produce(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuProduceSchema, body, async (ctx, req) => {
      const { room, peer } = this.inRoom(ctx);
      return { producerId: await room.produce(peer, req) };
    });
  }

  @SubscribeMessage(E.closeProducer)
  closeProducer(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuProducerIdSchema, body, async (ctx, { producerId }) => {
      const { room, peer } = this.inRoom(ctx);
      room.closeProducer(peer, producerId);
      return {};
    });
  }

  @SubscribeMessage(E.consume)
  consume(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuConsumeSchema, body, async (ctx, req) => {
      const { room, peer } = this.inRoom(ctx);
      return room.consume(peer, req.producerId, req.rtpCapabilities);
    });
  }

  @SubscribeMessage(E.resumeConsumer)
  resumeConsumer(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuConsumerIdSchema, body, async (ctx, { consumerId }) => {
      const { room, peer } = this.inRoom(ctx);
      await room.resumeConsumer(peer, consumerId);
      return {};
    });
  }

  @SubscribeMessage(E.setConsumerLayers)
  setLayers(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuConsumerLayersSchema, body, async (ctx, req) => {
      const { room, peer } = this.inRoom(ctx);
      await room.setConsumerLayers(peer, req.consumerId, req.spatialLayer);
      return {};
    });
  }

  @SubscribeMessage(E.mute)
  mute(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuMuteSchema, body, async (ctx, req) => {
      const { room, joined } = this.inRoom(ctx, true);
      await room.setMuted(req.peerId, req.kind, req.muted, socket.id);
      await this.consultations.record(ctx.actor, req.muted ? 'mute' : 'unmute', joined.consultationId, {
        ...this.target(room, req.peerId),
        kind: req.kind,
      });
      return {};
    });
  }

  @SubscribeMessage(E.floor)
  floor(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuFloorSchema, body, async (ctx, req) => {
      const { room } = this.inRoom(ctx, true);
      await room.setFloor(req.peerId, req.muteOthers ?? false, socket.id);
      return {};
    });
  }

  @SubscribeMessage(E.remove)
  remove(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuRemoveSchema, body, async (ctx, { peerId }) => {
      const { room, joined } = this.inRoom(ctx, true);
      if (peerId === socket.id) throw new DomainError('invalid', 'use leave to leave');
      const target = this.target(room, peerId);
      this.realtime.toPeer(peerId, N.removed, {
        consultationId: joined.consultationId,
        by: ctx.actor.userId,
      });
      await this.rooms.leave(joined.consultationId, peerId, 'removed');
      await this.consultations.record(ctx.actor, 'remove', joined.consultationId, target);
      return {};
    });
  }

  @SubscribeMessage(E.rollCallStart)
  rollCallStart(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuEmptySchema, body, async (ctx) => {
      const { joined } = this.inRoom(ctx, true);
      const { entity } = await this.consultations.load(joined.consultationId);
      const call = await this.consultations.startRollCall(joined.consultationId, ctx.actor, entity.siteIds);
      const notice = { rollCallId: call.id, siteIds: call.siteIds, answered: [] as string[] };
      this.realtime.toRoom(joined.consultationId, N.rollCall, notice);
      return notice;
    });
  }

  @SubscribeMessage(E.rollCallAnswer)
  rollCallAnswer(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuRollCallIdSchema, body, async (ctx, { rollCallId }) => {
      const { joined } = this.inRoom(ctx);
      const answer = await this.consultations.answerRollCall(joined.consultationId, rollCallId, ctx.actor);
      const payload = {
        rollCallId,
        siteId: ctx.actor.siteId,
        userId: ctx.actor.userId,
        answeredAt: answer.answeredAt.toISOString(),
      };
      if (answer.first) this.realtime.toRoom(joined.consultationId, N.rollCallAnswer, payload);
      return payload;
    });
  }

  @SubscribeMessage(E.rollCallClose)
  rollCallClose(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuRollCallIdSchema, body, async (ctx, { rollCallId }) => {
      const { joined } = this.inRoom(ctx, true);
      const result = await this.consultations.closeRollCall(joined.consultationId, rollCallId, ctx.actor);
      this.realtime.toRoom(joined.consultationId, N.rollCall, {
        rollCallId,
        closed: true,
        missing: result.missing,
      });
      return { rollCall: result };
    });
  }

  @SubscribeMessage(E.stats)
  stats(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, SfuEmptySchema, body, async (ctx) => {
      const { room } = this.inRoom(ctx, true);
      // workers: the pids the room spans (more than one once it spilled over via pipeToRouter)
      return { participants: await room.stats(), workers: room.workerPids() };
    });
  }
}
