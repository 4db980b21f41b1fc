import { Injectable } from '@nestjs/common';
import { DRILL_WRITES_PER_MINUTE, type Actor } from '#domain';
import { CounterStore, DomainError } from '#platform';

const WINDOW_SECONDS = 60;

/**
 * Drills created or ended per user per minute: a drill is a handful a year per site, so a
 * fixed bound is enough (no setting). Counted only for requests that passed validation,
 * in the shared counter store (Redis in a cluster: one budget for all instances).
 */
@Injectable()
export class DrillBudget {
  constructor(private readonly counters: CounterStore) {}

  async take(actor: Actor): Promise<void> {
    const { count, ttlSeconds } = await this.counters.hit(`drill-write:${actor.userId}`, WINDOW_SECONDS);
    if (count > DRILL_WRITES_PER_MINUTE)
      throw new DomainError(
        'rate_limited',
        `too many drills created or ended: at most ${DRILL_WRITES_PER_MINUTE} a minute per user; try again in ${Math.max(ttlSeconds, 1)} s`,
        undefined,
        Math.max(ttlSeconds, 1),
      );
  }
}
