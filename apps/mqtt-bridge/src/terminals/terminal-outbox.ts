import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TerminalDirectiveMessage } from '#contracts';
import { EventBus } from '#platform';
import { TERMINALS_OUTBOX, type TerminalsOutboxNotice } from './terminal-events.js';

/** What the terminal channel needs to know about a directive to put it on terminals. */
export interface TerminalDirectiveInput {
  directiveId: string;
  serial: string;
  title: string;
  body: string;
  level: string;
  issuedAt: Date;
  expiresAt: Date | null;
  drill: boolean;
}

export interface TerminalMessageRow {
  id: string;
  terminal_id: string;
  directive_id: string;
  payload: TerminalDirectiveMessage;
}

/**
 * The per-terminal outbox (terminal_messages). A message is on disk before the broker
 * sees it; replay after any outage reads from here, never from the broker's queue.
 */
@Injectable()
export class TerminalOutbox {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EventBus) private readonly bus: EventBus,
  ) {}

  /**
   * Queues the directive for every live terminal in the sites. Idempotent per
   * (terminal, directive): a retried delivery job adds nothing. Pass the transaction that
   * records the directive so both commit together; call notify() after it commits.
   */
  async enqueue(input: TerminalDirectiveInput, siteIds: string[], tx?: EntityManager, kind?: 'push' | 'radio'): Promise<number> {
    const manager = tx ?? this.dataSource.manager;
    const base = {
      directiveId: input.directiveId,
      serial: input.serial,
      title: input.title,
      body: input.body,
      level: input.level,
      issuedAt: input.issuedAt.toISOString(),
      expiresAt: input.expiresAt?.toISOString() ?? null,
      drill: input.drill,
    };
    const result = (await manager.query(
      `WITH targets AS (
         SELECT id AS terminal_id, gen_random_uuid() AS message_id FROM terminals
         WHERE site_id = ANY($2::uuid[]) AND revoked_at IS NULL AND ($5::terminal_kind IS NULL OR kind = $5))
       INSERT INTO terminal_messages (id, terminal_id, directive_id, payload, expires_at)
       SELECT message_id, terminal_id, $1, jsonb_build_object('messageId', message_id) || $3::jsonb, $4
       FROM targets ORDER BY terminal_id
       ON CONFLICT (terminal_id, directive_id) DO NOTHING
       RETURNING id`,
      [input.directiveId, siteIds, JSON.stringify(base), input.expiresAt, kind ?? null],
    )) as unknown[];
    return result.length;
  }

  async notify(directiveId: string): Promise<void> {
    await this.bus.publish<TerminalsOutboxNotice>(TERMINALS_OUTBOX, { directiveId });
  }

  /** A fresh message id for callers that build their own directive ids (test calls). */
  static newDirectiveId(): string {
    return randomUUID();
  }
}
