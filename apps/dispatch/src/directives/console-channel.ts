import { Inject, Injectable } from '@nestjs/common';
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
import { pathIds } from '#domain';
import { JobQueue, LOGGER } from '#platform';
import type { Socket } from 'socket.io';
import { NOTIFY_JOB, type EscalationNotice } from './escalation.service.js';
import { boardRoom, RealtimeServer, siteRoom, userRoom } from './realtime.js';
import { RecipientStateService } from './recipient-state.service.js';
import type { DirectiveRow } from './views.js';

/** How long a console has to answer the `directive` event's ack callback (the delivery receipt). */
export const DELIVERY_RECEIPT_TIMEOUT_MS = 15_000;

/**
 * The console channel: Socket.IO to the duty room's consoles (room `site:<id>`). A site
 * counts as delivered when a console answers the event's ack callback; 签收 is the
 * separate `directive.ack` event from a person. Emits go through the adapter, so with
 * Redis they reach consoles connected to any instance.
 */
@Injectable()
export class ConsoleChannel {
  constructor(
    private readonly dataSource: DataSource,
    private readonly realtime: RealtimeServer,
    private readonly state: RecipientStateService,
    jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    jobs.handle<DirectiveDeliveryJob>(DIRECTIVE_JOBS.deliver('console'), (job) => this.deliver(job));
    jobs.handle<EscalationNotice>(NOTIFY_JOB, (notice) => this.notify(notice));
    jobs.handle<ChannelReport>(DIRECTIVE_JOBS.channelReport, (report) => this.state.report(report));
  }

  async deliver(job: DirectiveDeliveryJob): Promise<void> {
    const io = this.realtime.io;
    for (const siteId of job.siteIds) {
      const room = io.to(siteRoom(siteId));
      if (job.kind === 'directive') {
        room.timeout(DELIVERY_RECEIPT_TIMEOUT_MS).emit(DIRECTIVE_EVENTS.directive, job.directive, (_err: unknown, responses: unknown[]) => {
          if (responses?.length) this.receipt(job.directiveId, siteId);
        });
      } else if (job.kind === 'update' && job.update) {
        room.emit(DIRECTIVE_EVENTS.update, job.update);
      } else if (job.kind === 'cancel' && job.cancelled) {
        room.emit(DIRECTIVE_EVENTS.cancelled, job.cancelled);
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
      .catch((err: unknown) => this.logger.warn({ err, directiveId, siteId }, 'could not record a console delivery'));
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
