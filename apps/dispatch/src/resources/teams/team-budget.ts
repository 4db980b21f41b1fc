import { Injectable } from '@nestjs/common';
import { TEAM_WRITES_PER_MINUTE, type Actor } from '#domain';
import { CounterStore, DomainError } from '#platform';

const WINDOW_SECONDS = 60;

/**
 * Teams created, edited or imported per user per minute: a county keeps a few hundred teams
 * and edits them by hand, so a fixed bound is enough (no setting). Counted only for requests
 * that passed validation, in the shared counter store (Redis in a cluster). Alerts are
 * directives and spend the directive send budget instead.
 */
@Injectable()
export class TeamBudget {
  constructor(private readonly counters: CounterStore) {}

  async take(actor: Actor): Promise<void> {
    const { count, ttlSeconds } = await this.counters.hit(`team-write:${actor.userId}`, WINDOW_SECONDS);
    if (count > TEAM_WRITES_PER_MINUTE)
      throw new DomainError(
        'rate_limited',
        `too many team changes: at most ${TEAM_WRITES_PER_MINUTE} a minute per user; try again in ${Math.max(ttlSeconds, 1)} s`,
        undefined,
        Math.max(ttlSeconds, 1),
      );
  }
}
