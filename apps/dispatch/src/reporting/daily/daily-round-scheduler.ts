import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { automaticRound } from '#domain';
import { AppConfig, LOGGER } from '#platform';
import { DailyReportsRepository } from './daily-reports.repository.js';
import { DailyRoundsService } from './daily-rounds.service.js';

/**
 * Opens each day's round by itself (DAILY_REPORT_ROUNDS=auto): every instance ticks; from
 * DAILY_REPORT_OPEN_TIME until the due time (DAILY_REPORT_DUE_TIME, Asia/Shanghai) the
 * day's round is opened by whichever instance claims the date first (daily_report_auto_runs,
 * in the round's own transaction), so a cluster opens it once.
 */
@Injectable()
export class DailyRoundScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly rounds: DailyRoundsService,
    private readonly rows: DailyReportsRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.raw.DAILY_REPORT_ROUNDS !== 'auto') return;
    this.timer = setInterval(() => void this.tick(), this.config.raw.DAILY_REPORT_TICK_SECONDS * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
  }

  /** One pass; never overlaps itself. */
  tick(now = new Date()): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.openDue(now)
      .catch((err: unknown) => this.logger.error({ err }, 'daily reports: scheduler tick failed'))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async openDue(now: Date): Promise<void> {
    const { DAILY_REPORT_OPEN_TIME: open, DAILY_REPORT_DUE_TIME: due } = this.config.raw;
    const round = automaticRound(now, open, due);
    if (!round || (await this.rows.autoClaimed(round.date))) return;
    const opened = await this.rounds.openAutomatic(round.date, round.dueAt);
    if (opened)
      this.logger.info(
        { date: opened.date, sites: opened.sites.length },
        'daily reports: the day’s round opened',
      );
  }
}
