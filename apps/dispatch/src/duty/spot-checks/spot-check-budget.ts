import { Injectable } from '@nestjs/common';
import type { Actor } from '#domain';
import { CounterStore, DomainError } from '#platform';

const WINDOW_SECONDS = 60;
/**
 * Checks a person may start per minute. Each one rings a full-screen alarm in every duty
 * room it samples (up to 10,000); a county runs a handful a day. Schedules are not counted.
 */
export const SPOT_CHECKS_PER_MINUTE = 10;

/** Counted with `hit` first, compared after (as SendBudget): parallel requests cannot all pass. */
@Injectable()
export class SpotCheckBudget {
  constructor(private readonly counters: CounterStore) {}

  async take(actor: Actor): Promise<void> {
    const { count, ttlSeconds } = await this.counters.hit(`spot-check-start:${actor.userId}`, WINDOW_SECONDS);
    if (count > SPOT_CHECKS_PER_MINUTE) {
      const wait = Math.max(ttlSeconds, 1);
      throw new DomainError(
        'rate_limited',
        `too many spot checks started: at most ${SPOT_CHECKS_PER_MINUTE} a minute per user; try again in ${wait} s`,
        undefined,
        wait,
      );
    }
  }
}
