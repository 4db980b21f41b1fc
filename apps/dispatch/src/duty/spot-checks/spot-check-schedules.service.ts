import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { SpotCheckChannel, SpotCheckScheduleRequest, SpotCheckScheduleView } from '#contracts';
import { dueSlots, isInScope, type Actor, type ScheduleRule } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError, LOGGER } from '#platform';
import { SpotCheckSchedulesRepository, type ScheduleRow } from './spot-check-schedules.repository.js';
import { SpotChecksRepository } from './spot-checks.repository.js';
import { SpotChecksService } from './spot-checks.service.js';

/** How often each instance looks for due slots. */
export const SCHEDULE_TICK_MS = 5000;
/** A slot older than this when first seen is skipped, not fired late (an instance that was down). */
const GRACE_MS = 10 * 60_000;

const ruleOf = (s: ScheduleRow): ScheduleRule => ({
  id: s.id,
  times: s.times,
  randomPerDay:
    s.random_count && s.random_between
      ? { count: s.random_count, between: [s.random_between[0]!, s.random_between[1]!] }
      : null,
});

const viewOf = (s: ScheduleRow): SpotCheckScheduleView => ({
  id: s.id,
  times: s.times,
  randomPerDay:
    s.random_count && s.random_between
      ? { count: s.random_count, between: [s.random_between[0]!, s.random_between[1]!] }
      : null,
  sample: { count: s.sample_count },
  windowSeconds: s.window_seconds,
  channels: s.channels,
  drill: s.drill,
  createdAt: s.created_at.toISOString(),
  active: s.active,
});

/**
 * Scheduled and random 查岗. Every instance ticks and computes the same due slots (random
 * moments come from a generator seeded by schedule and day); the slot's claim row, written
 * in the same transaction as the check, lets exactly one instance fire it.
 */
@Injectable()
export class SpotCheckSchedules implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schedules: SpotCheckSchedulesRepository,
    private readonly checks: SpotChecksRepository,
    private readonly spotChecks: SpotChecksService,
    private readonly audit: AuditStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), SCHEDULE_TICK_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  async create(actor: Actor, req: SpotCheckScheduleRequest): Promise<SpotCheckScheduleView> {
    const pool = await this.checks.townshipsUnder(actor.role === 'admin' ? '/' : actor.sitePath);
    if (req.sample.count > pool.length) {
      const reason = `sample of ${req.sample.count} is larger than the ${pool.length} sites in scope`;
      throw new DomainError('invalid', reason, [{ path: 'sample.count', message: reason }]);
    }
    const row = await this.dataSource.transaction(async (tx) => {
      const created = await this.schedules.insert(tx, {
        id: randomUUID(),
        created_by: actor.userId,
        scope_site_id: actor.siteId,
        times: req.times ?? [],
        random_count: req.randomPerDay?.count ?? null,
        random_between: req.randomPerDay ? [...req.randomPerDay.between] : null,
        sample_count: req.sample.count,
        window_seconds: req.windowSeconds,
        channels: req.channels as SpotCheckChannel[],
        drill: req.drill ?? false,
      });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'spotcheck.schedule',
          subjectType: 'spot_check_schedule',
          subjectId: created.id,
          data: { ...req },
        },
        tx,
      );
      return created;
    });
    return viewOf(row);
  }

  async list(actor: Actor): Promise<SpotCheckScheduleView[]> {
    return (await this.schedules.list(actor.role === 'admin' ? '/' : actor.sitePath)).map(viewOf);
  }

  /**
   * Stops a schedule for good: from the commit on no slot of it fires (a slot being fired
   * at that moment finishes first; see the repository's claim). Scoped like the list: the
   * schedule's sampling scope must lie in the caller's. Audited `spotcheck.schedule.disable`.
   */
  async disable(actor: Actor, id: string): Promise<SpotCheckScheduleView> {
    const found = await this.schedules.find(id);
    if (!found) throw new DomainError('not_found', `spot check schedule ${id} does not exist`);
    if (!isInScope(actor, found.scope_path))
      throw new DomainError('forbidden', 'this spot check schedule is outside your scope');
    const row = await this.dataSource.transaction(async (tx) => {
      const disabled = await this.schedules.disable(tx, id);
      if (!disabled) return undefined;
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'spotcheck.schedule.disable',
          subjectType: 'spot_check_schedule',
          subjectId: id,
          data: { scopeSiteId: found.scope_site_id },
        },
        tx,
      );
      return disabled;
    });
    if (!row) throw new DomainError('conflict', 'this spot check schedule is already disabled');
    return viewOf(row);
  }

  /** One pass: fire what is due and unclaimed. Never overlaps itself. */
  tick(now = new Date()): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.fireDue(now)
      .catch((err: unknown) => this.logger.error({ err }, 'spot check schedules: tick failed'))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async fireDue(now: Date): Promise<void> {
    for (const schedule of await this.schedules.active()) {
      const due = dueSlots(ruleOf(schedule), now, GRACE_MS);
      if (!due.length) continue;
      const taken = await this.schedules.claimed(schedule.id, due);
      for (const slot of due.filter((s) => !taken.has(s.getTime()))) await this.fire(schedule, slot);
    }
  }

  private async fire(schedule: ScheduleRow, slot: Date): Promise<void> {
    const owner = await this.schedules.owner(schedule.created_by);
    if (!owner || owner.disabled) {
      // claimed with no check: the slot is spent, and the log says why nothing happened
      await this.dataSource.transaction((tx) => this.schedules.claim(tx, schedule.id, slot, null));
      this.logger.warn(
        { scheduleId: schedule.id },
        'spot check schedule: its creator is disabled; slot skipped',
      );
      return;
    }
    const actor: Actor = {
      userId: owner.userId,
      role: owner.role,
      siteId: owner.siteId,
      sitePath: owner.sitePath,
    };
    try {
      const check = await this.spotChecks.start(
        actor,
        {
          sample: { count: schedule.sample_count },
          windowSeconds: schedule.window_seconds,
          channels: schedule.channels,
          drill: schedule.drill,
        },
        {
          scheduleId: schedule.id,
          claim: (tx, checkId) => this.schedules.claim(tx, schedule.id, slot, checkId),
        },
      );
      if (check)
        this.logger.info({ scheduleId: schedule.id, checkId: check.id, slot }, 'scheduled spot check fired');
    } catch (err) {
      // a sample no longer possible (sites removed): spend the slot rather than retry it every tick
      if (err instanceof DomainError) {
        await this.dataSource.transaction((tx) => this.schedules.claim(tx, schedule.id, slot, null));
        this.logger.warn(
          { scheduleId: schedule.id, reason: err.message },
          'spot check schedule: slot skipped',
        );
      } else throw err;
    }
  }
}
