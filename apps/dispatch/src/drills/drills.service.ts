import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CreateDrillRequest, DrillReportView, DrillView, ListDrillsQuery } from '#contracts';
import {
  drillEndDenial,
  drillReport,
  drillSitesVisibleTo,
  drillState,
  isInScope,
  scopePrefix,
  type Actor,
} from '#domain';
import { AuditStore } from '#persistence';
import { DomainError, factsOfDrill, reachOf, DrillsRepository, type DrillRow } from '#platform';
import { refuse } from '../directives/shared/refuse.js';
import { DrillBudget } from './drill-budget.js';
import { DrillReportRepository } from './drill-report.repository.js';

function toDrillView(d: DrillRow, now: Date, sites = d.sites): DrillView {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    state: drillState({ startsAt: d.starts_at, endsAt: d.ends_at, endedAt: d.ended_at }, now),
    sites: sites.map((s) => ({ id: s.id, name: s.name })),
    startsAt: new Date(d.starts_at).toISOString(),
    endsAt: new Date(d.ends_at).toISOString(),
    endedAt: d.ended_at ? new Date(d.ended_at).toISOString() : null,
    endedBy: d.ended_by,
    createdAt: new Date(d.created_at).toISOString(),
    createdBy: d.created_by,
    creatorSiteId: d.creator_site_id,
  };
}

/**
 * 演练 (docs/drills.md): create, end early, read and report. Who may: creating and ending
 * need `directive.issue` (commanders, dispatchers, admins) and a drill created within one's
 * scope; reading needs the drill to be created in one's scope or to reach a site in it (a
 * duty officer then sees their own sites only).
 */
@Injectable()
export class DrillsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly drills: DrillsRepository,
    private readonly reports: DrillReportRepository,
    private readonly audit: AuditStore,
    private readonly budget: DrillBudget,
  ) {}

  async create(actor: Actor, req: CreateDrillRequest): Promise<DrillView> {
    const found = await this.drills.sites(req.siteIds);
    const inScope = new Set(found.filter((s) => isInScope(actor, s.path)).map((s) => s.id));
    // unknown and out-of-scope sites get the same answer: existence outside one's scope is not told
    const outside = req.siteIds.filter((id) => !inScope.has(id));
    if (outside.length)
      throw new DomainError('forbidden', `siteIds: outside your scope: ${outside.slice(0, 10).join(', ')}`, [
        { path: 'siteIds', message: `outside your scope: ${outside.slice(0, 10).join(', ')}` },
      ]);
    await this.budget.take(actor);
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await this.drills.insert(tx, {
        id,
        name: req.name,
        kind: req.kind,
        startsAt: req.startsAt,
        endsAt: req.endsAt,
        createdBy: actor.userId,
        creatorSiteId: actor.siteId,
        creatorSitePath: actor.sitePath,
        siteIds: req.siteIds,
      });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'drill.create',
          subjectType: 'drill',
          subjectId: id,
          data: { ...req },
        },
        tx,
      );
    });
    return this.get(actor, id);
  }

  async list(actor: Actor, query: ListDrillsQuery): Promise<DrillView[]> {
    const now = new Date();
    const rows = await this.drills.list(scopePrefix(actor), query.limit);
    return rows.map((d) => toDrillView(d, now, this.visibleSites(actor, d)));
  }

  async get(actor: Actor, id: string): Promise<DrillView> {
    const d = await this.load(actor, id);
    return toDrillView(d, new Date(), this.visibleSites(actor, d));
  }

  /** 提前结束: once (409 after that, or once endsAt has passed). */
  async end(actor: Actor, id: string): Promise<DrillView> {
    const seen = await this.load(actor, id);
    if (!isInScope(actor, seen.creator_site_path))
      throw new DomainError('forbidden', `drill ${id} was created outside your scope: you may only read it`);
    await this.budget.take(actor);
    await this.dataSource.transaction(async (tx) => {
      const d = await this.drills.find(id, tx, 'update');
      if (!d) throw new DomainError('not_found', `drill ${id} does not exist`);
      refuse(drillEndDenial(factsOfDrill(d), await this.drills.now(tx)));
      await this.drills.end(tx, id, actor.userId);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'drill.end',
          subjectType: 'drill',
          subjectId: id,
          data: { name: d.name },
        },
        tx,
      );
    });
    return this.get(actor, id);
  }

  async report(actor: Actor, id: string): Promise<DrillReportView> {
    const d = await this.load(actor, id);
    const now = new Date();
    const sites = this.visibleSites(actor, d);
    const view = toDrillView(d, now, sites);
    // drillReport keeps only the rows of the sites in the view
    return drillReport(view, await this.reports.items(id), now, await this.reports.consultations(id));
  }

  /** Unknown and unreachable drills are both 404. */
  private async load(actor: Actor, id: string): Promise<DrillRow> {
    const d = await this.drills.find(id);
    if (!d || this.visibleSites(actor, d).length === 0)
      throw new DomainError('not_found', `drill ${id} does not exist`);
    return d;
  }

  /** Its creator's scope sees every site; anyone else, the drill's sites within their scope. */
  private visibleSites(actor: Actor, d: DrillRow): DrillRow['sites'] {
    return drillSitesVisibleTo(actor, reachOf(d));
  }
}
