import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  MAX_DEVICE_PAYLOAD_BYTES,
  TerminalAckSchema,
  TerminalTelemetrySchema,
  type TerminalAck,
  type TerminalMessageState,
  type TerminalTelemetry,
} from '#contracts';
import { parseDeviceTopic } from '#domain';
import { LOGGER, RUNTIME, type Runtime } from '#platform';
import type { PresenceEvent } from '../broker/broker-link.js';
import { TerminalReceiptSink, type TerminalReceipt } from '../terminals/terminal-receipts.js';
import { Batcher } from './batcher.js';
import { trace, traceCount } from './fanout-trace.js';
import { BridgeMetrics, type RejectReason } from './bridge-metrics.js';
import { TerminalDelivery } from './terminal-delivery.js';
import { TerminalRegistry } from './terminal-registry.js';

/** The highest state a sender asked for on one message, until its batch is recorded. */
interface PendingAck {
  messageId: string;
  terminalId: string;
  state: TerminalAck['state'];
}

interface PresenceUpdate {
  terminalId: string;
  presence: 'online' | 'offline';
  telemetry?: TerminalTelemetry;
}

/** acks recorded by one UPDATE at most */
const ACKS_PER_STATEMENT = 5000;

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
    acknowledged_at = CASE WHEN v.state = 'acknowledged' THEN clock_timestamp() ELSE m.acknowledged_at END
  FROM (
    SELECT id, sender, CASE WHEN bool_or(state = 'acknowledged') THEN 'acknowledged' ELSE 'received' END AS state
    FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, sender, state)
    GROUP BY id, sender
  ) v
  WHERE m.id = v.id AND m.terminal_id = v.sender AND m.state IN ('queued', 'sent', 'received')
    AND (m.state <> 'received' OR v.state = 'acknowledged')
  -- received_at = now(): set by this statement, so this is the message's first receipt
  RETURNING m.id, m.terminal_id, m.directive_id, m.topic, m.state, m.received_at = now() AS first_receipt,
    m.received_at, m.acknowledged_at`;

interface RecordedAck {
  id: string;
  terminal_id: string;
  directive_id: string;
  topic: string;
  state: 'received' | 'acknowledged';
  first_receipt: boolean;
  received_at: Date;
  acknowledged_at: Date | null;
}

const ackKey = (w: { messageId: string; terminalId: string }) => `${w.messageId}/${w.terminalId}`;

const RANK: Record<TerminalMessageState, number> = {
  queued: 0,
  sent: 1,
  received: 2,
  acknowledged: 3,
  expired: 4,
};

/**
 * Everything devices publish: acks and status. Each message is checked (size, JSON,
 * schema, that the messageId exists and belongs to the publishing terminal) before it
 * changes anything; what fails is counted by reason and dropped. The connection stays:
 * the broker already accepted the PUBLISH, and 3.1.1 has no negative PUBACK.
 */
@Injectable()
export class DeviceIngest implements OnModuleDestroy {
  /**
   * Acks on their way to the database: on the embedded engine's own thread (its lane),
   * else in group commits here. Both record with RECORD_ACKS_SQL and end in acksRecorded.
   */
  private readonly acks: { add(item: PendingAck): void; drain(): Promise<void> };
  /**
   * Acks not yet taken into a statement, by message and sender: a `received` followed by
   * `acknowledged` (a device's usual pair) is one entry, moved forward in place.
   */
  private readonly pendingAcks = new Map<string, PendingAck>();
  private readonly presence: Batcher<PresenceUpdate>;
  /**
   * Receipts of recorded acks, reported in the order recorded but not awaited by the ack
   * batches: a report is a few statements of its own (the directive looked up, a job per
   * site), each a round trip through an event loop that a fan-out keeps busy (up to a
   * second each, measured). Awaited, they held back every ack batch behind them.
   */
  private readonly receiptQueue: Batcher<TerminalReceipt>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: TerminalRegistry,
    private readonly delivery: TerminalDelivery,
    private readonly receipts: TerminalReceiptSink,
    private readonly metrics: BridgeMetrics,
    @Inject(RUNTIME) runtime: Runtime,
  ) {
    const failed = (err: unknown, items: PendingAck[]) =>
      this.logger.error(
        { err, count: items.length },
        'recording device acks failed; devices re-send on reconnect',
      );
    this.acks = runtime.lane
      ? runtime.lane.batch<PendingAck, RecordedAck>({
          name: 'device-acks',
          sql: RECORD_ACKS_SQL,
          max: ACKS_PER_STATEMENT,
          // read as it is posted: from here on, a later ack for the message is a new item
          columns: (w) => {
            this.pendingAcks.delete(ackKey(w));
            return [w.messageId, w.terminalId, w.state];
          },
          done: (rows, items) => this.acksRecorded(rows, items),
          failed,
        })
      : new Batcher((items) => this.recordAcks(items), { delayMs: 10, max: ACKS_PER_STATEMENT }, failed);
    this.receiptQueue = new Batcher(
      (items) => this.receipts.report(items),
      { delayMs: 10, max: 5000 },
      (err, items) =>
        this.logger.error({ err, count: items.length }, 'reporting terminal receipts to directives failed'),
    );
    this.presence = new Batcher(
      (items) => this.recordPresence(items),
      { delayMs: 100, max: 2000 },
      (err) => this.logger.error({ err }, 'recording terminal presence failed'),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.settle();
  }

  /** drains pending writes (acks, then their receipts, then presence); for shutdown and tests */
  async settle(): Promise<void> {
    await this.acks.drain();
    await this.receiptQueue.drain();
    await this.presence.drain();
  }

  private reject(reason: RejectReason, terminalId: string | null, detail?: string): void {
    this.metrics.reject(reason);
    this.logger.debug({ reason, terminalId, detail }, 'device input rejected');
  }

  /** from the broker: a device went on or off line (embedded broker only) */
  connection(terminalId: string, event: PresenceEvent): void {
    if (!this.registry.isLive(terminalId)) return;
    if (event === 'subscribed') return this.delivery.setOnline(terminalId, true);
    const online = event === 'connected';
    this.delivery.setOnline(terminalId, online, false);
    this.presence.add({ terminalId, presence: online ? 'online' : 'offline' });
  }

  message(topic: string, payload: Buffer): void {
    const parsed = parseDeviceTopic(topic);
    if (!parsed || !this.registry.isLive(parsed.terminalId))
      return this.reject('topic_denied', null, topic.slice(0, 200));
    const { terminalId, leaf } = parsed;
    this.metrics.taken.inc(leaf);
    if (payload.length > MAX_DEVICE_PAYLOAD_BYTES) return this.reject('too_large', terminalId);
    if (leaf === 'status') return this.status(terminalId, payload);
    if (leaf === 'acks') return this.ack(terminalId, payload);
  }

  private status(terminalId: string, payload: Buffer): void {
    if (payload.length === 0) return; // a retained status being cleared
    const text = payload.toString('utf8').trim();
    if (text === 'online' || text === 'offline') {
      this.delivery.setOnline(terminalId, text === 'online');
      this.presence.add({ terminalId, presence: text });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.reject('invalid_status', terminalId);
    }
    const result = TerminalTelemetrySchema.safeParse(json);
    if (!result.success || typeof json !== 'object' || json === null || Array.isArray(json)) {
      return this.reject('invalid_status', terminalId);
    }
    this.delivery.setOnline(terminalId, true);
    this.presence.add({ terminalId, presence: 'online', telemetry: result.data });
  }

  private ack(terminalId: string, payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.reject('malformed_json', terminalId);
    }
    const result = TerminalAckSchema.safeParse(json);
    if (!result.success) return this.reject('invalid_schema', terminalId);
    const { messageId, state } = result.data;
    traceCount('acks.read', 2000);
    this.delivery.confirmed(terminalId, messageId);
    const key = ackKey({ messageId, terminalId });
    const pending = this.pendingAcks.get(key);
    if (pending) {
      if (RANK[state] > RANK[pending.state]) pending.state = state;
      return;
    }
    const item = { messageId, terminalId, state };
    this.pendingAcks.set(key, item);
    this.acks.add(item);
  }

  /**
   * One UPDATE per batch (RECORD_ACKS_SQL); 10,000 devices acking at once cost a handful
   * of statements. Only acks it did not move are read again (acksRecorded).
   */
  private async recordAcks(list: PendingAck[]): Promise<void> {
    // from here on, a later ack for the same message goes into the next batch
    for (const w of list) this.pendingAcks.delete(ackKey(w));
    trace('acks.statement', { n: list.length });
    const [updated] = (await this.dataSource.query(RECORD_ACKS_SQL, [
      list.map((w) => w.messageId),
      list.map((w) => w.terminalId),
      list.map((w) => w.state),
    ])) as [RecordedAck[], number];
    await this.acksRecorded(updated, list);
  }

  /**
   * Counts what a statement moved and reports receipts to the directives; the acks it did
   * not move are read again, to tell a repeat from an unknown, foreign or expired message:
   * in a fan-out that read is empty. (A single statement reading every row's state before
   * updating it cost ~60% more.)
   */
  private async acksRecorded(updated: RecordedAck[], list: PendingAck[]): Promise<void> {
    trace('acks.recorded', { n: list.length, moved: updated.length });
    const moved = new Set<string>();
    const receipts: TerminalReceipt[] = [];
    for (const r of updated) {
      moved.add(`${r.id}/${r.terminal_id}`);
      this.metrics.acks.inc(r.state);
      // an ack of an update or cancellation notice is recorded on the message only: it is not 签收 of the directive
      if (r.topic !== 'directives') continue;
      const base = {
        directiveId: r.directive_id,
        terminalId: r.terminal_id,
        siteId: this.registry.siteOf(r.terminal_id) ?? '',
        messageId: r.id,
      };
      if (r.first_receipt) receipts.push({ ...base, state: 'delivered', at: r.received_at.toISOString() });
      if (r.state === 'acknowledged')
        receipts.push({ ...base, state: 'acknowledged', at: r.acknowledged_at!.toISOString() });
    }
    const rest = list.filter((w) => !moved.has(ackKey(w)));
    for (const receipt of receipts) this.receiptQueue.add(receipt);
    if (rest.length) await this.classify(rest);
  }

  /** Acks that changed nothing: a repeat (fine), or one to reject with its reason. */
  private async classify(rest: { messageId: string; terminalId: string }[]): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT id, terminal_id, state FROM terminal_messages WHERE id = ANY($1::uuid[])`,
      [[...new Set(rest.map((w) => w.messageId))]],
    )) as { id: string; terminal_id: string; state: TerminalMessageState }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const w of rest) {
      const row = byId.get(w.messageId);
      if (!row) this.reject('unknown_message', w.terminalId, w.messageId);
      else if (row.terminal_id !== w.terminalId) this.reject('foreign_message', w.terminalId, w.messageId);
      else if (row.state === 'expired') this.reject('expired_message', w.terminalId, w.messageId);
      // otherwise a repeat, or already further along: nothing new
    }
  }

  private async recordPresence(items: PresenceUpdate[]): Promise<void> {
    const last = new Map<string, PresenceUpdate>();
    for (const item of items) {
      const prev = last.get(item.terminalId);
      last.set(item.terminalId, { ...item, telemetry: item.telemetry ?? prev?.telemetry });
    }
    const list = [...last.values()];
    await this.dataSource.query(
      `UPDATE terminals t SET presence = v.presence, last_seen_at = now(),
         telemetry = coalesce(v.telemetry::jsonb, t.telemetry),
         -- gone: its next \`online\` is a new connection, for a bridge to replay (see TerminalDelivery)
         replay_claimed_at = CASE WHEN v.presence = 'offline' THEN NULL ELSE t.replay_claimed_at END
       FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, presence, telemetry)
       WHERE t.id = v.id AND t.revoked_at IS NULL`,
      [
        list.map((i) => i.terminalId),
        list.map((i) => i.presence),
        list.map((i) => (i.telemetry ? JSON.stringify(i.telemetry) : null)),
      ],
    );
  }
}
