import { Inject } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import { SocketSpotCheckRequestSchema, SPOT_CHECK_EVENTS, type SpotCheckView } from '#contracts';
import type { Actor } from '#domain';
import { DomainError, EventHandler, LOGGER, type EventAnswer } from '#platform';
import { SpotCheckAnswers } from './spot-check-answers.js';
import { spotCheckBoardRoom, SpotCheckDelivery } from './spot-check-delivery.js';
import { SpotChecksRepository } from './spot-checks.repository.js';
import { SpotChecksService } from './spot-checks.service.js';

const actorOf = (socket: Socket) => socket.data.actor as Actor | undefined;

/**
 * 查岗 on the consoles' Socket.IO namespace (the directives gateway authenticates the
 * socket and joins it to its site's room). A console that connects mid-window is shown
 * its site's open checks; `spotcheck.answer` is 在岗; a board subscribes to a check.
 */
@WebSocketGateway()
export class SpotChecksGateway implements OnGatewayConnection {
  private readonly events: EventHandler;

  constructor(
    private readonly answers: SpotCheckAnswers,
    private readonly checks: SpotChecksService,
    private readonly rows: SpotChecksRepository,
    private readonly delivery: SpotCheckDelivery,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.events = new EventHandler(logger, 'spotcheck');
  }

  async handleConnection(socket: Socket): Promise<void> {
    const actor = actorOf(socket);
    if (!actor) return;
    // the answer is the hot path (2,000 townships at once): registered on the socket, as directive.ack is
    socket.on(SPOT_CHECK_EVENTS.answer, (...args: unknown[]) => {
      const callback = args.at(-1);
      const body = typeof args[0] === 'function' ? undefined : args[0];
      void this.events
        .run(SocketSpotCheckRequestSchema, body, ({ checkId }) =>
          this.answers.byPerson(actor, checkId, 'console'),
        )
        .then((result) => {
          if (typeof callback === 'function') callback(result);
        });
    });
    try {
      for (const open of await this.rows.openForSite(actor.siteId))
        socket.emit(SPOT_CHECK_EVENTS.spotcheck, this.delivery.payload(open));
    } catch (err) {
      this.logger.warn({ err, userId: actor.userId }, 'spot check catch-up failed');
    }
  }

  @SubscribeMessage(SPOT_CHECK_EVENTS.boardSubscribe)
  subscribe(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<EventAnswer<{ check: SpotCheckView }>> {
    return this.events.run(SocketSpotCheckRequestSchema, body, async ({ checkId }) => {
      const actor = actorOf(socket)!;
      if (actor.role === 'duty_officer')
        throw new DomainError('forbidden', 'the spot-check board is for dispatchers');
      const check = await this.checks.get(actor, checkId);
      await socket.join(spotCheckBoardRoom(checkId));
      return { check };
    });
  }

  @SubscribeMessage(SPOT_CHECK_EVENTS.boardUnsubscribe)
  unsubscribe(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<EventAnswer> {
    return this.events.run(SocketSpotCheckRequestSchema, body, async ({ checkId }) => {
      await socket.leave(spotCheckBoardRoom(checkId));
      return {};
    });
  }
}
