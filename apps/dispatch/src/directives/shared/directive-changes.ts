import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditStore, type AuditInput } from '#persistence';
import { DirectiveEventsRepository, type DirectiveEvent } from './directive-events.repository.js';
import { OutboxRepository, type OutboxJob } from './outbox.repository.js';

/** What one change of a directive leaves behind, besides its own rows. */
export interface DirectiveChange {
  /** history rows (`directive_events`) */
  events?: DirectiveEvent[];
  /** jobs the change causes (deliveries, notices, escalation timers), relayed after commit */
  jobs?: OutboxJob[];
  /** audit entries (the keyed, chained audit log) */
  audit?: AuditInput[];
}

/**
 * The one way the directive family records a change: history rows, outbox jobs and audit
 * entries, written in the caller's transaction so they commit or roll back with the change
 * itself. Use it as
 *
 *     await this.dataSource.transaction(async (tx) => {
 *       ...change the directive or recipient rows...
 *       await this.changes.record(tx, { events, jobs, audit });
 *     });
 *     if (jobs.length) this.outbox.kick(); // relay now instead of at the next poll
 *
 * The audit entries go last: appending takes the audit chain's global lock, so it is held
 * for the shortest time and always after the row locks (two batches cannot deadlock).
 */
@Injectable()
export class DirectiveChanges {
  constructor(
    private readonly events: DirectiveEventsRepository,
    private readonly outbox: OutboxRepository,
    private readonly audit: AuditStore,
  ) {}

  async record(tx: EntityManager, change: DirectiveChange): Promise<void> {
    if (change.events?.length) await this.events.insert(tx, change.events);
    if (change.jobs?.length) await this.outbox.insert(tx, change.jobs);
    if (change.audit?.length) await this.audit.appendMany(change.audit, tx);
  }
}
