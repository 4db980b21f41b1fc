import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { TerminalDirectiveMessage, TerminalNoticeMessage } from '#contracts';
import { EventBus } from '#platform';
import { PROCESS_ORIGIN, TERMINALS_OUTBOX, type TerminalsOutboxNotice } from './terminal-events.js';

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

export interface TerminalNoticeInput {
  directiveId: string;
  serial: string;
  kind: 'update' | 'cancel';
  text: string;
  at: Date;
}

/** A queued row, as the bridge sends it. */
export interface TerminalMessageRow {
  id: string;
  terminal_id: string;
  topic: 'directives' | 'notices';
  payload: TerminalDirectiveMessage | TerminalNoticeMessage;
  expires_at: Date | null;
}

/**
 * The per-terminal outbox (terminal_messages). A message is on disk before the broker
 * sees it; replay after any outage reads from here, never from the broker's queue.
 * Rows are unique per (terminal, source): `sourceId` is the delivery job's messageId, so a
 * retried job adds nothing while an escalation re-delivery (a new messageId) reaches the
 * terminal again.
 */
@Injectable()
export class TerminalOutbox {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EventBus) private readonly bus: EventBus,
  ) {}

  /**
   * Queues the directive for every live terminal in the sites. Pass the transaction that
   * records the directive so both commit together; call notify() after it commits.
   */
  async enqueue(
    input: TerminalDirectiveInput,
    siteIds: string[],
    options: { tx?: EntityManager; kind?: 'push' | 'radio'; sourceId?: string } = {},
  ): Promise<TerminalMessageRow[]> {
    const manager = options.tx ?? this.dataSource.manager;
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
       INSERT INTO terminal_messages (id, terminal_id, directive_id, source_id, topic, payload, expires_at)
       SELECT message_id, terminal_id, $1, $6, 'directives', jsonb_build_object('messageId', message_id) || $3::jsonb, $4
       FROM targets ORDER BY terminal_id
       ON CONFLICT (terminal_id, source_id) DO NOTHING
       RETURNING id, terminal_id, topic, payload, expires_at`,
      [
        input.directiveId,
        siteIds,
        JSON.stringify(base),
        input.expiresAt,
        options.kind ?? null,
        options.sourceId ?? input.directiveId,
      ],
    )) as TerminalMessageRow[];
    return result;
  }

  /**
   * Queues an update or a cancellation for every terminal that was sent the directive
   * (of the given kind). A cancellation also withdraws the directive's messages not yet
   * acknowledged, so they are never replayed (they end as `expired`).
   */
  async enqueueNotice(
    input: TerminalNoticeInput,
    sourceId: string,
    kind: 'push' | 'radio',
  ): Promise<TerminalMessageRow[]> {
    return this.dataSource.transaction(async (tx) => {
      const base = {
        directiveId: input.directiveId,
        serial: input.serial,
        kind: input.kind,
        text: input.text,
        at: input.at.toISOString(),
      };
      const rows = (await tx.query(
        `WITH targets AS (
           SELECT DISTINCT m.terminal_id FROM terminal_messages m JOIN terminals t ON t.id = m.terminal_id
           WHERE m.directive_id = $1 AND m.topic = 'directives' AND t.kind = $4 AND t.revoked_at IS NULL),
         ids AS (SELECT terminal_id, gen_random_uuid() AS message_id FROM targets)
         INSERT INTO terminal_messages (id, terminal_id, directive_id, source_id, topic, payload)
         SELECT message_id, terminal_id, $1, $2, 'notices', jsonb_build_object('messageId', message_id) || $3::jsonb
         FROM ids ORDER BY terminal_id
         ON CONFLICT (terminal_id, source_id) DO NOTHING
         RETURNING id, terminal_id, topic, payload, expires_at`,
        [input.directiveId, sourceId, JSON.stringify(base), kind],
      )) as TerminalMessageRow[];
      if (input.kind === 'cancel') {
        await tx.query(
          `UPDATE terminal_messages m SET state = 'expired', expired_at = now()
           FROM terminals t
           WHERE t.id = m.terminal_id AND t.kind = $2 AND m.directive_id = $1 AND m.topic = 'directives'
             AND m.state IN ('queued', 'sent', 'received')`,
          [input.directiveId, kind],
        );
      }
      return rows;
    });
  }

  /**
   * Tells every bridge (other processes too) that rows are queued for this directive.
   * `handedLocally`: this process's bridge has the rows already (it skips the notice).
   */
  async notify(directiveId: string, handedLocally = false): Promise<void> {
    await this.bus.publish<TerminalsOutboxNotice>(TERMINALS_OUTBOX, {
      directiveId,
      ...(handedLocally ? { origin: PROCESS_ORIGIN } : {}),
    });
  }

  /** A fresh message id for callers that build their own directive ids (test calls). */
  static newDirectiveId(): string {
    return randomUUID();
  }
}
