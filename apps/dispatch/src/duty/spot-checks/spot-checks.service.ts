import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  SpotCheckChannel,
  SpotCheckStartedView,
  SpotCheckView,
  StartSpotCheckRequest,
} from '#contracts';
import { isInScope, sampleSites, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError, DrillLinks, LOGGER, trace } from '#platform';
import { SpotCheckBudget } from './spot-check-budget.js';
import { SpotCheckDelivery } from './spot-check-delivery.js';
import { SpotCheckSettlement } from './spot-check-settlement.js';
import { SpotChecksRepository, type SiteRow, type SpotCheckRow } from './spot-checks.repository.js';
import { checkView } from './views.js';

export interface StartOptions {
  scheduleId?: string;
  /**
   * Run inside the check's transaction before it is written; false abandons the check
   * (a schedule's slot another instance has claimed).
   */
  claim?: (tx: EntityManager, checkId: string) => Promise<boolean>;
}

/**
 * 查岗: a check of chosen or sampled sites, each to answer within the window. Starting
 * one writes the check, its targets and an audit entry in one transaction, then sets the
 * deadline's timer and puts it in front of the sites.
 */
@Injectable()
export class SpotChecksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly checks: SpotChecksRepository,
    private readonly audit: AuditStore,
    private readonly delivery: SpotCheckDelivery,
    private readonly settlement: SpotCheckSettlement,
    private readonly budget: SpotCheckBudget,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly drillLinks: DrillLinks,
  ) {}

  /** Starts a check; null only when `options.claim` declined it. */
  async start(
    actor: Actor,
    req: StartSpotCheckRequest,
    options: StartOptions = {},
  ): Promise<SpotCheckStartedView | null> {
    trace('spotcheck.start');
    const siteIds = await this.targetsOf(actor, req);
    trace('spotcheck.start.targets', { n: siteIds.length });
    const drill = await this.drillLinks.check(actor, req.drillId, req.drill, siteIds);
    // a person's checks are rationed; a schedule's slots are its own limit
    if (!options.scheduleId) await this.budget.take(actor);
    const id = randomUUID();
    const channels = req.channels as SpotCheckChannel[];
    const check = await this.dataSource.transaction(async (tx) => {
      if (options.claim && !(await options.claim(tx, id))) return null;
      const row = await this.checks.insert(tx, {
        id,
        issuedBy: actor.userId,
        issuerSiteId: actor.siteId,
        scheduleId: options.scheduleId ?? null,
        channels,
        drill,
        windowSeconds: req.windowSeconds,
        siteIds,
      });
      await this.drillLinks.attach(tx, req.drillId, siteIds, { table: 'spot_checks', id });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'spotcheck.start',
          subjectType: 'spot_check',
          subjectId: id,
          data: {
            siteIds,
            ...(req.sample ? { sampled: req.sample.count } : {}),
            windowSeconds: req.windowSeconds,
            channels,
            ...(drill ? { drill: true } : {}),
            ...(req.drillId ? { drillId: req.drillId } : {}),
            ...(options.scheduleId ? { scheduleId: options.scheduleId } : {}),
          },
        },
        tx,
      );
      return row;
    });
    if (!check) return null;
    trace('spotcheck.start.committed');
    // the alarm first: the timer is a round trip (Redis or the jobs table) the sites need
    // not wait for, and the sweep settles the check should it be lost
    await this.delivery.deliver(check, siteIds);
    trace('spotcheck.start.delivered');
    await this.settlement
      .schedule(check.id, check.deadline)
      .catch((err: unknown) =>
        this.logger.warn(
          { err, checkId: check.id },
          'spot check: deadline job not stored; the sweep settles it',
        ),
      );
    // built from what was written, not read back: 2,000 targets are answering meanwhile
    // drill_id is written after the row (under the drill's lock): the insert did not return it
    const { targets: _none, ...rest } = checkView({ ...check, drill_id: req.drillId ?? null }, []);
    return { ...rest, targets: siteIds.map((siteId) => ({ siteId, state: 'pending' as const })) };
  }

  /**
   * The check as its issuer's scope sees it; a site that is a target sees the check with
   * its own target only.
   */
  async get(actor: Actor, id: string): Promise<SpotCheckView> {
    const check = await this.checks.find(id);
    if (!check) throw new DomainError('not_found', `spot check ${id} does not exist`);
    if (await this.issuerVisible(actor, check)) return checkView(check, await this.checks.targets(id));
    const own = await this.checks.targets(id, [actor.siteId]);
    if (!own.length) throw new DomainError('forbidden', 'this spot check is outside your scope');
    return checkView(check, own);
  }

  private async issuerVisible(actor: Actor, check: SpotCheckRow): Promise<boolean> {
    if (actor.role === 'duty_officer') return false;
    const [issuer] = await this.checks.sites([check.issuer_site_id]);
    return issuer !== undefined && isInScope(actor, issuer.path);
  }

  /** The sites a request names or samples, each in the actor's scope. */
  private async targetsOf(actor: Actor, req: StartSpotCheckRequest): Promise<string[]> {
    if (req.siteIds) return (await this.inScope(actor, req.siteIds)).map((s) => s.id);
    const sample = req.sample!;
    const pool = sample.fromSiteIds
      ? await this.inScope(actor, sample.fromSiteIds)
      : await this.checks.townshipsUnder(actor.role === 'admin' ? '/' : actor.sitePath);
    const drawn = sampleSites(
      pool.map((s) => s.id),
      sample.count,
    );
    if (!drawn.ok)
      throw new DomainError('invalid', drawn.reason, [{ path: 'sample.count', message: drawn.reason }]);
    return drawn.siteIds;
  }

  private async inScope(actor: Actor, ids: string[]): Promise<SiteRow[]> {
    const unique = [...new Set(ids)];
    const sites = await this.checks.sites(unique);
    if (sites.length < unique.length) {
      const known = new Set(sites.map((s) => s.id));
      const missing = unique.filter((id) => !known.has(id));
      throw new DomainError('not_found', `no such site: ${missing.slice(0, 5).join(', ')}`);
    }
    const outside = sites.filter((s) => !isInScope(actor, s.path));
    if (outside.length) throw new DomainError('forbidden', `site ${outside[0]!.id} is outside your scope`);
    return sites;
  }
}
