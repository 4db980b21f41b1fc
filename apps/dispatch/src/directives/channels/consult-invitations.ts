import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  CONSOLE_CONSULT_EVENTS,
  CONSULTATION_INVITED_CHANNEL,
  MAX_INVITED_SITES,
  type ConsultationView,
} from '#contracts';
import { EventBus, LOGGER } from '#platform';
import { RealtimeServer, siteRoom } from '../shared/realtime.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * 视频会商 invitations reach the invited duty rooms at once over the console's existing
 * socket, with no 5 s poll in between. Every dispatch instance hears the bus message and
 * emits to its own sockets only (`io.local`), so a cluster does not send it twice.
 */
@Injectable()
export class ConsultInvitations implements OnModuleInit, OnApplicationShutdown {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly realtime: RealtimeServer,
    private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe<ConsultationView>(CONSULTATION_INVITED_CHANNEL, (c) =>
      this.forward(c),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  private forward(c: ConsultationView): void {
    // the bus is shared with other apps: check the shape before it goes to browsers
    const sites = Array.isArray(c?.siteIds)
      ? c.siteIds.filter((id) => typeof id === 'string' && UUID.test(id))
      : [];
    if (
      typeof c?.id !== 'string' ||
      sites.length === 0 ||
      sites.length > MAX_INVITED_SITES ||
      !this.realtime.ready
    ) {
      this.logger.warn({ id: c?.id }, 'consultation invitation dropped: malformed or no socket server');
      return;
    }
    this.realtime.io.local.to(sites.map(siteRoom)).emit(CONSOLE_CONSULT_EVENTS.invitation, c);
  }
}
