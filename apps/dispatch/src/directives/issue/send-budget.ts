import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '#domain';
import { AppConfig, CounterStore, DomainError } from '#platform';

const WINDOW_SECONDS = 60;

/**
 * Directives issued and re-sent per user per minute: each one sounds an alarm in every duty
 * room it reaches. Counted with `hit` first and compared after, so parallel requests cannot
 * all pass a check made before any of them counted (Redis in a cluster: one budget for all).
 */
@Injectable()
export class SendBudget {
  constructor(
    private readonly counters: CounterStore,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async take(actor: Actor): Promise<void> {
    const limit = this.config.raw.DIRECTIVE_SENDS_PER_MINUTE;
    const { count, ttlSeconds } = await this.counters.hit(`directive-send:${actor.userId}`, WINDOW_SECONDS);
    if (count > limit) {
      throw new DomainError(
        'rate_limited',
        `too many directives issued or re-sent: at most ${limit} a minute per user (DIRECTIVE_SENDS_PER_MINUTE); try again in ${Math.max(ttlSeconds, 1)} s`,
        undefined,
        Math.max(ttlSeconds, 1),
      );
    }
  }
}
