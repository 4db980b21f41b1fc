import type { DataSource } from 'typeorm';
import type { ClaimedRow, OutboxRead, OutboxRow, SendQueueOutbox } from './send-queue-outbox.js';

/**
 * How long a bridge's claim on replaying a terminal keeps the other bridges off it. Every
 * bridge hears the same `online` within moments (seconds in a reconnect storm); a device
 * that drops and comes back inside the window is covered by the resend sweep instead.
 */
const REPLAY_CLAIM_SECONDS = 5;
/**
 * After a replay claim, the straggler sweep stays off the terminal this long beyond the
 * replay's follow-up (which reads the queued rows again): the replaying bridge marks rows
 * `sent` ~0.5 s after publishing them; the rest is room for load.
 */
const REPLAY_SWEEP_GRACE_SECONDS = 5;

const READ_STATES: Record<OutboxRead, string> = {
  replay: `'queued', 'sent', 'received'`,
  unconfirmed: `'queued', 'sent'`,
  fresh: `'queued'`,
};

const CLAIMED_COLUMNS = `m.id, m.terminal_id, m.topic, m.payload, m.expires_at, m.seq`;

/** An outbox message the expiry sweep marked `expired`. */
export interface ExpiredRow {
  id: string;
  terminal_id: string;
  directive_id: string;
}

/**
 * Every statement TerminalDelivery runs on the terminal outbox (`terminal_messages`) and
 * the terminals' replay claims. The sweeps' UPDATEs are claims: on PostgreSQL one bridge
 * wins each row, so every bridge may run them.
 */
export class DeliveryStore implements SendQueueOutbox {
  constructor(
    private readonly db: DataSource,
    /** TERMINAL_REPLAY_FOLLOW_UP_SECONDS */
    private readonly followUpSeconds: number,
  ) {}

  /** the terminals with queued messages of this directive */
  async queuedTerminals(directiveId: string): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT DISTINCT terminal_id FROM terminal_messages WHERE directive_id = $1 AND state = 'queued'`,
      [directiveId],
    )) as { terminal_id: string }[];
    return rows.map((r) => r.terminal_id);
  }

  /**
   * Claims queued messages of online terminals older than 3 s (a lost outbox notice) by
   * marking them `sent`, except `held` (this process is sending them) and those of a
   * terminal a bridge took on replaying lately (its follow-up + REPLAY_SWEEP_GRACE_SECONDS): that
   * bridge reads the queued rows and marks them `sent` only after publishing, so another
   * bridge's sweep in between would send each a second time (`held` covers this process
   * only).
   */
  async claimStragglers(held: string[]): Promise<ClaimedRow[]> {
    const [rows] = (await this.db.query(
      // send_count stays: the send itself counts it (markSent)
      `UPDATE terminal_messages m SET state = 'sent', sent_at = now()
       FROM terminals t
       WHERE t.id = m.terminal_id AND t.presence = 'online' AND t.revoked_at IS NULL
         AND (t.replay_claimed_at IS NULL
              OR t.replay_claimed_at < now() - make_interval(secs => $2))
         AND m.state = 'queued' AND m.created_at < now() - interval '3 seconds'
         AND (m.expires_at IS NULL OR m.expires_at > now())
         AND m.id <> ALL($1::uuid[])
       RETURNING ${CLAIMED_COLUMNS}`,
      [held, this.followUpSeconds + REPLAY_SWEEP_GRACE_SECONDS],
    )) as [ClaimedRow[], number];
    return rows;
  }

  /**
   * Claims messages of online terminals sent and never confirmed `received`, due again
   * `afterSeconds` × their sends so far, below `maxSends`.
   */
  async claimUnconfirmed(afterSeconds: number, maxSends: number): Promise<ClaimedRow[]> {
    const [rows] = (await this.db.query(
      `UPDATE terminal_messages m SET sent_at = now()
       FROM terminals t
       WHERE t.id = m.terminal_id AND t.presence = 'online' AND t.revoked_at IS NULL
         AND m.state = 'sent' AND m.send_count < $2
         -- at least one interval: a straggler claimed a moment ago is sent, not yet counted
         AND m.sent_at < now() - make_interval(secs => $1 * greatest(m.send_count, 1))
         AND (m.expires_at IS NULL OR m.expires_at > now())
       RETURNING ${CLAIMED_COLUMNS}`,
      [afterSeconds, maxSends],
    )) as [ClaimedRow[], number];
    return rows;
  }

  /**
   * Takes on replaying these terminals, unless another bridge did moments ago. One
   * statement: on PostgreSQL a second bridge's update waits for the first's row lock and
   * then finds the claim fresh.
   */
  async claimReplays(terminalIds: string[]): Promise<Set<string>> {
    const [rows] = (await this.db.query(
      `UPDATE terminals SET replay_claimed_at = clock_timestamp()
       WHERE id = ANY($1::text[])
         AND (replay_claimed_at IS NULL OR replay_claimed_at < clock_timestamp() - make_interval(secs => $2))
       RETURNING id`,
      [terminalIds, REPLAY_CLAIM_SECONDS],
    )) as [{ id: string }[], number];
    return new Set(rows.map((r) => r.id));
  }

  /** voids every replay claim (the broker link was down) */
  async clearReplayClaims(): Promise<void> {
    await this.db.query(`UPDATE terminals SET replay_claimed_at = NULL WHERE replay_claimed_at IS NOT NULL`);
  }

  async read(which: OutboxRead, terminalIds: string[]): Promise<OutboxRow[]> {
    return (await this.db.query(
      `SELECT id, terminal_id, topic, payload, expires_at FROM terminal_messages
       WHERE terminal_id = ANY($1::text[]) AND state IN (${READ_STATES[which]})
         AND (expires_at IS NULL OR expires_at > now())
       ORDER BY terminal_id, seq`,
      [terminalIds],
    )) as OutboxRow[];
  }

  /** counts a send of each; a queued one becomes `sent` (what was acked meanwhile stays as it is) */
  async markSent(ids: string[]): Promise<void> {
    await this.db.query(
      `UPDATE terminal_messages SET send_count = send_count + 1, sent_at = coalesce(sent_at, now()),
         state = CASE WHEN state = 'queued' THEN 'sent'::terminal_message_state ELSE state END
       WHERE id = ANY($1::uuid[]) AND state IN ('queued', 'sent')`,
      [ids],
    );
  }

  /** marks unacknowledged messages past their expiry `expired` */
  async expire(): Promise<ExpiredRow[]> {
    const [rows] = (await this.db.query(
      `UPDATE terminal_messages SET state = 'expired', expired_at = now()
       WHERE state IN ('queued', 'sent', 'received') AND expires_at <= now()
       RETURNING id, terminal_id, directive_id`,
    )) as [ExpiredRow[], number];
    return rows;
  }
}
