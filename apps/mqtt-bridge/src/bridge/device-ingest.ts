import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  DEVICE_REPORTS_LEAF,
  MAX_DEVICE_PAYLOAD_BYTES,
  TerminalAckSchema,
  findUnstorableText,
  TerminalTelemetrySchema,
  type TerminalMessageState,
} from '#contracts';
import { parseDeviceTopic, storableDeviceTime } from '#domain';
import { LOGGER, RUNTIME, type Runtime } from '#platform';
import type { PresenceEvent } from '../broker/broker-link.js';
import { TerminalReceiptSink, textAckReports, type TerminalReceipt } from '#terminals';
import {
  AckStore,
  ackColumns,
  RECORD_ACKS_SQL,
  type AckToRecord,
  type RecordedAck,
  type Settle,
} from './ack-store.js';
import { isDatabaseUnavailable } from '#persistence';
import { Batcher, type BatcherRetry } from './batcher.js';
import { AppConfig, trace, traceCount } from '#platform';
import { BridgeMetrics, radioLeafLabel, type RejectReason } from './bridge-metrics.js';
import { PresenceOwnership } from './presence-ownership.js';
import { RadioIngest } from './radio-ingest.js';
import { ReportsIngest } from './reports-ingest.js';
import type { PresenceUpdate } from './presence-store.js';
import { TerminalDelivery } from './terminal-delivery.js';
import { TerminalRegistry } from './terminal-registry.js';

// the statement-lane test records acks with it
export { RECORD_ACKS_SQL } from './ack-store.js';

/** The highest state a sender asked for on one message, until its batch is recorded. */
type PendingAck = AckToRecord;

/** acks recorded by one UPDATE at most */
const ACKS_PER_STATEMENT = 5000;

/**
 * A device's 签收 and its `online` are said once: a device on a steady link does not say
 * them again. Dropped while the database restarted, a 签收 stayed unrecorded and a device
 * stayed `offline` (so nothing was sent to it) until it happened to reconnect; the chaos
 * harness found both. They wait and go again until the database answers.
 */
const WHILE_DATABASE_AWAY: BatcherRetry = {
  when: isDatabaseUnavailable,
  firstDelayMs: 250,
  maxDelayMs: 5000,
  maxWaiting: 100_000,
};

const ackKey = (w: { messageId: string; terminalId: string }) => `${w.messageId}/${w.terminalId}`;

const RANK: Record<TerminalMessageState, number> = {
  queued: 0,
  sent: 1,
  received: 2,
  acknowledged: 3,
  expired: 4,
};

/**
 * Everything devices publish: acks and status (radio gateways' radio/* go to RadioIngest). Each message is checked (size, JSON,
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
  /** 签收s to apply to the other messages of their directive (SETTLE_DIRECTIVE_SQL) */
  private readonly settles: Batcher<Settle>;
  private readonly store: AckStore;

  constructor(
    dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: TerminalRegistry,
    private readonly delivery: TerminalDelivery,
    private readonly receipts: TerminalReceiptSink,
    private readonly metrics: BridgeMetrics,
    @Inject(RUNTIME) runtime: Runtime,
    private readonly ownership: PresenceOwnership,
    private readonly radio: RadioIngest,
    private readonly reports: ReportsIngest,
    @Inject(AppConfig) config: AppConfig,
  ) {
    const lateGrace = config.raw.TERMINAL_LATE_ACK_GRACE_SECONDS;
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
            return ackColumns(w, lateGrace);
          },
          done: (rows, items) => this.acksRecorded(rows, items),
          failed,
        })
      : new Batcher(
          (items) => this.recordAcks(items),
          { delayMs: 10, max: ACKS_PER_STATEMENT },
          failed,
          WHILE_DATABASE_AWAY,
        );
    this.receiptQueue = new Batcher(
      (items) => this.receipts.report(items),
      { delayMs: 10, max: 5000 },
      (err, items) =>
        this.logger.error({ err, count: items.length }, 'reporting terminal receipts to directives failed'),
    );
    this.store = new AckStore(dataSource, runtime.lane, lateGrace);
    this.settles = new Batcher(
      (items) => this.store.settleDirectives(items),
      { delayMs: 50, max: 5000 },
      (err, items) =>
        this.logger.error(
          { err, count: items.length },
          'settling the other messages of acknowledged directives failed; they are replayed until acknowledged',
        ),
    );
    this.presence = new Batcher(
      (items) => this.recordPresence(items),
      { delayMs: 100, max: 2000 },
      (err) => this.logger.error({ err }, 'recording terminal presence failed'),
      WHILE_DATABASE_AWAY,
    );
  }

  async onModuleDestroy(): Promise<void> {
    for (const b of [this.acks, this.presence]) if (b instanceof Batcher) b.stopRetrying();
    await this.settle();
  }

  /** drains pending writes (acks, then their receipts, then presence); for shutdown and tests */
  async settle(): Promise<void> {
    await this.acks.drain();
    await this.receiptQueue.drain();
    await this.settles.drain();
    await this.presence.drain();
  }

  private reject(reason: RejectReason, terminalId: string | null, detail?: string): void {
    this.metrics.reject(reason);
    this.logger.debug({ reason, terminalId, detail }, 'device input rejected');
  }

  /** from the broker: a device went on or off line (embedded broker only) */
  connection(terminalId: string, event: PresenceEvent): void {
    if (!this.registry.isLive(terminalId)) return;
    if (event === 'subscribed') return this.delivery.subscribedToDirectives(terminalId);
    const online = event === 'connected';
    if (online) this.delivery.connected(terminalId);
    else this.delivery.setOnline(terminalId, false);
    this.presence.add({ terminalId, presence: online ? 'online' : 'offline' });
    this.radio.presence(terminalId, online);
  }

  message(topic: string, payload: Buffer): void {
    const parsed = parseDeviceTopic(topic);
    if (!parsed || !this.registry.isLive(parsed.terminalId))
      return this.reject('topic_denied', null, topic.slice(0, 200));
    const { terminalId, leaf } = parsed;
    this.metrics.taken.inc(leaf.startsWith('radio/') ? radioLeafLabel(leaf) : leaf);
    if (payload.length > MAX_DEVICE_PAYLOAD_BYTES) return this.reject('too_large', terminalId);
    if (leaf.startsWith('radio/'))
      return this.radio.message(terminalId, leaf.slice('radio/'.length), payload);
    if (leaf === 'status') return this.status(terminalId, payload);
    if (leaf === 'acks') return this.ack(terminalId, payload);
    if (leaf === DEVICE_REPORTS_LEAF) return this.reports.message(terminalId, payload);
  }

  private status(terminalId: string, payload: Buffer): void {
    if (payload.length === 0) return; // a retained status being cleared
    const text = payload.toString('utf8').trim();
    if (text === 'online' || text === 'offline') {
      this.delivery.setOnline(terminalId, text === 'online');
      this.presence.add({ terminalId, presence: text });
      this.radio.presence(terminalId, text === 'online');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.reject('invalid_status', terminalId);
    }
    // a "\u0000" in one device's telemetry failed the whole presence batch (jsonb refuses it)
    const unstorable = findUnstorableText(json);
    if (unstorable) return this.reject('invalid_text', terminalId, unstorable.path);
    const result = TerminalTelemetrySchema.safeParse(json);
    if (!result.success || typeof json !== 'object' || json === null || Array.isArray(json)) {
      return this.reject('invalid_status', terminalId);
    }
    this.delivery.setOnline(terminalId, true);
    this.presence.add({ terminalId, presence: 'online', telemetry: result.data });
    this.radio.presence(terminalId, true);
  }

  private ack(terminalId: string, payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.reject('malformed_json', terminalId);
    }
    const unstorable = findUnstorableText(json);
    if (unstorable) return this.reject('invalid_text', terminalId, unstorable.path);
    const result = TerminalAckSchema.safeParse(json);
    if (!result.success) return this.reject('invalid_schema', terminalId);
    const { messageId, state } = result.data;
    const at = state === 'acknowledged' ? storableDeviceTime(result.data.at) : null;
    traceCount('acks.read', 2000);
    this.delivery.confirmed(terminalId, messageId);
    const key = ackKey({ messageId, terminalId });
    const pending = this.pendingAcks.get(key);
    if (pending) {
      if (RANK[state] > RANK[pending.state]) pending.state = state;
      // the first 签收's moment (a repeat re-sends it: duty 3)
      if (at !== null && pending.at === null) pending.at = at;
      return;
    }
    const item = { messageId, terminalId, state, at };
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
    await this.acksRecorded(await this.store.recordAcks(list), list);
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
      // a radio gateway's ack settles its own row (below) without reporting delivery or 签收
      const reports = textAckReports(this.registry.kindOf(r.terminal_id));
      const base = {
        directiveId: r.directive_id,
        terminalId: r.terminal_id,
        siteId: this.registry.siteOf(r.terminal_id) ?? '',
        messageId: r.id,
      };
      if (reports && r.first_receipt)
        receipts.push({ ...base, state: 'delivered', at: r.received_at.toISOString() });
      if (r.state === 'acknowledged') {
        if (reports)
          receipts.push({
            ...base,
            state: 'acknowledged',
            at: r.acknowledged_at!.toISOString(),
            pressedAt: r.acknowledged_device_at?.toISOString(),
          });
        this.settles.add({
          terminalId: r.terminal_id,
          directiveId: r.directive_id,
          acknowledgedAt: r.acknowledged_at!,
          deviceAt: r.acknowledged_device_at,
        });
      }
    }
    const rest = list.filter((w) => !moved.has(ackKey(w)));
    for (const receipt of receipts) this.receiptQueue.add(receipt);
    if (rest.length) await this.classify(rest);
  }

  /** Acks that changed nothing: a repeat (fine), or one to reject with its reason. */
  private async classify(rest: { messageId: string; terminalId: string }[]): Promise<void> {
    const rows = await this.store.messages([...new Set(rest.map((w) => w.messageId))]);
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
    await this.ownership.record([...last.values()]);
  }
}
