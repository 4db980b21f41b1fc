import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import type { CreateSiteRequest, PageQuery, SiteView, UpdateSiteRequest } from '#contracts';
import { canCreateRootSite, childPath, isInScope, parentKindError, type Actor } from '#domain';
import { AuditStore, SiteEntity } from '#persistence';
import { DomainError } from '#platform';

export function toSiteView(s: SiteEntity): SiteView {
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    parentId: s.parentId,
    regionCode: s.regionCode,
    lat: s.lat,
    lng: s.lng,
    dutyPhone: s.dutyPhone,
    createdAt: s.createdAt.toISOString(),
  };
}

@Injectable()
export class SitesService {
  constructor(
    @InjectRepository(SiteEntity) private readonly sites: Repository<SiteEntity>,
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
  ) {}

  /** Loads a site the actor may see; 404 if it does not exist, 403 if it is outside their scope. */
  async getInScope(actor: Actor, id: string): Promise<SiteEntity> {
    const site = await this.sites.findOneBy({ id });
    if (!site) throw new DomainError('not_found', `site ${id} does not exist`);
    if (!isInScope(actor, site.path)) throw new DomainError('forbidden', `site ${id} is outside your scope`);
    return site;
  }

  async create(actor: Actor, req: CreateSiteRequest): Promise<SiteView> {
    let parent: SiteEntity | null = null;
    if (req.parentId) {
      parent = await this.getInScope(actor, req.parentId);
    } else if (!canCreateRootSite(actor)) {
      throw new DomainError('forbidden', 'only an admin may create a site without a parent');
    }
    const kindError = parentKindError(req.kind, parent?.kind ?? null);
    if (kindError)
      throw new DomainError('invalid', `kind: ${kindError}`, [{ path: 'kind', message: kindError }]);
    if (req.regionCode && (await this.sites.existsBy({ regionCode: req.regionCode }))) {
      throw new DomainError('conflict', `regionCode ${req.regionCode} is already used by another site`);
    }
    const id = randomUUID();
    const site = await this.dataSource.transaction(async (tx) => {
      const saved = await tx.getRepository(SiteEntity).save(
        tx.getRepository(SiteEntity).create({
          id,
          name: req.name,
          kind: req.kind,
          parentId: parent?.id ?? null,
          regionCode: req.regionCode ?? null,
          lat: req.lat ?? null,
          lng: req.lng ?? null,
          dutyPhone: req.dutyPhone ?? null,
          path: childPath(parent?.path ?? null, id),
        }),
      );
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'site.create',
          subjectType: 'site',
          subjectId: id,
          data: {
            name: req.name,
            kind: req.kind,
            parentId: parent?.id ?? null,
            regionCode: req.regionCode ?? null,
            lat: req.lat ?? null,
            lng: req.lng ?? null,
            dutyPhone: req.dutyPhone ?? null,
          },
        },
        tx,
      );
      return saved;
    });
    return toSiteView(site);
  }

  /** Only the fields given change (null clears); the audit entry keeps the values before and after. */
  async update(actor: Actor, id: string, req: UpdateSiteRequest): Promise<SiteView> {
    return this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(SiteEntity);
      const site = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!site) throw new DomainError('not_found', `site ${id} does not exist`);
      if (!isInScope(actor, site.path))
        throw new DomainError('forbidden', `site ${id} is outside your scope`);
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const key of ['name', 'lat', 'lng', 'dutyPhone'] as const) {
        const value = req[key];
        if (value === undefined || value === site[key]) continue;
        before[key] = site[key];
        after[key] = value;
      }
      if (Object.keys(after).length === 0) return toSiteView(site);
      Object.assign(site, after);
      const saved = await repo.save(site);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'site.update',
          subjectType: 'site',
          subjectId: id,
          data: { before, after },
        },
        tx,
      );
      return toSiteView(saved);
    });
  }

  async list(actor: Actor, page: PageQuery): Promise<SiteView[]> {
    const qb = this.sites
      .createQueryBuilder('s')
      .orderBy('s.path')
      .addOrderBy('s.id')
      .limit(page.limit)
      .offset(page.offset);
    if (actor.role !== 'admin') qb.where('s.path LIKE :prefix', { prefix: `${actor.sitePath}%` });
    return (await qb.getMany()).map(toSiteView);
  }

  async get(actor: Actor, id: string): Promise<SiteView> {
    return toSiteView(await this.getInScope(actor, id));
  }
}
