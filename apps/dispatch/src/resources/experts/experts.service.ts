import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CreateExpertRequest,
  ExpertImportView,
  ExpertInvitationView,
  ExpertView,
  InviteExpertsRequest,
  ListExpertsQuery,
  UpdateExpertRequest,
} from '#contracts';
import {
  canModerateConsultation,
  canViewConsultation,
  isInScope,
  readTable,
  writeTable,
  type Actor,
} from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { csvError } from '../csv-body.js';
import { readScope } from '../stock/read-scope.js';
import { StockBudget } from '../stock/stock-budget.js';
import { EXPERTS_CSV } from './experts-csv.js';
import { ExpertsRepository, type ExpertRow, type InvitationRow } from './experts.repository.js';

function expertView(e: ExpertRow): ExpertView {
  return {
    id: e.id,
    siteId: e.site_id,
    name: e.name,
    category: e.category,
    specialty: e.specialty,
    organisation: e.organisation,
    phones: e.phones,
    available: e.available,
    updatedAt: new Date(e.updated_at).toISOString(),
  };
}

function invitationView(i: InvitationRow): ExpertInvitationView {
  return {
    id: i.id,
    consultationId: i.consultation_id,
    expertId: i.expert_id,
    name: i.name,
    phones: i.phones,
    invitedBy: i.invited_by,
    invitedAt: new Date(i.invited_at).toISOString(),
  };
}

/**
 * 专家库 (docs/stock-and-experts.md). An expert belongs to a site: admins and commanders keep
 * the experts of their subtree, everyone reads them (a duty officer: their own site's), and
 * a consultation's moderators invite them. Experts are not users: the invitation is recorded
 * and answered with their phones, and the dispatcher calls them.
 */
@Injectable()
export class ExpertsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly experts: ExpertsRepository,
    private readonly audit: AuditStore,
    private readonly budget: StockBudget,
  ) {}

  async create(actor: Actor, req: CreateExpertRequest): Promise<ExpertView> {
    const siteId = req.siteId ?? actor.siteId;
    await this.siteInScope(actor, siteId);
    await this.budget.take(actor);
    const id = randomUUID();
    const fields = { ...req, siteId };
    await this.dataSource.transaction(async (tx) => {
      await this.experts.put(tx, id, fields);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'expert.create',
          subjectType: 'expert',
          subjectId: id,
          data: { ...fields },
        },
        tx,
      );
    });
    return expertView((await this.experts.find(id))!);
  }

  async update(actor: Actor, id: string, req: UpdateExpertRequest): Promise<ExpertView> {
    const e = await this.readable(actor, id);
    if (!isInScope(actor, e.site_path))
      throw new DomainError('forbidden', `expert ${id} belongs to a site outside your scope`);
    await this.budget.take(actor);
    await this.dataSource.transaction(async (tx) => {
      await this.experts.put(tx, id, { ...this.fieldsOf(e), ...req });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'expert.update',
          subjectType: 'expert',
          subjectId: id,
          data: { ...req },
        },
        tx,
      );
    });
    return expertView((await this.experts.find(id))!);
  }

  async list(actor: Actor, q: ListExpertsQuery): Promise<ExpertView[]> {
    const rows = await this.experts.list(readScope(actor), {
      category: q.category,
      available: q.available === undefined ? undefined : q.available === 'true',
      limit: q.limit,
      offset: q.offset,
    });
    return rows.map(expertView);
  }

  /**
   * 邀请专家参加会商: the consultation must exist, be visible (404 otherwise), be moderated by
   * the caller (403) and not be over (409); every expert must be readable by the caller.
   */
  async invite(actor: Actor, req: InviteExpertsRequest): Promise<ExpertInvitationView[]> {
    const c = await this.experts.consultation(req.consultationId);
    const scope = c && { hostSitePath: c.host_site_path, invitedSiteIds: c.site_ids, state: c.state };
    if (!scope || !canViewConsultation(actor, scope))
      throw new DomainError('not_found', `consultation ${req.consultationId} does not exist`, [
        { path: 'consultationId', message: 'no such consultation' },
      ]);
    if (!canModerateConsultation(actor, scope))
      throw new DomainError('forbidden', 'only the consultation’s moderators invite experts');
    if (scope.state === 'ended')
      throw new DomainError('conflict', `consultation ${req.consultationId} has ended`);
    const found = await this.experts.findMany(req.expertIds);
    const reach = readScope(actor);
    const ok = new Set(
      found
        .filter((e) => e.site_path.startsWith(reach.prefix) && (!reach.siteId || e.site_id === reach.siteId))
        .map((e) => e.id),
    );
    const missing = req.expertIds.filter((id) => !ok.has(id));
    if (missing.length)
      throw new DomainError('not_found', `no such expert: ${missing.slice(0, 10).join(', ')}`, [
        { path: 'expertIds', message: `no such expert: ${missing.slice(0, 10).join(', ')}` },
      ]);
    await this.budget.take(actor);
    const rows = req.expertIds.map((expertId) => ({
      id: randomUUID(),
      consultationId: req.consultationId,
      expertId,
      by: actor.userId,
    }));
    await this.dataSource.transaction(async (tx) => {
      await this.experts.invite(tx, rows);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'expert.invite',
          subjectType: 'consultation',
          subjectId: req.consultationId,
          data: { expertIds: req.expertIds },
        },
        tx,
      );
    });
    const made = new Set<string>(rows.map((r) => r.id));
    return (await this.experts.invitations(req.consultationId))
      .filter((i) => made.has(i.id))
      .map(invitationView);
  }

  async csv(actor: Actor): Promise<string> {
    const rows = await this.experts.list(readScope(actor), { limit: 5000, offset: 0 });
    return writeTable(
      rows.map((e) => ({ id: e.id, ...this.fieldsOf(e) })),
      EXPERTS_CSV,
    );
  }

  /** Every row or none; a row with a known 编号 overwrites that expert (so an export imports back unchanged). */
  async importCsv(actor: Actor, text: string): Promise<ExpertImportView> {
    const table = readTable(text, EXPERTS_CSV);
    if (!table.ok) throw csvError(table.issue);
    for (const { line, value } of table.rows) {
      const site = await this.experts.site(value.siteId);
      if (!site || !isInScope(actor, site.path))
        throw csvError({
          line,
          column: 2,
          message: `第${line}行第2列（所属单位编号）：没有这个单位，或不在您的管辖范围内`,
        });
      if (value.id) {
        const known = await this.experts.find(value.id);
        if (known && !isInScope(actor, known.site_path))
          throw csvError({
            line,
            column: 1,
            message: `第${line}行第1列（编号）：这位专家不在您的管辖范围内`,
          });
      }
    }
    await this.budget.take(actor);
    let created = 0;
    await this.dataSource.transaction(async (tx) => {
      for (const { value } of table.rows) {
        const { id, ...fields } = value;
        if (await this.experts.put(tx, id ?? randomUUID(), fields)) created++;
      }
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'expert.import',
          subjectType: 'site',
          subjectId: actor.siteId,
          data: { rows: table.rows.length, created },
        },
        tx,
      );
    });
    return { created, updated: table.rows.length - created };
  }

  private fieldsOf(e: ExpertRow) {
    return {
      siteId: e.site_id,
      name: e.name,
      category: e.category,
      specialty: e.specialty,
      organisation: e.organisation,
      phones: e.phones,
      available: e.available,
    };
  }

  private async readable(actor: Actor, id: string): Promise<ExpertRow> {
    const e = await this.experts.find(id);
    const reach = readScope(actor);
    if (!e || !e.site_path.startsWith(reach.prefix) || (reach.siteId && e.site_id !== reach.siteId))
      throw new DomainError('not_found', `expert ${id} does not exist`);
    return e;
  }

  private async siteInScope(actor: Actor, siteId: string): Promise<void> {
    const site = await this.experts.site(siteId);
    if (!site || !isInScope(actor, site.path))
      throw new DomainError('forbidden', `siteId: site ${siteId} is outside your scope`, [
        { path: 'siteId', message: 'outside your scope' },
      ]);
  }
}
