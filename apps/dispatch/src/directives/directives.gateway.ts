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
  describeIssues,
  fieldIssues,
  type DirectiveBoardPayload,
  type SocketResult,
} from '#contracts';
import type { Actor } from '#domain';
import { ActorResolver, DomainError, LOGGER } from '#platform';
import { BoardService } from './board.service.js';
import { ConsoleChannel } from './console-channel.js';
import { DirectivesService } from './directives.service.js';
import { boardRoom, RealtimeServer, siteRoom, userRoom } from './realtime.js';
import { RecipientStateService } from './recipient-state.service.js';
import { toPushPayload } from './views.js';

const actorOf = (socket: Socket) => socket.data.actor as Actor;

function failure(err: unknown): { ok: false; error: string } {
  if (err instanceof DomainError) return { ok: false, error: err.message };
  return { ok: false, error: 'internal error' };
}

/**
 * Consoles and dispatchers on Socket.IO (default namespace, `auth: {token}`). Thin: it
 * authenticates, joins rooms, catches a console up, and hands events to the services.
 */
@WebSocketGateway()
export class DirectivesGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(
    private readonly actors: ActorResolver,
    private readonly realtime: RealtimeServer,
    private readonly directives: DirectivesService,
    private readonly state: RecipientStateService,
    private readonly console: ConsoleChannel,
    private readonly board: BoardService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(server: Server): void {
    this.realtime.attach(server);
    server.use(this.actors.socketMiddleware());
  }

  async handleConnection(socket: Socket): Promise<void> {
    const actor = actorOf(socket);
    if (!actor) return;
    socket.on(DIRECTIVE_EVENTS.ack, (body: unknown, callback?: unknown) => {
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
  private async ack(socket: Socket, body: unknown): Promise<SocketResult> {
    const parsed = SocketAckRequestSchema.safeParse(body ?? {});
    if (!parsed.success) return { ok: false, error: describeIssues(fieldIssues(parsed.error)) };
    const actor = actorOf(socket);
    try {
      const outcome = await this.state.acknowledge({
        directiveId: parsed.data.directiveId,
        siteId: actor.siteId,
        actorId: actor.userId,
        via: 'console',
      });
      return outcome.ok ? { ok: true } : failure(outcome.error);
    } catch (err) {
      this.logger.error({ err }, 'socket ack failed');
      return failure(err);
    }
  }

  @SubscribeMessage(DIRECTIVE_EVENTS.boardSubscribe)
  async subscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<SocketResult<{ board: DirectiveBoardPayload }>> {
    const parsed = SocketBoardRequestSchema.safeParse(body ?? {});
    if (!parsed.success) return { ok: false, error: describeIssues(fieldIssues(parsed.error)) };
    const actor = actorOf(socket);
    try {
      const id = parsed.data.directiveId;
      await this.directives.assertBoardAccess(actor, id);
      await socket.join(boardRoom(id));
      const board = await this.board.snapshot(id, null);
      return { ok: true, board: board! };
    } catch (err) {
      return failure(err);
    }
  }

  @SubscribeMessage(DIRECTIVE_EVENTS.boardUnsubscribe)
  async unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<SocketResult> {
    const parsed = SocketBoardRequestSchema.safeParse(body ?? {});
    if (!parsed.success) return { ok: false, error: describeIssues(fieldIssues(parsed.error)) };
    await socket.leave(boardRoom(parsed.data.directiveId));
    return { ok: true };
  }
}
