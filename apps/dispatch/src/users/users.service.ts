import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import type { CreateUserRequest, UpdateUserRequest, UserView } from '#contracts';
import {
  canAssignRole,
  describeWeakness,
  isInScope,
  passwordWeakness,
  userManagementDenial,
  type Actor,
} from '#domain';
import { AuditStore, SiteEntity, UserEntity } from '#persistence';
import { ActorResolver, DomainError } from '#platform';
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
    private readonly actors: ActorResolver,
  ) {}

  async create(actor: Actor, req: CreateUserRequest): Promise<UserView> {
    if (!canAssignRole(actor.role, req.role)) {
      throw new DomainError('forbidden', `role ${actor.role} may not create a user with role ${req.role}`);
    }
    await this.sites.getInScope(actor, req.siteId);
    const weak = passwordWeakness(req.password, req.username);
    if (weak)
      throw new DomainError('invalid', describeWeakness(weak), [
        { path: 'password', message: describeWeakness(weak) },
      ]);
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
          phone: req.phone ?? null,
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

  async update(actor: Actor, id: string, req: UpdateUserRequest): Promise<UserView> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new DomainError('not_found', `user ${id} does not exist`);
    const site = await this.dataSource.getRepository(SiteEntity).findOneByOrFail({ id: user.siteId });
    const newSite =
      req.siteId !== undefined && req.siteId !== user.siteId
        ? await this.sites.getInScope(actor, req.siteId)
        : null;
    const denial = userManagementDenial(
      actor,
      { userId: user.id, role: user.role, sitePath: site.path },
      { role: req.role, sitePath: newSite?.path },
    );
    if (denial) throw new DomainError('forbidden', denial);
    const before = { disabled: user.disabled, role: user.role, siteId: user.siteId };
    const after = {
      disabled: req.disabled ?? user.disabled,
      role: req.role ?? user.role,
      siteId: newSite?.id ?? user.siteId,
    };
    const saved = await this.dataSource.transaction(async (tx) => {
      await tx.getRepository(UserEntity).update({ id }, after);
      const action =
        after.disabled !== before.disabled
          ? after.disabled
            ? 'user.disable'
            : 'user.enable'
          : 'user.update';
      await this.audit.append(
        { actorId: actor.userId, action, subjectType: 'user', subjectId: id, data: { before, after } },
        tx,
      );
      return tx.getRepository(UserEntity).findOneByOrFail({ id });
    });
    // a disabled user's sockets close; so do a moved user's (their rooms are the old site's).
    // A new role alone needs no disconnect: every event re-reads the actor.
    await this.actors.userChanged(id, after.disabled || after.siteId !== before.siteId);
    return toUserView(saved);
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
      // only "outside your scope" is a 403; a failed read (the database down) stays a 500
      const site = await this.dataSource.getRepository(SiteEntity).findOneByOrFail({ id: user.siteId });
      if (!isInScope(actor, site.path))
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
