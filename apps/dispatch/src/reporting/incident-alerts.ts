import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { REPORTING_EVENTS, type ReportDuePayload } from '#contracts';
import type { DeadlineSlot } from '#domain';
import { AuditStore } from '#persistence';
import { LOGGER } from '#platform';
import { RealtimeServer, siteRoom, userRoom } from '../directives/shared/realtime.js';
import { DutyRoster } from '../duty/roster/duty-roster.service.js';
import { FindingsRepository } from './findings.repository.js';
import { IncidentsRepository, type IncidentRow } from './incidents.repository.js';

/** The claim key of a deadline: a 续报's moves with each report, the others are fixed. */
export const slotKey = (slot: DeadlineSlot, dueAt: Date) =>
  slot === 'followup' ? `followup@${dueAt.toISOString()}` : slot;

/**
 * Tells people a report is due or overdue, once per deadline and step however many
 * instances try (the report_alerts row is the claim): `report.due` and `report.overdue` to
 * the site's duty consoles and the county's (the parent site's room), `report.overdue`
 * also to the site's leader on duty (roster, else the fixed leader); the escalation step
 * to the parent's consoles and the parent's leader on duty.
 */
@Injectable()
export class IncidentAlerts {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly findings: FindingsRepository,
    private readonly audit: AuditStore,
    private readonly roster: DutyRoster,
    private readonly realtime: RealtimeServer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** False when the step was sent already (or has nobody to go to). */
  async send(
    i: IncidentRow,
    slot: DeadlineSlot,
    dueAt: Date,
    stage: 'due' | 'overdue' | 'escalated',
  ): Promise<boolean> {
    if (await this.findings.alertSent(i.id, slotKey(slot, dueAt), stage)) return false;
    const [site] = await this.incidents.sites([i.site_id]);
    if (!site) return false;
    const [parent] = site.parent_id ? await this.incidents.sites([site.parent_id]) : [];
    if (stage === 'escalated' && !parent) return false;
    const now = new Date();
    const leader =
      stage === 'due' ? null : await this.roster.leaderAt(stage === 'escalated' ? parent!.id : site.id, now);
    const claimed = await this.dataSource.transaction(async (tx) => {
      if (!(await this.findings.claimAlert(tx, i.id, slotKey(slot, dueAt), stage))) return false;
      await this.audit.append(
        {
          actorId: null,
          action: `report.${stage}`,
          subjectType: 'incident',
          subjectId: i.id,
          data: {
            slot,
            dueAt: dueAt.toISOString(),
            ...(leader ? { leaderId: leader.userId } : {}),
            ...(stage === 'escalated' ? { parentSiteId: parent!.id } : {}),
            ...(i.drill ? { drill: true } : {}),
          },
        },
        tx,
      );
      return true;
    });
    if (!claimed || !this.realtime.ready) return claimed;
    const payload: ReportDuePayload = {
      siteId: site.id,
      siteName: site.name,
      subject: { type: 'incident', incidentId: i.id, kind: slot, title: i.title },
      dueAt: dueAt.toISOString(),
      overdueSeconds: Math.floor((now.getTime() - dueAt.getTime()) / 1000),
      drill: i.drill,
      ...(stage === 'escalated' ? { escalatedTo: { siteId: parent!.id, siteName: parent!.name } } : {}),
    };
    const rooms =
      stage === 'escalated'
        ? [siteRoom(parent!.id)]
        : [siteRoom(site.id), ...(parent ? [siteRoom(parent.id)] : [])];
    if (leader) rooms.push(userRoom(leader.userId));
    this.realtime.io
      .to(rooms)
      .emit(stage === 'due' ? REPORTING_EVENTS.due : REPORTING_EVENTS.overdue, payload);
    this.logger.info({ incidentId: i.id, slot, stage }, 'reporting: alert sent');
    return true;
  }
}
