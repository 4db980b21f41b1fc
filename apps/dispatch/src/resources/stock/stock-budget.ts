import { Injectable } from '@nestjs/common';
import { STOCK_WRITES_PER_MINUTE, type Actor } from '#domain';
import { CounterStore, DomainError } from '#platform';

const WINDOW_SECONDS = 60;

/**
 * Stock and expert writes per user per minute (a depot, an item, a dispatch, an expert, an
 * invitation, one whole import): people type these, so a fixed bound is enough. Counted in
 * the shared counter store (Redis in a cluster: one budget for all instances).
 */
@Injectable()
export class StockBudget {
  constructor(private readonly counters: CounterStore) {}

  async take(actor: Actor): Promise<void> {
    const { count, ttlSeconds } = await this.counters.hit(`stock-write:${actor.userId}`, WINDOW_SECONDS);
    if (count > STOCK_WRITES_PER_MINUTE)
      throw new DomainError(
        'rate_limited',
        `too many stock or expert changes: at most ${STOCK_WRITES_PER_MINUTE} a minute per user; try again in ${Math.max(ttlSeconds, 1)} s`,
        undefined,
        Math.max(ttlSeconds, 1),
      );
  }
}
