import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StatementLane } from '#persistence';

/** Anything that runs a statement: the DataSource's manager, or an open transaction. */
type Queryable = Pick<EntityManager, 'query'>;

/** A queued row, as the bridge sends it. */
export interface TerminalMessageRow {
  id: string;
  terminal_id: string;
  topic: 'directives' | 'notices';
  /** the message as JSON text, exactly as the device receives it */
  payload: string;
  expires_at: Date | null;
}

/** A directive message row just added: which terminal it is for. */
export interface InsertedMessage {
  id: string;
  terminal_id: string;
}

/** What every row of one directive's chunk shares. */
export interface DirectiveMessageShared {
  directiveId: string;
  /** one row per (terminal, source) */
  sourceId: string;
  /** the payload's JSON after its opening brace and before it, the row's messageId */
  payloadTail: string;
  expiresAt: string | null;
}

/** $1 message ids, $2 terminal ids; $3 directive, $4 source, $5 the payload after its messageId, $6 expiry */
const INSERT_SQL = `
  INSERT INTO terminal_messages (id, terminal_id, directive_id, source_id, topic, payload, expires_at)
  SELECT v.id, v.terminal_id, $3, $4, 'directives', '{"messageId":"' || v.id || '",' || $5, $6
  FROM unnest($1::uuid[], $2::text[]) AS v(id, terminal_id)
  ON CONFLICT (terminal_id, source_id) DO NOTHING
  RETURNING id, terminal_id`;

/** `terminal_messages` as the outbox writes it: directives and notices queued per terminal. */
@Injectable()
export class TerminalOutboxRepository {
  /** Live (not revoked) terminals of the sites, of one kind or any, in id order. */
  async liveTerminals(db: Queryable, siteIds: string[], kind: 'push' | 'radio' | null): Promise<string[]> {
    const rows = (await db.query(
      `SELECT id FROM terminals
       WHERE site_id = ANY($1::uuid[]) AND revoked_at IS NULL AND ($2::terminal_kind IS NULL OR kind = $2)
       ORDER BY id`,
      [siteIds, kind],
    )) as { id: string }[];
    return rows.map((t) => t.id);
  }

  /**
   * One chunk of a directive's rows, a row per terminal (none where the terminal already
   * has this source). On the embedded engine's statement lane when given one.
   */
  insertDirectiveMessages(
    db: Queryable | StatementLane,
    messageIds: string[],
    terminalIds: string[],
    shared: DirectiveMessageShared,
  ): Promise<InsertedMessage[]> {
    const columns = [messageIds, terminalIds];
    const scalars = [shared.directiveId, shared.sourceId, shared.payloadTail, shared.expiresAt];
    return db instanceof StatementLane
      ? db.query<InsertedMessage>(INSERT_SQL, columns, scalars)
      : (db.query(INSERT_SQL, [...columns, ...scalars]) as Promise<InsertedMessage[]>);
  }

  /**
   * A notice (update or cancellation) for every live terminal of the kind that was sent
   * the directive, its messageId spliced into `notice`; none twice per (terminal, source).
   * `siteIds`: only terminals of these sites (an update's recipients when it was made: a
   * site added in the same change gets the directive as it now stands instead).
   */
  async insertNotices(
    tx: Queryable,
    directiveId: string,
    sourceId: string,
    notice: object,
    kind: 'push' | 'radio',
    siteIds: string[] | null = null,
  ): Promise<TerminalMessageRow[]> {
    return (await tx.query(
      `WITH targets AS (
         SELECT DISTINCT m.terminal_id FROM terminal_messages m JOIN terminals t ON t.id = m.terminal_id
         WHERE m.directive_id = $1 AND m.topic = 'directives' AND t.kind = $4 AND t.revoked_at IS NULL
           AND ($5::uuid[] IS NULL OR t.site_id = ANY($5::uuid[]))),
       ids AS (SELECT terminal_id, gen_random_uuid() AS message_id FROM targets)
       INSERT INTO terminal_messages (id, terminal_id, directive_id, source_id, topic, payload)
       SELECT message_id, terminal_id, $1, $2, 'notices', (jsonb_build_object('messageId', message_id) || $3::jsonb)::text
       FROM ids ORDER BY terminal_id
       ON CONFLICT (terminal_id, source_id) DO NOTHING
       RETURNING id, terminal_id, topic, payload, expires_at`,
      [directiveId, sourceId, JSON.stringify(notice), kind, siteIds],
    )) as TerminalMessageRow[];
  }

  /**
   * The directive's validity moved (a warning's update): its messages not yet expired get
   * the new expiry, in the column the bridge's expiry sweep reads and in the payload a
   * replay sends. Returns how many.
   */
  async moveExpiry(tx: Queryable, directiveId: string, expiresAt: string | null): Promise<number> {
    const [, n] = (await tx.query(
      `UPDATE terminal_messages SET expires_at = $2::timestamptz,
         payload = (payload::jsonb || jsonb_build_object('expiresAt', $3::text))::text
       WHERE directive_id = $1 AND topic = 'directives' AND state <> 'expired'`,
      [directiveId, expiresAt, expiresAt],
    )) as [unknown, number];
    return n;
  }

  /** The directive's messages to terminals of the kind not yet acknowledged end as `expired`. */
  async withdrawUnacknowledged(tx: Queryable, directiveId: string, kind: 'push' | 'radio'): Promise<void> {
    await tx.query(
      `UPDATE terminal_messages m SET state = 'expired', expired_at = now()
       FROM terminals t
       WHERE t.id = m.terminal_id AND t.kind = $2 AND m.directive_id = $1 AND m.topic = 'directives'
         AND m.state IN ('queued', 'sent', 'received')`,
      [directiveId, kind],
    );
  }
}
