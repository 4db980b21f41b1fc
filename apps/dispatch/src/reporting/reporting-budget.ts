import { Injectable } from '@nestjs/common';
import type { Actor } from '#domain';
import { CounterStore, DomainError } from '#platform';

const WINDOW_SECONDS = 60;
/**
 * Incidents, reports and external registrations a person may write per minute. A township
 * in a disaster writes a report every few minutes; a script gone wrong is stopped here
 * before it fills the append-only tables (nothing written can be deleted).
 */
export const REPORTING_WRITES_PER_MINUTE = 120;

/** Counted with `hit` first, compared after (as SpotCheckBudget): parallel requests cannot all pass. */
@Injectable()
export class ReportingBudget {
  constructor(private readonly counters: CounterStore) {}

  async take(actor: Actor): Promise<void> {
    const { count, ttlSeconds } = await this.counters.hit(`reporting-write:${actor.userId}`, WINDOW_SECONDS);
    if (count > REPORTING_WRITES_PER_MINUTE) {
      const wait = Math.max(ttlSeconds, 1);
      throw new DomainError(
        'rate_limited',
        `too many reports written: at most ${REPORTING_WRITES_PER_MINUTE} a minute per user; try again in ${wait} s`,
        undefined,
        wait,
      );
    }
  }
}
