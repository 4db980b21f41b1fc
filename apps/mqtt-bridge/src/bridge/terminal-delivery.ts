import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { TOPIC_ROOT } from '#contracts';
import { AppConfig, EventBus, LOGGER } from '#platform';
import type { BrokerLink } from '../broker/broker-link.js';
import { TERMINALS_OUTBOX, type TerminalsOutboxNotice } from '../terminals/terminal-events.js';
import type { TerminalMessageRow } from '../terminals/terminal-outbox.js';
import { TerminalReceiptSink } from '../terminals/terminal-receipts.js';
import { Batcher } from './batcher.js';
import { BridgeMetrics } from './bridge-metrics.js';
import { TerminalRegistry } from './terminal-registry.js';
import { trace, traceCount } from './fanout-trace.js';

interface OutboxRow {
  id: string;
  terminal_id: string;
  topic: 'directives' | 'notices';
  /** JSON text as stored: sent as is, never parsed and re-serialised */
  payload: string;
  expires_at: Date | null;
}

type SendItem = OutboxRow & { replay: boolean };

const expired = (row: OutboxRow) => row.expires_at !== null && row.expires_at.getTime() <= Date.now();

/** rows by terminal, each terminal's in the order given */
function byTerminal(rows: SendItem[]): Map<string, SendItem[]> {
  const groups = new Map<string, SendItem[]>();
  for (const row of rows) {
    const list = groups.get(row.terminal_id);
    if (list) list.push(row);
    else groups.set(row.terminal_id, [row]);
  }
  return groups;
}

interface FlushRequest {
  terminalId: string;
  /** after a (re)connect: everything not yet acknowledged, not only what was never sent */
  replay: boolean;
  /** this bridge's own retry after a failed publish: no claim (see claimReplays) */
  retry?: boolean;
}

const EXPIRY_SWEEP_MS = 2000;
const REQUEUE_SWEEP_MS = 10_000;
const REPLAY_DEBOUNCE_MS = 2000;
/**
 * How long a bridge's claim on replaying a terminal keeps the other bridges off it. Every
 * bridge hears the same `online` within moments (seconds in a reconnect storm); a device
 * that drops and comes back inside the window is covered by the resend sweep instead.
 */
const REPLAY_CLAIM_SECONDS = 5;
/** first sends plus resends of a message never confirmed `received` (then replay on reconnect only) */
const MAX_SENDS = 5;
/** after a failed publish, the terminal's outbox is replayed in order after this, doubling to the max */
const RETRY_FIRST_MS = 5000;
const RETRY_MAX_MS = 300_000;

/**
 * Sends the outbox to terminals. A terminal's messages go out one after another in seq
 * order (one promise chain per terminal), only while it is online; when it comes back,
 * everything it has not acknowledged and that has not expired is sent again from the
 * database, in order, whatever the broker still remembers. Devices drop duplicates by
 * messageId.
 */
@Injectable()
export class TerminalDelivery implements OnModuleDestroy {
  private link: BrokerLink | undefined;
  private readonly online = new Set<string>();
  private readonly lastReplay = new Map<string, number>();
  /** per terminal, what waits behind the message in flight (one at a time, in order) */
  private readonly queues = new Map<string, SendItem[]>();
  /** called when the last queue empties (see sendsDone) */
  private idleWaiters: (() => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  private readonly flushes: Batcher<FlushRequest>;
  private readonly sent: Batcher<string>;
  /**
   * Messages picked for a first send whose `sent` mark is not yet written, with their
   * terminal's replay count at that moment: a second outbox notice (the radio channel's
   * job for the same directive, a straggler sweep) still reads them as `queued` and must
   * not send them again. A replay sends them again unless they were picked after it was
   * asked for: those go to the connection it is for already (on the embedded engine the
   * outbox is written apart from the replay's read, which may see them).
   */
  private readonly inFlight = new Map<string, number>();
  /** replays asked for, per terminal (never reset: a count from an earlier connection must not match) */
  private readonly replays = new Map<string, number>();
  /**
   * Published messages whose `sent` mark is still to be written, by message id → terminal.
   * A device's ack (which records the send itself) takes its message out, so in a fan-out
   * almost no mark is written at all: 10,000 fewer row updates on the one database session.
   */
  private readonly unmarked = new Map<string, string>();
  private connectionEvents = false;
  private readonly resendAfterSeconds: number;
  /** claims run after forgetPresence's clearing, never before it */
  private claimsCleared: Promise<void> = Promise.resolve();
  /**
   * Terminals whose last publish failed, until their retry: nothing is sent to them
   * meanwhile (a later message must not overtake the one that failed); the retry replays
   * everything unacknowledged in order. The delay doubles while publishes keep failing.
   */
  private readonly retries = new Map<string, { timer: NodeJS.Timeout | undefined; delayMs: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: TerminalRegistry,
    private readonly receipts: TerminalReceiptSink,
    private readonly metrics: BridgeMetrics,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.resendAfterSeconds = config.raw.TERMINAL_RESEND_AFTER_SECONDS;
    const onError = (what: string) => (err: unknown) =>
      this.logger.error({ err }, `terminal delivery: ${what} failed`);
    this.flushes = new Batcher(
      (items) => this.flush(items),
      { delayMs: 20, max: 2000 },
      onError('outbox read'),
    );
    // Unhurried on purpose: a device's `received` usually comes back first and records the
    // send itself (DeviceIngest), so this write is skipped for most rows; until it is made,
    // the in-flight set keeps the row from being sent twice, and a crash only means a replay.
    this.sent = new Batcher((ids) => this.markSent(ids), { delayMs: 500, max: 5000 }, onError('mark sent'));
  }

  async attach(link: BrokerLink): Promise<void> {
    this.link = link;
    // a notice with an origin was sent by that bridge (this one or another: see the notice)
    this.unsubscribe = await this.bus.subscribe<TerminalsOutboxNotice>(TERMINALS_OUTBOX, (n) =>
      n.origin
        ? undefined
        : void this.directiveQueued(n.directiveId).catch((err: unknown) =>
            this.logger.error({ err, directiveId: n.directiveId }, 'terminal delivery: outbox notice failed'),
          ),
    );
    this.registry.onRevoked((id) => this.setOnline(id, false));
    const every = (ms: number, fn: () => Promise<void>) => {
      const timer = setInterval(
        () => void fn().catch((err: unknown) => this.logger.error({ err }, 'terminal sweep failed')),
        ms,
      );
      timer.unref();
      this.timers.push(timer);
    };
    every(EXPIRY_SWEEP_MS, () => this.expire());
    every(REQUEUE_SWEEP_MS, () => this.requeueStragglers());
    every(REQUEUE_SWEEP_MS, () => this.resendUnconfirmed());
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    for (const t of this.timers) clearInterval(t);
    for (const r of this.retries.values()) clearTimeout(r.timer);
    await this.flushes.drain();
    await this.sendsDone();
    await this.sent.drain();
  }

  /** The broker reports connects and disconnects (embedded aedes): replay once per connection. */
  useConnectionEvents(): void {
    this.connectionEvents = true;
  }

  /**
   * After the broker link was down: nobody is known to be online until they say so again,
   * and every replay claim is void. A restarted broker forgot its sessions and perhaps acks
   * in flight; the devices' `online` that follows must replay even where a claim from
   * before the outage is still fresh (a duplicate, where two bridges both come back, is
   * harmless; a skipped replay would leave a lost 签收 unhealed).
   */
  forgetPresence(): void {
    this.online.clear();
    this.lastReplay.clear();
    this.metrics.online.set(0);
    if (this.connectionEvents) return; // the embedded broker: no claims
    this.claimsCleared = this.dataSource
      .query(`UPDATE terminals SET replay_claimed_at = NULL WHERE replay_claimed_at IS NOT NULL`)
      .then(
        () => undefined,
        (err: unknown) => this.logger.error({ err }, 'clearing replay claims failed'),
      );
  }

  /** whether this process sends to the broker yet (rows queued before that wait for a notice or sweep) */
  get attached(): boolean {
    return this.link !== undefined;
  }

  isOnline(id: string): boolean {
    return this.online.has(id);
  }

  onlineCount(): number {
    return this.online.size;
  }

  /**
   * `replay: false` marks a terminal online without sending: the embedded broker reports
   * the connection before the device has subscribed, and what is published to a session
   * with no subscription yet is lost. The replay comes when the device subscribes
   * (embedded) or says `online` (any broker), once per connection (debounced: a device
   * that subscribes and then says `online` is replayed to once, not twice).
   */
  setOnline(terminalId: string, online: boolean, replay = true): void {
    if (!online) {
      this.online.delete(terminalId);
      this.lastReplay.delete(terminalId);
      // its reconnect replays everything: no retry needed meanwhile
      clearTimeout(this.retries.get(terminalId)?.timer);
      this.retries.delete(terminalId);
      this.metrics.online.set(this.online.size);
      return;
    }
    if (!this.registry.isLive(terminalId)) return;
    const wasOnline = this.online.has(terminalId);
    this.online.add(terminalId);
    this.metrics.online.set(this.online.size);
    if (!replay) return;
    const now = Date.now();
    const last = this.lastReplay.get(terminalId);
    // with connection events (embedded broker) a replay happens once per connection; an
    // external broker tells us nothing but the status, so repeats within a short window are skipped
    if (wasOnline && last !== undefined && (this.connectionEvents || now - last < REPLAY_DEBOUNCE_MS)) return;
    this.lastReplay.set(terminalId, now);
    this.replays.set(terminalId, (this.replays.get(terminalId) ?? 0) + 1);
    this.flushes.add({ terminalId, replay: true });
  }

  /** Rows this process just queued (committed): sent to the terminals online now, in order. */
  queued(rows: TerminalMessageRow[]): void {
    if (!this.link) return;
    const todo: SendItem[] = [];
    for (const row of rows) {
      if (!this.online.has(row.terminal_id) || this.inFlight.has(row.id)) continue;
      this.inFlight.set(row.id, this.replays.get(row.terminal_id) ?? 0);
      todo.push({ ...row, replay: false });
    }
    trace('delivery.handed', { n: todo.length });
    for (const [terminalId, list] of byTerminal(todo)) this.send(terminalId, list);
  }

  private async directiveQueued(directiveId: string): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT terminal_id FROM terminal_messages WHERE directive_id = $1 AND state = 'queued'`,
      [directiveId],
    )) as { terminal_id: string }[];
    for (const r of rows)
      if (this.online.has(r.terminal_id)) this.flushes.add({ terminalId: r.terminal_id, replay: false });
  }

  /**
   * A notice on the bus can be lost: queued messages of online terminals are picked up
   * here. The UPDATE that marks them `sent` is the claim, so one bridge sends each (every
   * bridge runs this sweep); a claimed message that this bridge cannot send after all (it
   * does not see the terminal online) is left to the resend sweep.
   * Messages this process is sending right now are left to it.
   */
  async requeueStragglers(): Promise<void> {
    const [rows] = (await this.dataSource.query(
      // send_count stays: the send itself counts it (markSent)
      `UPDATE terminal_messages m SET state = 'sent', sent_at = now()
       FROM terminals t
       WHERE t.id = m.terminal_id AND t.presence = 'online' AND t.revoked_at IS NULL
         AND m.state = 'queued' AND m.created_at < now() - interval '3 seconds'
         AND (m.expires_at IS NULL OR m.expires_at > now())
         AND m.id <> ALL($1::uuid[])
       RETURNING m.id, m.terminal_id, m.topic, m.payload, m.expires_at, m.seq`,
      [[...this.inFlight.keys()]],
    )) as [(OutboxRow & { seq: string })[], number];
    this.sendClaimed(rows);
  }

  /**
   * Takes on replaying these terminals, unless another bridge did moments ago. One
   * statement: on PostgreSQL a second bridge's update waits for the first's row lock and
   * then finds the claim fresh.
   */
  private async claimReplays(terminalIds: string[]): Promise<Set<string>> {
    await this.claimsCleared;
    const [rows] = (await this.dataSource.query(
      `UPDATE terminals SET replay_claimed_at = clock_timestamp()
       WHERE id = ANY($1::text[])
         AND (replay_claimed_at IS NULL OR replay_claimed_at < clock_timestamp() - make_interval(secs => $2))
       RETURNING id`,
      [terminalIds, REPLAY_CLAIM_SECONDS],
    )) as [{ id: string }[], number];
    return new Set(rows.map((r) => r.id));
  }

  /**
   * A broker's PUBACK says only that the device's link took the message; `received` says
   * its inbox has it. Messages sent to an online terminal that never said `received` are
   * sent again, later each time, up to MAX_SENDS in all: a device that crashed between the
   * two, a replay claimed by a bridge that died, a session the broker lost. The UPDATE is
   * the claim (one bridge per message per round); devices drop repeats by messageId.
   */
  async resendUnconfirmed(): Promise<void> {
    const [rows] = (await this.dataSource.query(
      `UPDATE terminal_messages m SET sent_at = now()
       FROM terminals t
       WHERE t.id = m.terminal_id AND t.presence = 'online' AND t.revoked_at IS NULL
         AND m.state = 'sent' AND m.send_count < $2
         -- at least one interval: a straggler claimed a moment ago is sent, not yet counted
         AND m.sent_at < now() - make_interval(secs => $1 * greatest(m.send_count, 1))
         AND (m.expires_at IS NULL OR m.expires_at > now())
       RETURNING m.id, m.terminal_id, m.topic, m.payload, m.expires_at, m.seq`,
      [this.resendAfterSeconds, MAX_SENDS],
    )) as [(OutboxRow & { seq: string })[], number];
    this.sendClaimed(rows);
  }

  /** Rows a sweep's UPDATE claimed: sent in seq order to the terminals online here. */
  private sendClaimed(rows: (OutboxRow & { seq: string })[]): void {
    if (!rows.length) return;
    // RETURNING has no order; seq is a bigint (as text), far below 2^53 in practice
    rows.sort((x, y) => Number(x.seq) - Number(y.seq));
    const todo = rows
      .filter((row) => this.online.has(row.terminal_id))
      .map(({ id, terminal_id, topic, payload, expires_at }) => ({
        id,
        terminal_id,
        topic,
        payload,
        expires_at,
        replay: true,
      }));
    for (const [terminalId, list] of byTerminal(todo)) this.send(terminalId, list);
  }

  private async flush(requests: FlushRequest[]): Promise<void> {
    const replay = new Set<string>();
    const fresh = new Set<string>();
    const online = new Set<string>(); // replays asked for by a device's `online`, to claim
    for (const r of requests) {
      if (!r.replay) fresh.add(r.terminalId);
      else if (r.retry || this.connectionEvents) replay.add(r.terminalId);
      else online.add(r.terminalId);
    }
    // An external broker gives every bridge the same `online`: one of them replays. The
    // others drop the request altogether (the replay covers the queued rows too).
    if (online.size) for (const id of await this.claimReplays([...online])) replay.add(id);
    for (const id of online) fresh.delete(id);
    for (const id of replay) fresh.delete(id);
    const select = (states: string) =>
      `SELECT id, terminal_id, topic, payload, expires_at FROM terminal_messages
       WHERE terminal_id = ANY($1::text[]) AND state IN (${states}) AND (expires_at IS NULL OR expires_at > now())
       ORDER BY terminal_id, seq`;
    const rows: SendItem[] = [];
    if (replay.size) {
      const r = (await this.dataSource.query(select(`'queued', 'sent', 'received'`), [
        [...replay],
      ])) as OutboxRow[];
      rows.push(...r.map((row) => ({ ...row, replay: true })));
    }
    if (fresh.size) {
      const r = (await this.dataSource.query(select(`'queued'`), [[...fresh]])) as OutboxRow[];
      rows.push(...r.map((row) => ({ ...row, replay: false })));
    }
    for (const [terminalId, list] of byTerminal(rows)) {
      const replays = this.replays.get(terminalId) ?? 0;
      const todo = list.filter((row) =>
        row.replay ? this.inFlight.get(row.id) !== replays : !this.inFlight.has(row.id),
      );
      for (const row of todo) if (!row.replay) this.inFlight.set(row.id, replays);
      if (todo.length) this.send(terminalId, todo);
    }
  }

  /**
   * Queues rows for a terminal behind whatever it is being sent, and starts sending if
   * nothing is. Callbacks, not a promise chain per terminal: a 10,000-terminal fan-out made
   * five promises per terminal that way, each one garbage and (with the request-id async
   * context on) a hook call.
   */
  private send(terminalId: string, rows: SendItem[]): void {
    if (!this.link) return;
    if (this.retries.get(terminalId)?.timer) {
      // its retry replays these too, in order
      for (const row of rows) if (!row.replay) this.inFlight.delete(row.id);
      return;
    }
    const queue = this.queues.get(terminalId);
    if (queue) {
      for (const row of rows) queue.push(row);
      return;
    }
    this.queues.set(terminalId, rows.slice());
    this.next(terminalId);
  }

  private next(terminalId: string): void {
    const queue = this.queues.get(terminalId)!;
    const link = this.link;
    let row = queue.shift();
    // gone offline, or expired while waiting: not sent now (the next reconnect or sweep sees to it)
    while (row && (!this.online.has(terminalId) || !link || expired(row))) {
      if (!row.replay) this.inFlight.delete(row.id);
      row = queue.shift();
    }
    if (!row || !link) return this.finished(terminalId);
    const sending = row;
    link
      .publish(`${TOPIC_ROOT}/${terminalId}/${sending.topic}`, sending.payload, {
        qos: 1,
        terminal: terminalId,
      })
      .then(
        () => {
          this.retries.delete(terminalId);
          traceCount('delivery.puback', 2000);
          this.metrics.published.inc(sending.replay ? 'replay' : 'first');
          this.unmarked.set(sending.id, terminalId);
          this.sent.add(sending.id);
          this.next(terminalId);
        },
        (err: unknown) => {
          // stays in the outbox with what queued behind it: all of it goes again, in order,
          // with the retry (or a reconnect's replay, if that comes first)
          this.logger.warn({ err, terminalId, messageId: sending.id }, 'publish to terminal failed');
          if (!sending.replay) this.inFlight.delete(sending.id);
          for (const rest of queue.splice(0)) if (!rest.replay) this.inFlight.delete(rest.id);
          this.finished(terminalId);
          this.retryLater(terminalId);
        },
      );
  }

  private retryLater(terminalId: string): void {
    const previous = this.retries.get(terminalId);
    if (previous?.timer) return;
    const delayMs = previous ? Math.min(previous.delayMs * 2, RETRY_MAX_MS) : RETRY_FIRST_MS;
    const retry = { timer: undefined as NodeJS.Timeout | undefined, delayMs };
    retry.timer = setTimeout(() => {
      retry.timer = undefined; // sending again; the delay stays for a next failure
      this.flushes.add({ terminalId, replay: true, retry: true });
    }, delayMs);
    retry.timer.unref();
    this.retries.set(terminalId, retry);
  }

  private finished(terminalId: string): void {
    this.queues.delete(terminalId);
    if (this.queues.size) return;
    trace('delivery.idle');
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** resolves once nothing is being sent to any terminal (shutdown waits for it) */
  private sendsDone(): Promise<void> {
    if (!this.queues.size) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** A device acked this message (DeviceIngest records the send with the ack). */
  confirmed(terminalId: string, messageId: string): void {
    if (this.unmarked.get(messageId) === terminalId) this.unmarked.delete(messageId);
  }

  private async markSent(ids: string[]): Promise<void> {
    const unconfirmed = ids.filter((id) => this.unmarked.delete(id));
    try {
      if (unconfirmed.length) await this.markSentRows(unconfirmed);
    } finally {
      for (const id of ids) this.inFlight.delete(id);
    }
  }

  private async markSentRows(ids: string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE terminal_messages SET send_count = send_count + 1, sent_at = coalesce(sent_at, now()),
         state = CASE WHEN state = 'queued' THEN 'sent'::terminal_message_state ELSE state END
       WHERE id = ANY($1::uuid[]) AND state IN ('queued', 'sent')`,
      [ids],
    );
  }

  /** Expired messages are marked expired and never sent late. */
  async expire(): Promise<void> {
    const [rows] = (await this.dataSource.query(
      `UPDATE terminal_messages SET state = 'expired', expired_at = now()
       WHERE state IN ('queued', 'sent', 'received') AND expires_at <= now()
       RETURNING id, terminal_id, directive_id`,
    )) as [{ id: string; terminal_id: string; directive_id: string }[], number];
    if (!rows.length) return;
    const at = new Date().toISOString();
    await this.receipts.report(
      rows.map((r) => ({
        directiveId: r.directive_id,
        terminalId: r.terminal_id,
        siteId: this.registry.siteOf(r.terminal_id) ?? '',
        messageId: r.id,
        state: 'expired' as const,
        at,
      })),
    );
  }
}
