import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  DIRECTIVE_EVENTS,
  DIRECTIVE_JOBS,
  type ChannelReport,
  type DirectiveDeliveryJob,
  type DirectiveEscalationPayload,
  type DirectivePushPayload,
} from '#contracts';
import { isExpired, pathIds } from '#domain';
import { AppConfig, EventBus, JobQueue, LOGGER } from '#platform';
import type { Socket } from 'socket.io';
import { NOTIFY_JOB, type EscalationNotice } from './escalation.service.js';
import { boardRoom, RealtimeServer, siteRoom, userRoom } from './realtime.js';
import { RecipientStateService } from './recipient-state.service.js';
import type { DirectiveRow } from './views.js';

/** How long a console has to answer the `directive` event's ack callback (the delivery receipt). */
export const DELIVERY_RECEIPT_TIMEOUT_MS = 15_000;

/** Bus channel on which a console delivery job is handed to every instance, each emitting to its own sockets. */
export const CONSOLE_DELIVERY_CHANNEL = 'directive.console-delivery';

/**
 * The console channel: Socket.IO to the duty room's consoles (room `site:<id>`). A site
 * counts as delivered when a console answers the event's ack callback; 签收 is the
 * separate `directive.ack` event from a person.
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
    private readonly dataSource: DataSource,
    private readonly realtime: RealtimeServer,
    private readonly state: RecipientStateService,
    private readonly bus: EventBus,
    @Inject(AppConfig) private readonly config: AppConfig,
    jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    jobs.handle<DirectiveDeliveryJob>(DIRECTIVE_JOBS.deliver('console'), (job) => this.deliver(job));
    jobs.handle<EscalationNotice>(NOTIFY_JOB, (notice) => this.notify(notice));
    jobs.handle<ChannelReport>(DIRECTIVE_JOBS.channelReport, (report) => this.state.report(report));
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
    if (this.clustered) await this.bus.publish(CONSOLE_DELIVERY_CHANNEL, job);
    else this.deliverLocally(job);
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
    this.state
      .markDelivered({ directiveId, siteId, via: 'console' })
      .catch((err: unknown) =>
        this.logger.warn({ err, directiveId, siteId }, 'could not record a console delivery'),
      );
  }

  /** Escalation steps 2 and 3 reach people: the leader on duty and the issuer, then the parent site. */
  async notify(notice: EscalationNotice): Promise<void> {
    const [row] = (await this.dataSource.query(
      `SELECT d.id, d.serial, d.title, d.level, d.drill, d.issued_by, s.name AS site_name, s.path AS site_path,
              (SELECT user_id FROM duty_leaders WHERE site_id = s.id) AS leader_id
       FROM directives d JOIN sites s ON s.id = $2 WHERE d.id = $1`,
      [notice.directiveId, notice.siteId],
    )) as (Pick<DirectiveRow, 'id' | 'serial' | 'title' | 'level' | 'drill' | 'issued_by'> & {
      site_name: string;
      site_path: string;
      leader_id: string | null;
    })[];
    if (!row) return;
    const payload: DirectiveEscalationPayload = {
      directiveId: row.id,
      serial: row.serial,
      title: row.title,
      level: row.level,
      drill: row.drill,
      siteId: notice.siteId,
      siteName: row.site_name,
      escalationLevel: notice.escalationLevel,
      step: notice.step,
      at: notice.at,
    };
    const rooms = [boardRoom(row.id)];
    if (notice.step === 'notify_leader') {
      rooms.push(userRoom(row.issued_by));
      if (row.leader_id) rooms.push(userRoom(row.leader_id));
      else this.logger.warn({ siteId: notice.siteId }, 'escalation: the site has no leader on duty');
    } else if (notice.step === 'escalate_parent') {
      const ids = pathIds(row.site_path);
      const parent = ids[ids.length - 2];
      if (parent) rooms.push(siteRoom(parent));
      rooms.push(userRoom(row.issued_by));
    }
    this.realtime.io.to(rooms).emit(DIRECTIVE_EVENTS.escalation, payload);
  }
}
