import { Inject } from '@nestjs/common';
import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import { REPORTING_EVENTS } from '#contracts';
import type { Actor } from '#domain';
import { LOGGER } from '#platform';
import { DailyReportAlerts } from './daily-report-alerts.js';
import { DailyReportsRepository } from './daily-reports.repository.js';

/**
 * A console that connects while its site owes a daily report is told at once
 * (`report.due`), as a spot check catches up (the directives gateway authenticates the
 * socket and joins it to its site's room).
 */
@WebSocketGateway()
export class DailyReportsGateway implements OnGatewayConnection {
  constructor(
    private readonly rows: DailyReportsRepository,
    private readonly alerts: DailyReportAlerts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handleConnection(socket: Socket): Promise<void> {
    const actor = socket.data.actor as Actor | undefined;
    if (!actor) return;
    try {
      for (const t of await this.rows.pendingForSite(actor.siteId))
        socket.emit(
          REPORTING_EVENTS.due,
          this.alerts.payload({ siteId: t.site_id, siteName: t.site_name, parentId: t.parent_id }, t),
        );
    } catch (err) {
      this.logger.warn({ err, userId: actor.userId }, 'daily report catch-up failed');
    }
  }
}
