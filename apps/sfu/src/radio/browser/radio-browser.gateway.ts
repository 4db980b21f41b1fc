import { Inject, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
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
  RADIO_BUS,
  RADIO_EVENTS as E,
  RADIO_NOTIFICATIONS as N,
  RadioConnectTransportSchema,
  RadioConsumeSchema,
  RadioCreateTransportSchema,
  RadioEmptySchema,
  RadioJoinTalkgroupSchema,
  RadioProduceSchema,
  type RadioEmergencyMessage,
  type RadioFloorMessage,
} from '#contracts';
import { canUseTalkgroup, type Actor } from '#domain';
import { ActorResolver, EventBus, EventHandler, LOGGER, SocketLimits } from '#platform';
import { TalkgroupsRepository } from '../talkgroups.repository.js';
import { RadioBrowserService } from './radio-browser.service.js';

/**
 * Browser PTT signalling on `/radio` (same JWT as REST, `auth: {token}`): validate, check,
 * hand to RadioBrowserService. Also pushes every floor change and radio emergency of the
 * talkgroups a connected user may use, so the console's radio page is live.
 */
@WebSocketGateway({ namespace: '/radio' })
export class RadioBrowserGateway
  implements OnGatewayInit, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy
{
  private readonly events: EventHandler;
  private ns: Namespace | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly actors: ActorResolver,
    private readonly limits: SocketLimits,
    private readonly browsers: RadioBrowserService,
    private readonly repo: TalkgroupsRepository,
    private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.events = new EventHandler(logger, 'radio');
  }

  afterInit(ns: Namespace): void {
    this.ns = ns;
    ns.use(this.actors.socketMiddleware());
    this.limits.apply(ns, 'radio');
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe.push(
      await this.bus.subscribe<RadioFloorMessage>(RADIO_BUS.floor, (m) =>
        this.push(m.talkgroupId, N.floor, { talkgroupId: m.talkgroupId, floor: m.floor }),
      ),
      await this.bus.subscribe<RadioEmergencyMessage>(RADIO_BUS.emergency, (m) =>
        this.push(m.emergency.talkgroupId, N.emergency, m.emergency),
      ),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe.forEach((u) => u());
  }

  /** To every socket whose user may use the talkgroup (re-read actor: SocketSessions keeps it fresh). */
  private push(talkgroupId: string, event: string, payload: unknown): void {
    const ns = this.ns;
    if (!ns || ns.sockets.size === 0) return;
    void this.repo
      .get(talkgroupId)
      .then((tg) => {
        if (!tg) return;
        for (const socket of ns.sockets.values()) {
          const actor = socket.data.actor as Actor | undefined;
          if (actor && canUseTalkgroup(actor, { id: tg.site_id, path: tg.site_path }))
            socket.emit(event, payload);
        }
      })
      .catch((err: unknown) => this.logger.warn({ err, talkgroupId }, 'radio push failed'));
  }

  async handleDisconnect(socket: Socket): Promise<void> {
    await this.browsers.leave(socket.id).catch((err: unknown) => {
      this.logger.warn({ err }, 'radio browser leave failed');
    });
  }

  private run<S extends z.ZodType, T extends object>(
    socket: Socket,
    schema: S,
    body: unknown,
    fn: (actor: Actor, data: z.infer<S>) => Promise<T>,
  ) {
    return this.events.run(schema, body, (data) => fn(socket.data.actor as Actor, data));
  }

  @SubscribeMessage(E.join)
  join(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, RadioJoinTalkgroupSchema, body, async (actor, { talkgroupId }) => {
      const joined = await this.browsers.join(actor, socket.id, talkgroupId, {
        consumer: (v) => socket.emit(N.consumer, v),
        closed: () => socket.emit(N.closed, { talkgroupId }),
      });
      // a disconnect while joining must not leave the peer behind
      if (!socket.connected) await this.browsers.leave(socket.id);
      return joined;
    });
  }

  @SubscribeMessage(E.leave)
  leave(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, RadioEmptySchema, body, async () => {
      await this.browsers.leave(socket.id);
      return {};
    });
  }

  @SubscribeMessage(E.createTransport)
  createTransport(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, RadioCreateTransportSchema, body, (actor, { direction }) =>
      this.browsers.createTransport(actor, socket.id, direction),
    );
  }

  @SubscribeMessage(E.connectTransport)
  connectTransport(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, RadioConnectTransportSchema, body, async (_actor, req) => {
      await this.browsers.connect(socket.id, req.transportId, req.dtlsParameters);
      return {};
    });
  }

  @SubscribeMessage(E.produce)
  produce(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, RadioProduceSchema, body, async (_actor, req) => ({
      producerId: await this.browsers.produce(socket.id, req.transportId, req.rtpParameters),
    }));
  }

  @SubscribeMessage(E.consume)
  consume(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, RadioConsumeSchema, body, async (_actor, { rtpCapabilities }) => ({
      consumers: await this.browsers.consume(socket.id, rtpCapabilities),
    }));
  }

  @SubscribeMessage(E.press)
  press(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, RadioEmptySchema, body, (actor) => this.browsers.press(actor, socket.id));
  }

  @SubscribeMessage(E.release)
  release(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown) {
    return this.run(socket, RadioEmptySchema, body, async () => ({
      released: await this.browsers.release(socket.id),
    }));
  }
}
