import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CreateIncidentRequest,
  IncidentCreatedView,
  IncidentListQuery,
  IncidentSummaryView,
  IncidentView,
} from '#contracts';
import { incidentDeadlines, learnedAtDenial, nextDue, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError, DrillLinks } from '#platform';
import { FindingsRepository } from './findings.repository.js';
import { IncidentDeadlines } from './incident-deadlines.js';
import { IncidentsRepository, type IncidentRow, type ReportRow } from './incidents.repository.js';
import { ReportingAccess } from './reporting-access.js';
import { ReportingBudget } from './reporting-budget.js';
import { ReportingRules } from './reporting-rules.service.js';
import { IncidentTimeline } from './incident-timeline.js';
import { deadlinesView, factOf, findingView, reportView, ruleOf } from './views.js';

const invalid = (path: string, message: string) =>
  new DomainError('invalid', `${path}: ${message}`, [{ path, message }]);

/**
 * Incidents (突发事件信息): opened by the site (or the county on its behalf), with the rule
 * table's limits at that moment copied onto the row; the clock starts at `learnedAt`.
 */
@Injectable()
export class IncidentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly findings: FindingsRepository,
    private readonly rules: ReportingRules,
    private readonly access: ReportingAccess,
    private readonly deadlines: IncidentDeadlines,
    private readonly timeline: IncidentTimeline,
    private readonly budget: ReportingBudget,
    private readonly audit: AuditStore,
    private readonly drillLinks: DrillLinks,
  ) {}

  async create(actor: Actor, req: CreateIncidentRequest): Promise<IncidentCreatedView> {
    const occurredAt = new Date(req.occurredAt);
    const learnedAt = new Date(req.learnedAt);
    const denial = learnedAtDenial(occurredAt, learnedAt, new Date());
    if (denial) throw invalid(denial.startsWith('occurredAt') ? 'occurredAt' : 'learnedAt', denial);
    await this.access.site(actor, req.siteId);
    const drill = await this.drillLinks.check(actor, req.drillId, req.drill, [req.siteId]);
    await this.budget.take(actor);
    const table = await this.rules.table();
    const id = randomUUID();
    const row = await this.dataSource.transaction(async (tx) => {
      const row = await this.incidents.insertIncident(tx, {
        id,
        siteId: req.siteId,
        title: req.title,
        category: req.category,
        level: req.level,
        occurredAt,
        learnedAt,
        location: req.location,
        summary: req.summary,
        casualties: req.casualties ?? null,
        drill,
        rulesVersion: table.version,
        rule: table.limits[req.level],
        createdBy: actor.userId,
        openedExternally: false,
      });
      await this.drillLinks.attach(tx, req.drillId, [req.siteId], { table: 'incidents', id });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'incident.open',
          subjectType: 'incident',
          subjectId: id,
          data: {
            siteId: req.siteId,
            level: req.level,
            learnedAt: req.learnedAt,
            rulesVersion: table.version,
            ...(drill ? { drill } : {}),
            ...(req.drillId ? { drillId: req.drillId } : {}),
          },
        },
        tx,
      );
      return row;
    });
    await this.deadlines.schedule(row, []);
    return { id, deadlines: deadlinesView(row, []) };
  }

  async get(actor: Actor, id: string): Promise<IncidentView> {
    const { incident: i, site } = await this.access.incident(actor, id);
    const reports = await this.incidents.reports([id]);
    const findings = await this.findings.ofIncident(id);
    return {
      id: i.id,
      siteId: i.site_id,
      siteName: site.name,
      title: i.title,
      category: i.category,
      level: i.level,
      occurredAt: i.occurred_at.toISOString(),
      learnedAt: i.learned_at.toISOString(),
      location: i.location,
      summary: i.summary,
      casualties: i.casualties,
      drill: i.drill,
      drillId: i.drill_id,
      state: i.state,
      external:
        i.external_source && i.external_registered_at
          ? { source: i.external_source, registeredAt: i.external_registered_at.toISOString() }
          : null,
      createdAt: i.created_at.toISOString(),
      deadlines: deadlinesView(i, reports),
      reports: reports.map(reportView),
      findings: findings.map(findingView),
      timeline: await this.timeline.of(id),
    };
  }

  async list(actor: Actor, q: IncidentListQuery): Promise<IncidentSummaryView[]> {
    const site = q.siteId ? await this.access.site(actor, q.siteId) : undefined;
    const siteId = q.siteId ?? (actor.role === 'duty_officer' ? actor.siteId : undefined);
    const rows = await this.incidents.list(this.access.pathOf(actor, site), {
      ...(siteId ? { siteId } : {}),
      ...(q.state ? { state: q.state } : {}),
      includeDrill: q.includeDrill !== 'false',
      limit: q.limit ?? 100,
    });
    const ids = rows.map((r) => r.id);
    const reports = await this.incidents.reports(ids);
    const counts = await this.findings.countByIncident(ids);
    const names = new Map(
      (await this.incidents.sites([...new Set(rows.map((r) => r.site_id))])).map((s) => [s.id, s.name]),
    );
    return rows.map((i) =>
      this.summary(
        i,
        reports.filter((r) => r.incident_id === i.id),
        names.get(i.site_id) ?? '',
        counts.get(i.id) ?? 0,
      ),
    );
  }

  private summary(
    i: IncidentRow,
    reports: ReportRow[],
    siteName: string,
    findings: number,
  ): IncidentSummaryView {
    const facts = reports.map(factOf);
    const next = nextDue(incidentDeadlines(ruleOf(i), i.learned_at, facts), facts);
    return {
      id: i.id,
      siteId: i.site_id,
      siteName,
      title: i.title,
      level: i.level,
      learnedAt: i.learned_at.toISOString(),
      state: i.state,
      drill: i.drill,
      deadlines: deadlinesView(i, reports),
      nextDue: next && { kind: next.kind, dueAt: next.dueAt.toISOString() },
      reports: reports.length,
      findings,
    };
  }
}
