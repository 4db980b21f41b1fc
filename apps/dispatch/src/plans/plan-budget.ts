import { Injectable } from '@nestjs/common';
import { PLAN_WRITES_PER_MINUTE, RESPONSE_WRITES_PER_MINUTE, type Actor } from '#domain';
import { CounterStore, DomainError } from '#platform';

const WINDOW_SECONDS = 60;

/**
 * Plan versions written, and responses started, changed or ended, per user per minute:
 * both are rare, deliberate acts, so a fixed bound is enough. Counted after validation in
 * the shared counter store (Redis in a cluster). The directives a response issues also
 * count against DIRECTIVE_SENDS_PER_MINUTE.
 */
@Injectable()
export class PlanBudget {
  constructor(private readonly counters: CounterStore) {}

  take(actor: Actor, what: 'plan' | 'response'): Promise<void> {
    return what === 'plan'
      ? this.hit(`plan-write:${actor.userId}`, PLAN_WRITES_PER_MINUTE, 'plan versions written')
      : this.hit(
          `response-write:${actor.userId}`,
          RESPONSE_WRITES_PER_MINUTE,
          'responses started, changed or ended',
        );
  }

  private async hit(key: string, limit: number, what: string): Promise<void> {
    const { count, ttlSeconds } = await this.counters.hit(key, WINDOW_SECONDS);
    if (count > limit)
      throw new DomainError(
        'rate_limited',
        `too many ${what}: at most ${limit} a minute per user; try again in ${Math.max(ttlSeconds, 1)} s`,
        undefined,
        Math.max(ttlSeconds, 1),
      );
  }
}
