import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IncidentCreatedView, RegisterExternalIncidentRequest } from '#contracts';
import type { Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { IncidentDeadlines } from './incident-deadlines.js';
import { IncidentsRepository } from './incidents.repository.js';
import { MissedCheck } from './missed-check.js';
import { ReportingAccess } from './reporting-access.js';
import { ReportingBudget } from './reporting-budget.js';
import { ReportingRules } from './reporting-rules.service.js';
import { deadlinesView } from './views.js';

const invalid = (path: string, message: string) =>
  new DomainError('invalid', `${path}: ${message}`, [{ path, message }]);

/** External registrations (the county heard of it elsewhere) and the 漏报 check they start. */
@Injectable()
export class ExternalRegistrations {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly rules: ReportingRules,
    private readonly access: ReportingAccess,
    private readonly deadlines: IncidentDeadlines,
    private readonly missed: MissedCheck,
    private readonly budget: ReportingBudget,
    private readonly audit: AuditStore,
  ) {}

  /**
   * The county heard of an incident elsewhere. Linked to the site's own incident, or opened
   * for the site (which then owes its reports); either way the 漏报 check runs at the
   * external deadline, or at once when that has passed.
   */
  async register(actor: Actor, req: RegisterExternalIncidentRequest): Promise<IncidentCreatedView> {
    if (actor.role === 'duty_officer')
      throw new DomainError('forbidden', 'the county registers external incidents');
    const learnedAt = new Date(req.learnedAt);
    if (learnedAt.getTime() > Date.now() + 60_000)
      throw invalid('learnedAt', 'learnedAt must not be in the future');
    await this.access.site(actor, req.siteId);
    await this.budget.take(actor);
    const table = await this.rules.table();
    const rule = table.limits[req.level];
    const limit = rule.phoneWithinSeconds ?? rule.writtenWithinSeconds;
    const dueAt = limit === null ? null : new Date(learnedAt.getTime() + limit * 1000);
    const row = await this.dataSource.transaction(async (tx) => {
      let id = req.incidentId;
      if (id) {
        const linked = await this.incidents.find(id, tx, true);
        if (!linked) throw new DomainError('not_found', `incident ${id} does not exist`);
        if (linked.site_id !== req.siteId)
          throw invalid('incidentId', 'the incident belongs to another site');
      } else {
        id = randomUUID();
        await this.incidents.insertIncident(tx, {
          id,
          siteId: req.siteId,
          title: req.title,
          category: '外部来源',
          level: req.level,
          occurredAt: learnedAt,
          learnedAt,
          location: '',
          summary: req.source,
          casualties: null,
          drill: false,
          rulesVersion: table.version,
          rule,
          createdBy: actor.userId,
          openedExternally: true,
        });
      }
      if (
        !(await this.incidents.setExternal(tx, id, {
          source: req.source,
          by: actor.userId,
          learnedAt,
          dueAt,
        }))
      )
        throw new DomainError('conflict', 'this incident is registered as external already');
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'incident.register_external',
          subjectType: 'incident',
          subjectId: id,
          data: {
            siteId: req.siteId,
            source: req.source,
            learnedAt: req.learnedAt,
            dueAt: dueAt?.toISOString() ?? null,
            linked: !!req.incidentId,
          },
        },
        tx,
      );
      return (await this.incidents.find(id, tx))!;
    });
    // past its deadline already: the finding is made before the answer (the job would make it too)
    if (dueAt && dueAt.getTime() <= Date.now()) await this.missed.check(row.id);
    const reports = await this.incidents.reports([row.id]);
    await this.deadlines.schedule(row, reports);
    return { id: row.id, deadlines: deadlinesView(row, reports) };
  }
}
