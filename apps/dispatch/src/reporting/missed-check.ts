import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { REPORTING_JOBS, type IncidentDeadlineJob } from '#contracts';
import { AuditStore } from '#persistence';
import { JobQueue } from '#platform';
import { FindingsRepository } from './findings.repository.js';
import { IncidentsRepository } from './incidents.repository.js';

export const MISSED_SLOT = 'missed:external';

/**
 * 漏报: an incident the county registered from elsewhere, which the site had not reported
 * by the external deadline (接报时间 + the phone limit, else the written limit). Reported
 * means the site opened the incident itself by then, or made any report on it by then.
 * Drills make no findings; the finding's slot makes it once.
 */
@Injectable()
export class MissedCheck {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly findings: FindingsRepository,
    private readonly audit: AuditStore,
    private readonly jobs: JobQueue,
  ) {}

  async check(incidentId: string): Promise<void> {
    const i = await this.incidents.find(incidentId);
    if (!i || !i.external_due_at || i.drill) return;
    const due = i.external_due_at;
    if (due.getTime() > Date.now()) {
      await this.jobs.add<IncidentDeadlineJob>(
        REPORTING_JOBS.incidentDeadline,
        { incidentId, slot: 'external', dueAt: due.toISOString(), stage: 'missed' },
        { delayMs: due.getTime() - Date.now() + 50 },
      );
      return;
    }
    const reports = await this.incidents.reports([i.id]);
    const reported =
      (!i.opened_externally && i.created_at <= due) || reports.some((r) => r.submitted_at <= due);
    if (reported) return;
    await this.dataSource.transaction(async (tx) => {
      const finding = await this.findings.insert(tx, {
        id: randomUUID(),
        siteId: i.site_id,
        kind: 'missed',
        incidentId: i.id,
        seconds: null,
        note: i.external_source,
        slot: MISSED_SLOT,
        drill: false,
        createdBy: null,
      });
      if (!finding) return;
      await this.audit.append(
        {
          actorId: null,
          action: 'finding.made',
          subjectType: 'incident',
          subjectId: i.id,
          data: { findingId: finding.id, kind: 'missed', siteId: i.site_id, dueAt: due.toISOString() },
        },
        tx,
      );
    });
  }
}
