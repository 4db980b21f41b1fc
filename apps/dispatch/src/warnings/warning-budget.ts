import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '#domain';
import { AppConfig, CounterStore, DomainError } from '#platform';

const WINDOW_SECONDS = 60;

/**
 * Drafts and imports per user per minute (WARNING_DRAFTS_PER_MINUTE): each takes an
 * identifier and a row, and an import parses up to 256 KiB of XML. Counted first and
 * compared after, like the directive send budget (Redis in a cluster: one budget for all).
 */
@Injectable()
export class WarningBudget {
  constructor(
    private readonly counters: CounterStore,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async take(actor: Actor): Promise<void> {
    const limit = this.config.raw.WARNING_DRAFTS_PER_MINUTE;
    const { count, ttlSeconds } = await this.counters.hit(`warning-draft:${actor.userId}`, WINDOW_SECONDS);
    if (count > limit)
      throw new DomainError(
        'rate_limited',
        `too many warnings drafted or imported: at most ${limit} a minute per user (WARNING_DRAFTS_PER_MINUTE); try again in ${Math.max(ttlSeconds, 1)} s`,
        undefined,
        Math.max(ttlSeconds, 1),
      );
  }
}
