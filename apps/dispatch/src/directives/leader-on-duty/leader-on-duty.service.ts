import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isInScope, leaderOnDutyDenial, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { refuse } from '../shared/refuse.js';
import { SiteTargetsRepository } from '../targeting/site-targets.repository.js';
import { DutyLeadersRepository } from './duty-leaders.repository.js';

/** 领导带班: who leads at a site today, told by escalation when the site misses a deadline. */
@Injectable()
export class LeaderOnDutyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly leaders: DutyLeadersRepository,
    private readonly sites: SiteTargetsRepository,
  ) {}

  /** Sets the site's leader on duty, or clears it (userId null). */
  async set(
    actor: Actor,
    siteId: string,
    userId: string | null,
  ): Promise<{ siteId: string; userId: string | null }> {
    await this.assertSiteInScope(actor, siteId);
    if (userId) refuse(leaderOnDutyDenial(siteId, userId, await this.leaders.candidate(userId)));
    await this.dataSource.transaction(async (tx) => {
      if (userId) await this.leaders.set(tx, siteId, userId, actor.userId);
      else await this.leaders.clear(tx, siteId);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'duty.leader',
          subjectType: 'site',
          subjectId: siteId,
          data: { userId },
        },
        tx,
      );
    });
    return { siteId, userId };
  }

  async get(
    actor: Actor,
    siteId: string,
  ): Promise<{ siteId: string; userId: string | null; since: string | null }> {
    await this.assertSiteInScope(actor, siteId);
    const row = await this.leaders.current(siteId);
    return { siteId, userId: row?.user_id ?? null, since: row?.since.toISOString() ?? null };
  }

  private async assertSiteInScope(actor: Actor, siteId: string): Promise<void> {
    const path = await this.sites.path(siteId);
    if (path === null) throw new DomainError('not_found', `site ${siteId} does not exist`);
    if (!isInScope(actor, path)) throw new DomainError('forbidden', `site ${siteId} is outside your scope`);
  }
}
