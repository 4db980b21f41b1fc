import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CreatePlanRequest,
  GetPlanQuery,
  ListPlansQuery,
  PlanCreatedView,
  PlanSummaryView,
  PlanVersionRequest,
  PlanView,
} from '#contracts';
import { isInScope, planEditDenial, scopePrefix, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { refuse } from '../directives/shared/refuse.js';
import { PlanBudget } from './plan-budget.js';
import { PlanChecks } from './plan-checks.js';
import { PlansRepository, type PlanRow, type PlanVersionRow } from './plans.repository.js';

/**
 * 预案 (docs/plans.md): a plan belongs to a site; admins and commanders write plans of sites in
 * their subtree. A plan is read by anyone whose scope holds its site, or lies under it (a
 * township's duty officer reads the county's flood plan). Versions are never changed.
 */
@Injectable()
export class PlansService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PlansRepository,
    private readonly checks: PlanChecks,
    private readonly audit: AuditStore,
    private readonly budget: PlanBudget,
  ) {}

  async create(actor: Actor, req: CreatePlanRequest): Promise<PlanCreatedView> {
    refuse(planEditDenial(actor));
    const sitePath = (await this.plans.sites([req.siteId])).get(req.siteId);
    if (!sitePath)
      throw new DomainError('invalid', `siteId: unknown site ${req.siteId}`, [
        { path: 'siteId', message: 'no such site' },
      ]);
    if (!isInScope(actor, sitePath))
      throw new DomainError('forbidden', `siteId: outside your scope`, [
        { path: 'siteId', message: 'outside your scope' },
      ]);
    const { siteId, ...version } = req;
    await this.checks.check(actor, version.levels);
    await this.budget.take(actor, 'plan');
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await this.plans.insertPlan(tx, { id, siteId, sitePath, createdBy: actor.userId });
      await this.plans.insertVersion(tx, id, { ...version, createdBy: actor.userId });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'plan.create',
          subjectType: 'plan',
          subjectId: id,
          data: { ...req },
        },
        tx,
      );
    });
    return { id, version: 1 };
  }

  /** A new version; the earlier ones stay as they were (a started response keeps its own). */
  async addVersion(actor: Actor, id: string, req: PlanVersionRequest): Promise<PlanCreatedView> {
    const plan = await this.load(actor, id);
    refuse(planEditDenial(actor));
    if (!isInScope(actor, plan.site_path))
      throw new DomainError(
        'forbidden',
        `plan ${id} belongs to a site outside your scope: you may only read it`,
      );
    await this.checks.check(actor, req.levels);
    await this.budget.take(actor, 'plan');
    const version = await this.dataSource.transaction(async (tx) => {
      const v = await this.plans.insertVersion(tx, id, { ...req, createdBy: actor.userId });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'plan.version',
          subjectType: 'plan',
          subjectId: id,
          data: { version: v, ...req },
        },
        tx,
      );
      return v;
    });
    return { id, version };
  }

  async get(actor: Actor, id: string, query: GetPlanQuery = {}): Promise<PlanView> {
    const plan = await this.load(actor, id);
    const v = await this.plans.version(id, query.version ?? plan.latest_version);
    if (!v) throw new DomainError('not_found', `plan ${id} has no version ${query.version}`);
    return toPlanView(plan, v, await this.plans.versions(id));
  }

  async list(actor: Actor, query: ListPlansQuery): Promise<PlanSummaryView[]> {
    const rows = await this.plans.list(scopePrefix(actor), query.hazard, query.limit);
    return rows.map((p) => ({
      id: p.id,
      siteId: p.site_id,
      siteName: p.site_name,
      name: p.name,
      hazard: p.hazard,
      latestVersion: p.latest_version,
      levels: p.levels.map((l) => l.level),
      updatedAt: new Date(p.updated_at).toISOString(),
    }));
  }

  /** Unknown plans and plans out of reach are both 404. */
  async load(actor: Actor, id: string): Promise<PlanRow> {
    const plan = await this.plans.find(id);
    if (!plan || !readable(actor, plan.site_path))
      throw new DomainError('not_found', `plan ${id} does not exist`);
    return plan;
  }
}

/** In scope, or the plan of a site above the actor's (its 预案 applies to them too). */
export function readable(actor: Actor, sitePath: string): boolean {
  return isInScope(actor, sitePath) || actor.sitePath.startsWith(sitePath);
}

function toPlanView(
  p: PlanRow,
  v: PlanVersionRow,
  versions: Pick<PlanVersionRow, 'version' | 'created_at' | 'created_by'>[],
): PlanView {
  return {
    id: p.id,
    siteId: p.site_id,
    siteName: p.site_name,
    name: v.name,
    hazard: v.hazard,
    version: v.version,
    latestVersion: p.latest_version,
    levels: v.levels,
    versions: versions.map((x) => ({
      version: x.version,
      createdAt: new Date(x.created_at).toISOString(),
      createdBy: x.created_by,
    })),
    createdAt: new Date(p.created_at).toISOString(),
    updatedAt: new Date(p.updated_at).toISOString(),
  };
}
