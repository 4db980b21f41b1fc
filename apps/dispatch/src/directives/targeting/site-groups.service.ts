import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CreateSiteGroupRequest, PageQuery, SiteGroupView } from '#contracts';
import { groupMembersDenial, isInScope, scopePrefix, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { refuse } from '../shared/refuse.js';
import { SiteGroupsRepository, toSiteGroupView, type SiteGroupRow } from './site-groups.repository.js';
import { SiteTargetsRepository } from './site-targets.repository.js';

/** Saved groups of sites a directive can target by name, each owned by the site that made it. */
@Injectable()
export class SiteGroupsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly groups: SiteGroupsRepository,
    private readonly sites: SiteTargetsRepository,
  ) {}

  async create(actor: Actor, req: CreateSiteGroupRequest): Promise<SiteGroupView> {
    const siteIds = [...new Set(req.siteIds)];
    refuse(groupMembersDenial(actor, siteIds, await this.sites.paths(siteIds)));
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await this.groups.insert(tx, {
        id,
        name: req.name,
        ownerSiteId: actor.siteId,
        ownerSitePath: actor.sitePath,
        createdBy: actor.userId,
        siteIds,
      });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'site_group.create',
          subjectType: 'site_group',
          subjectId: id,
          data: { name: req.name, siteIds },
        },
        tx,
      );
    });
    return this.get(actor, id);
  }

  async list(actor: Actor, page: PageQuery): Promise<SiteGroupView[]> {
    return (await this.groups.page(scopePrefix(actor), page)).map(toSiteGroupView);
  }

  async get(actor: Actor, id: string): Promise<SiteGroupView> {
    return toSiteGroupView(await this.visible(actor, id));
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.visible(actor, id);
    await this.dataSource.transaction(async (tx) => {
      await this.groups.delete(tx, id);
      await this.audit.append(
        { actorId: actor.userId, action: 'site_group.delete', subjectType: 'site_group', subjectId: id },
        tx,
      );
    });
  }

  private async visible(actor: Actor, id: string): Promise<SiteGroupRow> {
    const row = await this.groups.find(id);
    if (!row) throw new DomainError('not_found', `site group ${id} does not exist`);
    if (!isInScope(actor, row.owner_site_path))
      throw new DomainError('forbidden', `site group ${id} is outside your scope`);
    return row;
  }
}
