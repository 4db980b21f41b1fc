import { Injectable } from '@nestjs/common';
import type { IncidentTimelineEntry } from '#contracts';
import { AuditStore } from '#persistence';
import { IncidentsRepository } from './incidents.repository.js';

/** Enough history for one incident's page; the audit log keeps the rest. */
const TIMELINE_MAX = 500;

/** An incident's timeline: its audit entries (opened, reports, sign-offs, alerts, findings), oldest first. */
@Injectable()
export class IncidentTimeline {
  constructor(
    private readonly audit: AuditStore,
    private readonly incidents: IncidentsRepository,
  ) {}

  async of(incidentId: string): Promise<IncidentTimelineEntry[]> {
    const rows = (await this.audit.list({ limit: TIMELINE_MAX, subjectId: incidentId })).reverse();
    const names = await this.incidents.userNames([
      ...new Set(rows.map((r) => r.actorId).filter((x): x is string => !!x)),
    ]);
    return rows.map((r) => ({
      at: r.at,
      action: r.action,
      actorName: r.actorId ? (names.get(r.actorId) ?? null) : null,
      detail: r.data,
    }));
  }
}
