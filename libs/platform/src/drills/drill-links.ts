import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { drillLinkDenial, isDrillVisibleTo, type Actor, type DrillFacts, type RuleDenial } from '#domain';
import { DomainError } from '../http/domain-error.js';
import { DrillsRepository, type DrillItemTable, type DrillRow } from './drills.repository.js';

function refuse(denial: RuleDenial | null): void {
  if (denial) throw new DomainError(denial.code, denial.message, denial.fields);
}

export const reachOf = (d: DrillRow) => ({ creatorSitePath: d.creator_site_path, sites: d.sites });

export const factsOfDrill = (d: DrillRow): DrillFacts => ({
  id: d.id,
  siteIds: d.sites.map((s) => s.id),
  startsAt: d.starts_at,
  endsAt: d.ends_at,
  endedAt: d.ended_at,
});

/**
 * How a directive, spot check, incident, warning or consultation joins a drill (docs/drills.md),
 * in a lib because the dispatch and SFU apps both link items to drills: `check`
 * before the item's transaction (the answer to a bad drillId costs nothing), `attach` inside
 * it, under a share lock on the drill so an end cannot slip between the check and the write.
 */
@Injectable()
export class DrillLinks {
  constructor(private readonly drills: DrillsRepository) {}

  /**
   * The item's effective `drill` flag: true with a drillId (after the checks), else as given.
   * A drill the actor may not see is answered as an unknown one (404), before the checks that
   * would tell it exists (409 ended, 422 sites outside it).
   */
  async check(
    actor: Actor,
    drillId: string | undefined,
    drill: boolean | undefined,
    siteIds: string[],
  ): Promise<boolean> {
    if (!drillId) return drill ?? false;
    const row = await this.drills.find(drillId);
    const seen = row && isDrillVisibleTo(actor, reachOf(row)) ? factsOfDrill(row) : null;
    refuse(drillLinkDenial(drillId, seen, { drill, siteIds }, new Date()));
    return true;
  }

  /**
   * Re-checks under the drill's lock what can change since `check` (an end) and, for the
   * tables that carry it, writes `drill_id`. Visibility is `check`'s: a drill's sites and
   * creator do not change, and a directive's extension stays in the drill it was issued in.
   */
  async attach(
    tx: EntityManager,
    drillId: string | undefined,
    siteIds: string[],
    item?: { table: DrillItemTable; id: string },
  ): Promise<void> {
    if (!drillId) return;
    const row = await this.drills.find(drillId, tx, 'share');
    refuse(drillLinkDenial(drillId, row && factsOfDrill(row), { siteIds }, await this.drills.now(tx)));
    if (item) await this.drills.attach(tx, item.table, item.id, drillId);
  }
}
