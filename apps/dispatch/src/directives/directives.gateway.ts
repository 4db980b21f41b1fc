import { Inject } from '@nestjs/common';
import {
  type OnGatewayConnection,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  MessageBody,
  ConnectedSocket,
} from '@nestjs/websockets';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import {
  DIRECTIVE_EVENTS,
  SocketAckRequestSchema,
  SocketBoardRequestSchema,
  type DirectiveBoardPayload,
  type SocketResult,
} from '#contracts';
import type { Actor } from '#domain';
import { ActorResolver, EventHandler, LOGGER, SocketLimits } from '#platform';
import { BoardService } from './shared/board.service.js';
import { ConsoleChannel } from './channels/console-channel.js';
import { DirectivesService } from './issue/directives.service.js';
import { ChannelReports } from './recipients/channel-reports.js';
import { boardRoom, RealtimeServer, siteRoom, userRoom } from './shared/realtime.js';
import { toPushPayload } from './shared/views.js';

const actorOf = (socket: Socket) => socket.data.actor as Actor;

/**
 * Consoles and dispatchers on Socket.IO (default namespace, `auth: {token}`). Thin: it
 * authenticates, joins rooms, catches a console up, and hands events to the services.
 */
@WebSocketGateway()
export class DirectivesGateway implements OnGatewayInit, OnGatewayConnection {
  private readonly events: EventHandler;

  constructor(
    private readonly actors: ActorResolver,
    private readonly realtime: RealtimeServer,
    private readonly directives: DirectivesService,
    private readonly reports: ChannelReports,
    private readonly console: ConsoleChannel,
    private readonly board: BoardService,
    private readonly limits: SocketLimits,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.events = new EventHandler(logger, 'console');
  }

  afterInit(server: Server): void {
    this.realtime.attach(server);
    server.use(this.actors.socketMiddleware());
    this.limits.apply(server.of('/'), 'console');
  }

  async handleConnection(socket: Socket): Promise<void> {
    const actor = actorOf(socket);
    if (!actor) return;
    socket.on(DIRECTIVE_EVENTS.ack, (...args: unknown[]) => {
      // socket.io passes the ack callback last: `emit('directive.ack', cb)` with no body
      // would otherwise take the callback for the body and leave the client unanswered
      const callback = args.at(-1);
      const body = typeof args[0] === 'function' ? undefined : args[0];
      void this.ack(socket, body).then((result) => {
        if (typeof callback === 'function') callback(result);
      });
    });
    await socket.join([siteRoom(actor.siteId), userRoom(actor.userId)]);
    try {
      // reconnect catch-up: everything the site has not yet acknowledged
      for (const d of await this.directives.openForSite(actor.siteId)) {
        this.console.sendTo(socket, toPushPayload(d), actor.siteId);
      }
    } catch (err) {
      this.logger.warn({ err, userId: actor.userId }, 'console catch-up failed');
    }
  }

  /**
   * 签收 from a console. Registered on the socket directly rather than with
   * @SubscribeMessage: this is the hot path (2,000 acks within a second), and Nest's
   * per-message pipeline (observables, exception zone) doubled the event loop's work per
   * ack while thousands of consoles answer at once.
   */
  private ack(socket: Socket, body: unknown): Promise<SocketResult> {
    return this.events.run(SocketAckRequestSchema, body, async ({ directiveId }) => {
      const actor = actorOf(socket);
      const outcome = await this.reports.acknowledged({
        directiveId,
        siteId: actor.siteId,
        actorId: actor.userId,
        via: 'console',
      });
      if (!outcome.ok) throw outcome.error;
      return {};
    });
  }

  @SubscribeMessage(DIRECTIVE_EVENTS.boardSubscribe)
  async subscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<SocketResult<{ board: DirectiveBoardPayload }>> {
    return this.events.run(SocketBoardRequestSchema, body, async ({ directiveId }) => {
      await this.directives.assertBoardAccess(actorOf(socket), directiveId);
      await socket.join(boardRoom(directiveId));
      const board = await this.board.snapshot(directiveId, null);
      return { board: board! };
    });
  }

  @SubscribeMessage(DIRECTIVE_EVENTS.boardUnsubscribe)
  unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SocketResult> {
    return this.events.run(SocketBoardRequestSchema, body, async ({ directiveId }) => {
      await socket.leave(boardRoom(directiveId));
      return {};
    });
  }
}
