import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { REPORTING_EVENTS, type ReportDuePayload } from '#contracts';
import { toShanghaiIso } from '#domain';
import { LOGGER } from '#platform';
import { RealtimeServer, siteRoom, userRoom } from '../../directives/shared/realtime.js';
import type { RoundRow } from './daily-reports.repository.js';

export interface AlertSite {
  siteId: string;
  siteName: string;
  parentId: string | null;
}

/**
 * `report.due` and `report.overdue` for daily reports, through the Socket.IO adapter (every
 * instance's sockets). Due: the sites' duty consoles. Overdue: the site's consoles, its
 * leader on duty (by roster, else the fixed leader: DutyRoster.leaderAt) and the county above it (the parent
 * site's room: its dispatchers' and commanders' consoles).
 */
@Injectable()
export class DailyReportAlerts {
  constructor(
    private readonly realtime: RealtimeServer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  payload(
    site: AlertSite,
    round: Pick<RoundRow, 'date' | 'due_at' | 'drill' | 'drill_id'>,
    now = new Date(),
  ): ReportDuePayload {
    return {
      siteId: site.siteId,
      siteName: site.siteName,
      subject: { type: 'daily', date: round.date },
      dueAt: toShanghaiIso(round.due_at),
      overdueSeconds: Math.floor((now.getTime() - round.due_at.getTime()) / 1000),
      drill: round.drill,
      ...(round.drill_id ? { drillId: round.drill_id } : {}),
    };
  }

  due(round: RoundRow, sites: AlertSite[]): void {
    if (!this.realtime.ready) return;
    const now = new Date();
    for (const site of sites)
      this.realtime.io.to(siteRoom(site.siteId)).emit(REPORTING_EVENTS.due, this.payload(site, round, now));
  }

  /** Each site's consoles, its leader on duty (looked up and audited by the caller) and the county. */
  overdue(round: RoundRow, sites: (AlertSite & { leaderId: string | null })[]): void {
    if (!this.realtime.ready) return;
    const now = new Date();
    for (const site of sites) {
      if (!site.leaderId)
        this.logger.warn({ siteId: site.siteId }, 'daily report overdue: no leader on duty');
      const rooms = [siteRoom(site.siteId)];
      if (site.leaderId) rooms.push(userRoom(site.leaderId));
      if (site.parentId) rooms.push(siteRoom(site.parentId));
      // one emit to the rooms: a socket in two of them gets the packet once
      this.realtime.io.to(rooms).emit(REPORTING_EVENTS.overdue, this.payload(site, round, now));
    }
  }
}
