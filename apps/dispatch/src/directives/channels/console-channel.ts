import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  DIRECTIVE_EVENTS,
  DIRECTIVE_JOBS,
  type DirectiveDeliveryJob,
  type DirectiveEscalationPayload,
  type DirectiveExpiryPayload,
  type DirectiveIssuedPayload,
  type DirectivePushPayload,
} from '#contracts';
import { escalationAudience, isExpired, pathIds } from '#domain';
import { AppConfig, EventBus, JobQueue, LOGGER } from '#platform';
import type { Socket } from 'socket.io';
import { EscalationRepository } from '../escalation/escalation.repository.js';
import { NOTIFY_JOB, type EscalationNotice } from '../escalation/escalation.service.js';
import { BoardRepository } from '../shared/board.repository.js';
import { boardRoom, RealtimeServer, siteRoom, userRoom } from '../shared/realtime.js';
import { ChannelReports } from '../recipients/channel-reports.js';

/** How long a console has to answer the `directive` event's ack callback (the delivery receipt). */
export const DELIVERY_RECEIPT_TIMEOUT_MS = 15_000;

/** Outbox job: a directive's validity moved; tells its recipients' consoles and its board. */
export const EXPIRY_MOVED_JOB = 'directive.expiry-moved';
export type ExpiryMovedJob = DirectiveExpiryPayload;

/** Bus channel on which a console delivery job is handed to every instance, each emitting to its own sockets. */
export const CONSOLE_DELIVERY_CHANNEL = 'directive.console-delivery';

/**
 * The console channel: Socket.IO to the duty room's consoles (room `site:<id>`). A site
 * counts as delivered when a console answers the event's ack callback; 签收 is the
 * separate `directive.ack` event from a person. Both are reported through ChannelReports,
 * like every channel's.
 *
 * In a cluster the job runs on one instance, but the consoles are spread over all of
 * them. Emitting with an ack callback through the Redis adapter costs a Redis round trip
 * per room (2,000 sites = 2,000 broadcasts, each counting the servers first), so instead
 * the job is handed once over the bus and every instance emits to its local sockets.
 * The bus is fire-and-forget, like the adapter: a console that misses it gets the
 * directive on reconnect (catch-up) or by escalation's re-delivery.
 */
@Injectable()
export class ConsoleChannel implements OnModuleInit {
  constructor(
    private readonly realtime: RealtimeServer,
    private readonly reports: ChannelReports,
    private readonly escalations: EscalationRepository,
    private readonly boards: BoardRepository,
    private readonly bus: EventBus,
    @Inject(AppConfig) private readonly config: AppConfig,
    jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    jobs.handle<DirectiveDeliveryJob>(DIRECTIVE_JOBS.deliver('console'), (job) => this.deliver(job));
    jobs.handle<EscalationNotice>(NOTIFY_JOB, (notice) => this.notify(notice));
    jobs.handle<ExpiryMovedJob>(EXPIRY_MOVED_JOB, (job) => this.expiryMoved(job));
  }

  async onModuleInit(): Promise<void> {
    if (!this.clustered) return;
    await this.bus.subscribe<DirectiveDeliveryJob>(CONSOLE_DELIVERY_CHANNEL, (job) => {
      // a malformed bus message must not take the process down (it arrives in a Redis callback)
      try {
        this.deliverLocally(job);
      } catch (err) {
        this.logger.warn({ err }, 'console delivery from the bus failed');
      }
    });
  }

  private get clustered(): boolean {
    return Boolean(this.config.raw.REDIS_URL);
  }

  async deliver(job: DirectiveDeliveryJob): Promise<void> {
    if (job.kind === 'directive' && job.directive.redelivery === 0) await this.announce(job);
    if (this.clustered) await this.bus.publish(CONSOLE_DELIVERY_CHANNEL, job);
    else this.deliverLocally(job);
  }

  /**
   * Tells the boards of the issuer's site and of every site above it (whose users' scope
   * covers the issuer's) that a directive was issued, so a colleague's directive shows
   * without polling. Ids only: the board re-reads its list over REST, where scope is checked.
   */
  private async announce(job: DirectiveDeliveryJob): Promise<void> {
    if (!this.realtime.ready) return;
    try {
      const path = await this.boards.issuerSitePath(job.directiveId);
      if (!path) return;
      const payload: DirectiveIssuedPayload = { directiveId: job.directiveId, serial: job.directive.serial };
      this.realtime.io.to(pathIds(path).map(siteRoom)).emit(DIRECTIVE_EVENTS.issued, payload);
    } catch (err) {
      // a missed nudge costs a board a refresh, never a delivery
      this.logger.warn({ err, directiveId: job.directiveId }, 'could not announce a new directive');
    }
  }

  /** Emits to the consoles connected to this instance. */
  private deliverLocally(job: DirectiveDeliveryJob): void {
    if (!this.realtime.ready) return;
    // nothing is delivered late: a job that runs after the directive's validity is dropped
    if (job.kind === 'directive' && isExpired(job.directive.expiresAt ?? null, new Date())) {
      this.logger.info(
        { directiveId: job.directiveId },
        'console delivery dropped: the directive has expired',
      );
      return;
    }
    const nsp = this.realtime.io.of('/');
    for (const siteId of job.siteIds) {
      const ids = nsp.adapter.rooms.get(siteRoom(siteId));
      if (!ids) continue;
      let receipted = false;
      for (const id of ids) {
        const socket = nsp.sockets.get(id);
        if (!socket) continue;
        if (job.kind === 'directive') {
          // per socket, not a room broadcast: a broadcast with an ack callback asks the
          // adapter for the server count first (a Redis round trip per emit)
          socket
            .timeout(DELIVERY_RECEIPT_TIMEOUT_MS)
            .emit(DIRECTIVE_EVENTS.directive, job.directive, (err: unknown) => {
              if (err || receipted) return;
              receipted = true;
              this.receipt(job.directiveId, siteId);
            });
        } else if (job.kind === 'update' && job.update) {
          socket.emit(DIRECTIVE_EVENTS.update, job.update);
        } else if (job.kind === 'cancel' && job.cancelled) {
          socket.emit(DIRECTIVE_EVENTS.cancelled, job.cancelled);
        }
      }
    }
  }

  /** Catch-up for one console that (re)connected. */
  sendTo(socket: Socket, payload: DirectivePushPayload, siteId: string): void {
    socket.timeout(DELIVERY_RECEIPT_TIMEOUT_MS).emit(DIRECTIVE_EVENTS.directive, payload, (err: unknown) => {
      if (!err) this.receipt(payload.id, siteId);
    });
  }

  private receipt(directiveId: string, siteId: string): void {
    this.reports
      .delivered({ directiveId, siteId, via: 'console' })
      .catch((err: unknown) =>
        this.logger.warn({ err, directiveId, siteId }, 'could not record a console delivery'),
      );
  }

  /**
   * `directive.expiry` to every recipient's duty room (acknowledged ones too: their card
   * shows the validity) and the dispatchers watching the board: one room emit, which the
   * Redis adapter carries to every instance.
   */
  async expiryMoved(job: ExpiryMovedJob): Promise<void> {
    if (!this.realtime.ready) return;
    const sites = await this.boards.recipientSiteIds(job.directiveId);
    const payload: DirectiveExpiryPayload = {
      directiveId: job.directiveId,
      serial: job.serial,
      expiresAt: job.expiresAt,
      previousExpiresAt: job.previousExpiresAt,
      at: job.at,
    };
    this.realtime.io
      .to([boardRoom(job.directiveId), ...sites.map(siteRoom)])
      .emit(DIRECTIVE_EVENTS.expiry, payload);
  }

  /**
   * Escalation steps 2 and 3 reach people: the leader on duty and the issuer, then the
   * parent site; every step also reaches the late site's own consoles.
   */
  async notify(notice: EscalationNotice): Promise<void> {
    const found = await this.escalations.noticeContext(
      notice.directiveId,
      notice.siteId,
      new Date(notice.at),
    );
    if (!found) return;
    const { directive: d } = found;
    const payload: DirectiveEscalationPayload = {
      directiveId: d.id,
      serial: d.serial,
      title: d.title,
      level: d.level,
      drill: d.drill,
      siteId: notice.siteId,
      siteName: found.siteName,
      escalationLevel: notice.escalationLevel,
      step: notice.step,
      at: notice.at,
    };
    const audience = escalationAudience(notice.step, {
      issuedBy: d.issued_by,
      leaderId: found.leaderId,
      sitePathIds: pathIds(found.sitePath),
    });
    if (audience.noLeader) {
      this.logger.warn({ siteId: notice.siteId }, 'escalation: the site has no leader on duty');
      // the issuer must know nobody at the site was told, or step 2 looks done
      payload.noLeader = true;
    }
    const rooms = [boardRoom(d.id), ...audience.users.map(userRoom), ...audience.sites.map(siteRoom)];
    this.realtime.io.to(rooms).emit(DIRECTIVE_EVENTS.escalation, payload);
    // the late site hears of every step too, so its duty room knows it is being chased
    this.realtime.io.to(siteRoom(notice.siteId)).emit(DIRECTIVE_EVENTS.escalatedHere, payload);
  }
}
