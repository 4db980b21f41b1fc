import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import type { CreateUserRequest, UserView } from '#contracts';
import { canAssignRole, isInScope, type Actor } from '#domain';
import { AuditStore, SiteEntity, UserEntity } from '#persistence';
import { DomainError } from '#platform';
import { hashPassword } from '../auth/password.js';
import { SitesService } from '../sites/sites.service.js';
import { toUserView } from './user-view.js';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly sites: SitesService,
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
  ) {}

  async create(actor: Actor, req: CreateUserRequest): Promise<UserView> {
    if (!canAssignRole(actor.role, req.role)) {
      throw new DomainError('forbidden', `role ${actor.role} may not create a user with role ${req.role}`);
    }
    await this.sites.getInScope(actor, req.siteId);
    if (await this.usernameTaken(req.username)) {
      throw new DomainError('conflict', `username ${req.username} is taken`);
    }
    const passwordHash = await hashPassword(req.password);
    const user = await this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(UserEntity);
      const saved = await repo.save(
        repo.create({
          id: randomUUID(),
          username: req.username,
          displayName: req.displayName ?? null,
          passwordHash,
          role: req.role,
          siteId: req.siteId,
          disabled: false,
        }),
      );
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'user.create',
          subjectType: 'user',
          subjectId: saved.id,
          data: { username: req.username, role: req.role, siteId: req.siteId },
        },
        tx,
      );
      return saved;
    });
    return toUserView(user);
  }

  async list(actor: Actor): Promise<UserView[]> {
    const qb = this.users
      .createQueryBuilder('u')
      .innerJoin(SiteEntity, 's', 's.id = u.site_id')
      .orderBy('u.username');
    if (actor.role !== 'admin') qb.where('s.path LIKE :prefix', { prefix: `${actor.sitePath}%` });
    return (await qb.getMany()).map(toUserView);
  }

  /** A user the actor may see: themselves, or anyone at a site in their scope. */
  async get(actor: Actor, id: string): Promise<UserView> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new DomainError('not_found', `user ${id} does not exist`);
    if (user.id !== actor.userId) {
      const site = await this.sites.getInScope(actor, user.siteId).catch(() => null);
      if (!site || !isInScope(actor, site.path))
        throw new DomainError('forbidden', `user ${id} is outside your scope`);
    }
    return toUserView(user);
  }

  usernameTaken(username: string): Promise<boolean> {
    return this.users
      .createQueryBuilder('u')
      .where('lower(u.username) = :name', { name: username.toLowerCase() })
      .getExists();
  }
}
