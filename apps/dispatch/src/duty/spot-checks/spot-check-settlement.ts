import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { SPOT_CHECK_JOBS, type SpotCheckDeadlineJob, type SpotCheckEscalationPayload } from '#contracts';
import { missStreak, MISSES_TO_ESCALATE, shouldEscalate } from '#domain';
import { AuditStore, type AuditInput } from '#persistence';
import { JobQueue, LOGGER } from '#platform';
import { SpotCheckDelivery } from './spot-check-delivery.js';
import { SpotChecksRepository } from './spot-checks.repository.js';

/** How often every instance looks for checks whose deadline job was lost. */
const SWEEP_MS = 5000;
/** a site's streak is read this far back: enough to tell 2, 3, … misses in a row */
const STREAK_DEPTH = 10;

/**
 * A check's deadline: its silent targets become `missed`, and a site silent for two
 * checks in a row is escalated to its parent site (recorded, audited, told on the
 * parent's consoles and the board). Run by the delayed job `spotcheck.deadline`; a sweep
 * catches checks whose job was lost. Settling claims the check row, so it happens once
 * however many instances try.
 */
@Injectable()
export class SpotCheckSettlement implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly checks: SpotChecksRepository,
    private readonly audit: AuditStore,
    private readonly delivery: SpotCheckDelivery,
    private readonly jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    jobs.handle<SpotCheckDeadlineJob>(SPOT_CHECK_JOBS.deadline, (job) => this.settle(job.checkId));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The timer of a new check, at its deadline. */
  async schedule(checkId: string, deadline: Date): Promise<void> {
    await this.jobs.add<SpotCheckDeadlineJob>(
      SPOT_CHECK_JOBS.deadline,
      { checkId },
      { key: `spotcheck-deadline:${checkId}`, delayMs: Math.max(0, deadline.getTime() - Date.now()) },
    );
  }

  async sweep(): Promise<void> {
    try {
      for (const id of await this.checks.overdue(50)) await this.settle(id);
    } catch (err) {
      this.logger.error({ err }, 'spot check: deadline sweep failed');
    }
  }

  /** Idempotent: a check settled already, or not yet due, is left as it is. */
  async settle(checkId: string): Promise<void> {
    const check = await this.checks.find(checkId);
    if (!check || check.settled_at) return;
    if (check.deadline.getTime() > Date.now()) {
      // the job ran early (clock differences between instances): try again at the deadline
      await this.jobs.add<SpotCheckDeadlineJob>(
        SPOT_CHECK_JOBS.deadline,
        { checkId },
        { delayMs: check.deadline.getTime() - Date.now() + 50 },
      );
      return;
    }
    const escalations: SpotCheckEscalationPayload[] = [];
    const missed = await this.dataSource.transaction(async (tx) => {
      const settled = await this.checks.settle(tx, checkId);
      if (!settled.settled) return [];
      const sites = new Map((await this.checks.sites(settled.missed, tx)).map((s) => [s.id, s]));
      const audit: AuditInput[] = [
        {
          actorId: null,
          action: 'spotcheck.settled',
          subjectType: 'spot_check',
          subjectId: checkId,
          data: { missed: settled.missed, ...(check.drill ? { drill: true } : {}) },
        },
      ];
      for (const siteId of settled.missed) {
        const site = sites.get(siteId);
        const streak = missStreak(await this.checks.recentStates(tx, siteId, check.drill, STREAK_DEPTH));
        if (!site || !shouldEscalate(streak, site.parent_id)) continue;
        await this.checks.recordEscalation(tx, {
          checkId,
          siteId,
          parentSiteId: site.parent_id!,
          misses: streak,
        });
        escalations.push({
          checkId,
          siteId,
          siteName: site.name,
          parentSiteId: site.parent_id!,
          misses: streak,
          drill: check.drill,
        });
        audit.push({
          actorId: null,
          action: 'spotcheck.escalated',
          subjectType: 'spot_check',
          subjectId: checkId,
          data: { siteId, parentSiteId: site.parent_id, misses: streak, threshold: MISSES_TO_ESCALATE },
        });
      }
      await this.audit.appendMany(audit, tx);
      return settled.missed;
    });
    if (!missed.length) return;
    this.delivery.targetsChanged(
      checkId,
      missed.map((siteId) => ({
        siteId,
        state: 'missed',
        answeredAt: null,
        latencyMs: null,
        channel: null,
        answeredBy: null,
        onRoster: null,
      })),
    );
    for (const e of escalations) this.delivery.escalated(e);
  }
}
