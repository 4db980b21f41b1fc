import type { DataSource } from 'typeorm';
import type { TerminalAck, TerminalMessageState } from '#contracts';
import type { Runtime } from '#platform';

/**
 * Moves each message forward (queued/sent → received → acknowledged, never back) if the
 * sender owns it. The same message may come twice in one statement (acks posted apart
 * are merged on the embedded engine's lane): each is taken at its highest state, as an
 * UPDATE … FROM with two source rows for one target would apply either one.
 */
export const RECORD_ACKS_SQL = `
  UPDATE terminal_messages m SET
    state = v.state::terminal_message_state,
    -- the device has it, so it was sent: the bridge's own \`sent\` mark may not be written yet
    sent_at = coalesce(m.sent_at, now()),
    send_count = greatest(m.send_count, 1),
    received_at = coalesce(m.received_at, now()),
    -- the row's own moment, not the transaction's start: in a batch of thousands the
    -- difference is the statement's run time (the benchmark reads this column)
    acknowledged_at = CASE WHEN v.state = 'acknowledged' THEN clock_timestamp() ELSE m.acknowledged_at END,
    acknowledged_device_at = CASE WHEN v.state = 'acknowledged' THEN v.at ELSE m.acknowledged_device_at END
  FROM (
    SELECT id, sender, CASE WHEN bool_or(state = 'acknowledged') THEN 'acknowledged' ELSE 'received' END AS state,
      max(at) AS at, max(grace) AS grace
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::int[]) AS u(id, sender, state, at, grace)
    GROUP BY id, sender
  ) v
  WHERE m.id = v.id AND m.terminal_id = v.sender
    AND ((m.state IN ('queued', 'sent', 'received') AND (m.state <> 'received' OR v.state = 'acknowledged'))
      -- a 签收 pressed (device time) before the expiry that reached the bridge after it, within
      -- the grace: the hub decides with the device's clock checked (lateDeviceAck, docs/directives.md).
      -- Only a message expired by time (expired_at >= expires_at), not one withdrawn by a cancel.
      OR (m.state = 'expired' AND v.state = 'acknowledged' AND m.expires_at IS NOT NULL
        AND m.expired_at >= m.expires_at AND v.at < m.expires_at
        AND now() <= m.expires_at + make_interval(secs => v.grace)))
  -- received_at = now(): set by this statement, so this is the message's first receipt
  RETURNING m.id, m.terminal_id, m.directive_id, m.topic, m.state, m.received_at = now() AS first_receipt,
    m.received_at, m.acknowledged_at, m.acknowledged_device_at`;

/**
 * One 签收 covers every message of its directive to that terminal (device protocol: "one
 * 签收 may cover all messages of a directiveId"): an escalation's re-send left `received`
 * was replayed on every reconnect, forever when the directive has no expiry. A statement
 * of its own, after the ack statement: folded into it, the planner joined every recorded
 * ack with every pending row (minutes for 10,000 acks); here the pending rows are hashed
 * once (~25 ms per 10,000 on PostgreSQL under load), and the ack statement, whose row
 * times the benchmark reads, is not held up.
 */
export const SETTLE_DIRECTIVE_SQL = `
  UPDATE terminal_messages s SET state = 'acknowledged',
    received_at = coalesce(s.received_at, a.acknowledged_at),
    acknowledged_at = a.acknowledged_at,
    acknowledged_device_at = a.device_at
  FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])
    AS a(terminal_id, directive_id, acknowledged_at, device_at)
  WHERE s.terminal_id = a.terminal_id AND s.directive_id = a.directive_id AND s.topic = 'directives'
    AND s.state IN ('queued', 'sent', 'received')`;

/** An ack to record: the highest state its sender asked for, and its device time. */
export interface AckToRecord {
  messageId: string;
  terminalId: string;
  state: TerminalAck['state'];
  /** the device's own time of its 签收 (`at` of the `acknowledged` ack); null for `received` */
  at: string | null;
}

/**
 * RECORD_ACKS_SQL's parameters for one ack, a column each; `lateGraceSeconds` is
 * TERMINAL_LATE_ACK_GRACE_SECONDS (the same for every row).
 */
export const ackColumns = (w: AckToRecord, lateGraceSeconds: number): unknown[] => [
  w.messageId,
  w.terminalId,
  w.state,
  w.at,
  lateGraceSeconds,
];

export interface RecordedAck {
  id: string;
  terminal_id: string;
  directive_id: string;
  topic: string;
  state: 'received' | 'acknowledged';
  first_receipt: boolean;
  received_at: Date;
  acknowledged_at: Date | null;
  acknowledged_device_at: Date | null;
}

/** A 签收 recorded on one message, to be applied to that directive's other messages to the terminal. */
export interface Settle {
  terminalId: string;
  directiveId: string;
  acknowledgedAt: Date;
  deviceAt: Date | null;
}

/**
 * The statements DeviceIngest runs on the terminal outbox (`terminal_messages`) when
 * devices ack. Presence is PresenceOwnership's.
 */
export class AckStore {
  constructor(
    private readonly db: DataSource,
    /** the embedded engine's own thread, when it is the database */
    private readonly lane: Runtime['lane'],
    /** TERMINAL_LATE_ACK_GRACE_SECONDS */
    private readonly lateGraceSeconds: number,
  ) {}

  /** One UPDATE for the batch: the acks it moved forward. */
  async recordAcks(list: AckToRecord[]): Promise<RecordedAck[]> {
    const [updated] = (await this.db.query(RECORD_ACKS_SQL, [
      list.map((w) => w.messageId),
      list.map((w) => w.terminalId),
      list.map((w) => w.state),
      list.map((w) => w.at),
      list.map(() => this.lateGraceSeconds),
    ])) as [RecordedAck[], number];
    return updated;
  }

  /** applies each 签收 to the other messages of its directive to that terminal */
  async settleDirectives(items: Settle[]): Promise<void> {
    const columns = [
      items.map((i) => i.terminalId),
      items.map((i) => i.directiveId),
      items.map((i) => i.acknowledgedAt.toISOString()),
      items.map((i) => i.deviceAt?.toISOString() ?? null),
    ];
    // on the embedded engine's own thread, beside the ack statements (no socket round trip)
    if (this.lane) await this.lane.query(SETTLE_DIRECTIVE_SQL, columns);
    else await this.db.query(SETTLE_DIRECTIVE_SQL, columns);
  }

  /** the messages' terminals and states (to tell an ack that moved nothing apart) */
  async messages(ids: string[]): Promise<{ id: string; terminal_id: string; state: TerminalMessageState }[]> {
    return (await this.db.query(
      `SELECT id, terminal_id, state FROM terminal_messages WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; terminal_id: string; state: TerminalMessageState }[];
  }
}
