import { Injectable } from '@nestjs/common';
import type { PlanAction, PlanLevel } from '#contracts';
import { isInScope, type Actor } from '#domain';
import { DomainError } from '#platform';
import { DirectiveTemplatesRepository } from '../directives/templates/directive-templates.repository.js';
import { TargetingService } from '../directives/targeting/targeting.service.js';
import { WarningsService } from '../warnings/warnings.service.js';
import { PlanTeams } from './plan-teams.js';
import { PlansRepository } from './plans.repository.js';

/** A refusal about one action, named as `levels[i].actions[j]` (the code is kept: 400, 403, 413 …). */
function named(path: string, err: unknown): unknown {
  if (!(err instanceof DomainError)) return err;
  return new DomainError(
    err.code,
    `${path}: ${err.message}`,
    (err.fields ?? [{ path: '', message: err.message }]).map((f) => ({
      path: f.path ? `${path}.${f.path}` : path,
      message: f.message,
    })),
    err.retryAfterSeconds,
  );
}

/**
 * What a plan names must exist (400) and lie in the author's scope (403): templates, sites,
 * groups, teams and warning areas, each checked the way using it would check it.
 */
@Injectable()
export class PlanChecks {
  constructor(
    private readonly plans: PlansRepository,
    private readonly templates: DirectiveTemplatesRepository,
    private readonly targeting: TargetingService,
    private readonly warnings: WarningsService,
    private readonly teams: PlanTeams,
  ) {}

  async check(actor: Actor, levels: PlanLevel[]): Promise<void> {
    for (const [i, level] of levels.entries())
      for (const [j, action] of level.actions.entries()) {
        const path = `levels[${i}].actions[${j}]`;
        try {
          await this.checkAction(actor, action);
        } catch (err) {
          throw named(path, err);
        }
      }
  }

  private async checkAction(actor: Actor, a: PlanAction): Promise<void> {
    switch (a.kind) {
      case 'directive':
        if (a.templateId) {
          const t = await this.templates.find(a.templateId);
          if (!t)
            throw new DomainError('invalid', `directive template ${a.templateId} does not exist`, [
              { path: 'templateId', message: 'no such directive template' },
            ]);
          if (!isInScope(actor, t.owner_site_path))
            throw new DomainError('forbidden', `directive template ${a.templateId} is outside your scope`, [
              { path: 'templateId', message: 'outside your scope' },
            ]);
        }
        await this.targeting.resolve(actor, a.targets);
        return;
      case 'consultation':
      case 'duty':
        return this.sitesInScope(actor, a.siteIds);
      case 'alert-teams':
        return this.teams.check(actor, a.teamIds);
      case 'warning':
        return this.warnings.assertAreaInScope(actor, a.areas.regionCodes);
    }
  }

  async sitesInScope(actor: Actor, ids: string[]): Promise<void> {
    const found = await this.plans.sites(ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length)
      throw new DomainError('invalid', `siteIds: unknown site ${missing.slice(0, 10).join(', ')}`, [
        { path: 'siteIds', message: `unknown site ${missing.slice(0, 10).join(', ')}` },
      ]);
    const outside = ids.filter((id) => !isInScope(actor, found.get(id)!));
    if (outside.length)
      throw new DomainError('forbidden', `siteIds: outside your scope: ${outside.slice(0, 10).join(', ')}`, [
        { path: 'siteIds', message: `outside your scope: ${outside.slice(0, 10).join(', ')}` },
      ]);
  }
}
