import { Inject, Injectable } from '@nestjs/common';
import type { DirectiveTargets } from '#contracts';
import {
  distinctTargets,
  expansionReadLimit,
  outermostPaths,
  outOfScopeTargetDenial,
  RecipientSet,
  scopePrefix,
  targetCountDenial,
  unknownTargetsDenial,
  type Actor,
  type TargetLimits,
} from '#domain';
import { AppConfig } from '#platform';
import { refuse } from '../shared/refuse.js';
import { SiteGroupsRepository } from './site-groups.repository.js';
import { SiteTargetsRepository } from './site-targets.repository.js';

/** Who a directive goes to: all townships, chosen sites, subtrees, saved groups. */
@Injectable()
export class TargetingService {
  constructor(
    private readonly sites: SiteTargetsRepository,
    private readonly groups: SiteGroupsRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /**
   * Resolves targets to site ids within the actor's scope; a 4xx names any target that is
   * unknown or out of scope, and a 413 names the limit a request goes over. Every step reads
   * at most one row past the recipient limit, so an oversized request is refused cheaply.
   */
  async resolve(actor: Actor, targets: DirectiveTargets): Promise<string[]> {
    const limits = this.limits();
    const scope = scopePrefix(actor);
    const readLimit = expansionReadLimit(limits);
    const { siteIds, groupIds } = distinctTargets(targets);
    refuse(targetCountDenial(siteIds, groupIds, limits));
    const recipients = new RecipientSet(limits.maxRecipients);
    // the paths under which includeChildren adds every site
    const roots: string[] = [];
    if (targets.all)
      refuse(recipients.add(await this.sites.townshipsUnder(scope, readLimit), 'all townships'));
    if (siteIds.length) {
      const found = await this.sites.paths(siteIds);
      refuse(unknownTargetsDenial('siteIds', siteIds, found));
      refuse(outOfScopeTargetDenial(actor, 'siteIds', found));
      roots.push(...found.values());
      refuse(recipients.add(found.keys(), 'the sites'));
    }
    if (groupIds.length) {
      const owners = await this.groups.ownerPaths(groupIds);
      refuse(unknownTargetsDenial('groupIds', groupIds, owners));
      refuse(outOfScopeTargetDenial(actor, 'groupIds', owners));
      const members = await this.sites.groupMembers(groupIds, scope, readLimit);
      roots.push(...members.map((m) => m.path));
      refuse(
        recipients.add(
          members.map((m) => m.id),
          'the groups',
        ),
      );
    }
    if (targets.includeChildren && roots.length) {
      const subtrees = await this.sites.subtrees(outermostPaths(roots), readLimit);
      refuse(recipients.add(subtrees, 'the sites with their children'));
    }
    refuse(recipients.emptyDenial());
    return recipients.toArray();
  }

  private limits(): TargetLimits {
    const raw = this.config.raw;
    return {
      maxTargets: raw.DIRECTIVE_MAX_TARGETS,
      maxGroups: raw.DIRECTIVE_MAX_GROUPS,
      maxRecipients: raw.DIRECTIVE_MAX_RECIPIENTS,
    };
  }
}
