import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { REPORTING_JOBS } from '#contracts';
import { AuditStore } from '#persistence';
import { JobQueue, LOGGER } from '#platform';
import { DutyRoster } from '../../duty/roster/duty-roster.service.js';
import { DailyReportAlerts, type AlertSite } from './daily-report-alerts.js';
import { DailyReportsRepository, type RoundRow } from './daily-reports.repository.js';

export type RoundStep = 'remind' | 'due' | 'close';

/** `REPORTING_JOBS.dailyDue`'s data: one job per step of a round */
export interface DailyRoundJob {
  roundId: string;
  step: RoundStep;
}

/** How often every instance looks for steps whose job was lost (kill -9 between commit and job). */
const SWEEP_MS = 5000;

const CLAIM = { remind: 'reminded_at', due: 'chased_at', close: 'closed_at' } as const;

/**
 * A round's three moments, each a delayed job (`REPORTING_JOBS.dailyDue`) and caught by a
 * sweep should the job be lost: the reminder to sites still pending, the chase at the due
 * time (`report.overdue` to each pending site, its leader on duty and the county), and the
 * close, when pending sites become `missing`. Each step claims its column on the round
 * row, so it happens once however many instances (or duplicate jobs) try.
 */
@Injectable()
export class DailyRoundTimers implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: DailyReportsRepository,
    private readonly audit: AuditStore,
    private readonly alerts: DailyReportAlerts,
    private readonly roster: DutyRoster,
    private readonly jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    jobs.handle<DailyRoundJob>(REPORTING_JOBS.dailyDue, (job) => this.run(job.roundId, job.step));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  async schedule(round: RoundRow): Promise<void> {
    const steps: [RoundStep, Date | null][] = [
      ['remind', round.remind_at],
      ['due', round.due_at],
      ['close', round.closes_at],
    ];
    try {
      for (const [step, at] of steps) {
        if (!at) continue;
        await this.jobs.add<DailyRoundJob>(
          REPORTING_JOBS.dailyDue,
          { roundId: round.id, step },
          { key: `daily-${step}:${round.id}`, delayMs: Math.max(0, at.getTime() - Date.now()) },
        );
      }
    } catch (err) {
      this.logger.warn({ err, roundId: round.id }, 'daily round: timer not stored; the sweep runs it');
    }
  }

  sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = (async () => {
      for (const { id, step } of await this.rows.stepsDue(50)) await this.run(id, step);
    })()
      .catch((err: unknown) => this.logger.error({ err }, 'daily round: sweep failed'))
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  /** Idempotent: a step taken already, or not yet due, is left as it is. */
  async run(roundId: string, step: RoundStep): Promise<void> {
    const round = await this.rows.round(roundId);
    if (!round) return;
    const at = step === 'remind' ? round.remind_at : step === 'due' ? round.due_at : round.closes_at;
    if (!at) return;
    const early = at.getTime() - Date.now();
    if (early > 0) {
      // the job ran early (clocks differ between instances): again at its time
      await this.jobs.add<DailyRoundJob>(REPORTING_JOBS.dailyDue, { roundId, step }, { delayMs: early + 50 });
      return;
    }
    if (step === 'remind') return this.remind(round);
    if (step === 'due') return this.chase(round);
    return this.close(round);
  }

  private async remind(round: RoundRow): Promise<void> {
    // a reminder after the due time would say "due soon" of something overdue
    if (round.due_at.getTime() <= Date.now()) {
      await this.dataSource.transaction((tx) => this.rows.claimStep(tx, round.id, CLAIM.remind));
      return;
    }
    const pending = await this.dataSource.transaction(async (tx) => {
      if (!(await this.rows.claimStep(tx, round.id, CLAIM.remind))) return null;
      const sites = await this.rows.targetsOfRound(round.id, ['pending'], tx);
      await this.audit.append(
        {
          actorId: null,
          action: 'daily.round.remind',
          subjectType: 'daily_report_round',
          subjectId: round.id,
          data: { date: round.date, pending: sites.map((s) => s.site_id) },
        },
        tx,
      );
      return sites;
    });
    if (pending?.length) this.alerts.due(round, pending.map(alertSite));
  }

  private async chase(round: RoundRow): Promise<void> {
    const now = new Date();
    const chased = await this.dataSource.transaction(async (tx) => {
      if (!(await this.rows.claimStep(tx, round.id, CLAIM.due))) return null;
      const sites = await this.rows.targetsOfRound(round.id, ['pending'], tx);
      const leaders: Record<string, string | null> = {};
      for (const s of sites)
        leaders[s.site_id] = (await this.roster.leaderAt(s.site_id, now, tx))?.userId ?? null;
      await this.audit.append(
        {
          actorId: null,
          action: 'daily.round.overdue',
          subjectType: 'daily_report_round',
          subjectId: round.id,
          data: { date: round.date, pending: sites.map((s) => s.site_id), leaders },
        },
        tx,
      );
      return { sites, leaders };
    });
    if (!chased?.sites.length) return;
    this.alerts.overdue(
      round,
      chased.sites.map((s) => ({ ...alertSite(s), leaderId: chased.leaders[s.site_id] ?? null })),
    );
  }

  private async close(round: RoundRow): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      if (!(await this.rows.claimStep(tx, round.id, CLAIM.close))) return;
      // a round closed before it was chased (a hub down past the due time) is chased no more
      await this.rows.claimStep(tx, round.id, CLAIM.due);
      const missing = await this.rows.markMissing(tx, round.id);
      await this.audit.append(
        {
          actorId: null,
          action: 'daily.round.close',
          subjectType: 'daily_report_round',
          subjectId: round.id,
          data: {
            date: round.date,
            missing,
            ...(round.drill ? { drill: true } : {}),
            ...(round.drill_id ? { drillId: round.drill_id } : {}),
          },
        },
        tx,
      );
    });
  }
}

const alertSite = (t: { site_id: string; site_name: string; parent_id: string | null }): AlertSite => ({
  siteId: t.site_id,
  siteName: t.site_name,
  parentId: t.parent_id,
});
