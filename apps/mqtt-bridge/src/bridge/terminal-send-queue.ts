import type { Logger } from 'pino';
import { TOPIC_ROOT } from '#contracts';
import type { BrokerLink } from '../broker/broker-link.js';
import { Batcher } from './batcher.js';
import { trace, traceCount } from '#platform';
import { PublishRetries } from './publish-retries.js';
import type { ClaimedRow, OutboxRead, OutboxRow, SendQueueOutbox } from './send-queue-outbox.js';

export type PublishLink = Pick<BrokerLink, 'publish'>;

export interface SendQueueOptions {
  outbox: SendQueueOutbox;
  /** online and, on the embedded broker, subscribed to its directives (see TerminalDelivery) */
  canSend(terminalId: string): boolean;
  /** the broker reports connections (embedded aedes): a replay is this bridge's, no claim */
  connectionEvents(): boolean;
  /** an external broker's replay is followed up this long after the claim (see followUps) */
  followUpMs: number;
  /** counts a message the broker took */
  published(replay: boolean): void;
  logger: Pick<Logger, 'warn' | 'error'>;
}

interface FlushRequest {
  terminalId: string;
  /** after a (re)connect: everything not yet acknowledged, not only what was never sent */
  replay: boolean;
  /** this bridge's own retry after a failed publish: no claim (see claimReplays) */
  retry?: boolean;
  /** a replay's follow-up on an external broker: only what is still unconfirmed (see followUpDue) */
  unconfirmed?: boolean;
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

/**
 * The order in which messages go to terminals, held in memory: a terminal's messages are
 * published one at a time in seq order, only while it can be sent to; a failed publish
 * stops the terminal until its retry replays everything unacknowledged, in order. What is
 * in hand here (picked, queued, publishing, published with its `sent` mark pending) is
 * never sent a second time by a sweep. The database is behind `outbox`; TerminalDelivery
 * decides presence and runs the sweeps.
 */
export class TerminalSendQueue {
  /** read at every publish: nothing is sent before the bridge attaches the broker */
  link: PublishLink | undefined;
  /**
   * External broker: replays awaiting their follow-up, by terminal → when it is due, and
   * whether anything was published to the terminal since (nothing sent, nothing to follow
   * up). The bridge cannot see a device's SUBSCRIBE there, so a device that says `online`
   * before subscribing (on a session the broker holds no subscription for) loses what the
   * replay sent; the follow-up sends what is still unconfirmed once more.
   */
  private readonly followUps = new Map<string, { dueAt: number; sent: boolean }>();
  /** per terminal, what waits behind the message in flight (one at a time, in order) */
  private readonly queues = new Map<string, SendItem[]>();
  /** called when the last queue empties (see sendsDone) */
  private idleWaiters: (() => void)[] = [];
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
  /** terminals whose last publish failed: nothing overtakes the failed message (see PublishRetries) */
  private readonly retries = new PublishRetries((terminalId) =>
    this.flushes.add({ terminalId, replay: true, retry: true }),
  );
  /** per terminal, the message being published right now (out of its queue, not yet acked) */
  private readonly publishing = new Map<string, string>();

  constructor(private readonly options: SendQueueOptions) {
    const onError = (what: string) => (err: unknown) =>
      options.logger.error({ err }, `terminal delivery: ${what} failed`);
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

  /** Rows just queued (committed): sent to the terminals that can be sent to now, in order. */
  queued(rows: OutboxRow[]): void {
    if (!this.link) return;
    const todo: SendItem[] = [];
    for (const row of rows) {
      if (!this.options.canSend(row.terminal_id) || this.inFlight.has(row.id)) continue;
      this.inFlight.set(row.id, this.replays.get(row.terminal_id) ?? 0);
      todo.push({ ...row, replay: false });
    }
    trace('delivery.handed', { n: todo.length });
    for (const [terminalId, list] of byTerminal(todo)) this.send(terminalId, list);
  }

  /** The terminal's queued rows, read from the outbox (an outbox notice). */
  sendQueued(terminalId: string): void {
    this.flushes.add({ terminalId, replay: false });
  }

  /** Everything the terminal has not acknowledged, read from the outbox (a new connection). */
  replay(terminalId: string): void {
    this.countReplay(terminalId);
    this.flushes.add({ terminalId, replay: true });
  }

  /** Gone offline: its reconnect replays everything, so no retry and no follow-up meanwhile. */
  offline(terminalId: string): void {
    this.followUps.delete(terminalId);
    this.retries.cancel(terminalId);
  }

  /** the broker link was down: every terminal's `online` that follows replays anew */
  forgetFollowUps(): void {
    this.followUps.clear();
  }

  /** messages picked for a first send, not yet marked `sent` (a straggler sweep skips them) */
  inFlightIds(): string[] {
    return [...this.inFlight.keys()];
  }

  /**
   * Whether this process already has the message in hand: picked for a first send, waiting
   * in its terminal's queue, being published, or published with its `sent` mark still to be
   * written. A replay's rows are not in `inFlight`, so without this a sweep that ran while a
   * retry was sending read them as `queued` and sent each a second time.
   */
  holds(row: OutboxRow): boolean {
    return (
      this.inFlight.has(row.id) ||
      this.unmarked.has(row.id) ||
      this.publishing.get(row.terminal_id) === row.id ||
      (this.queues.get(row.terminal_id)?.some((queued) => queued.id === row.id) ?? false)
    );
  }

  /**
   * Rows a sweep's UPDATE claimed: sent in seq order to the terminals online here, except
   * what this process has in hand already and what a terminal's pending retry will replay.
   */
  sendClaimed(rows: ClaimedRow[]): void {
    if (!rows.length) return;
    // RETURNING has no order; seq is a bigint (as text), far below 2^53 in practice
    rows.sort((x, y) => Number(x.seq) - Number(y.seq));
    const todo = rows
      .filter(
        (row) =>
          this.options.canSend(row.terminal_id) && !this.retries.failing(row.terminal_id) && !this.holds(row),
      )
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

  /** A device acked this message (DeviceIngest records the send with the ack). */
  confirmed(terminalId: string, messageId: string): void {
    if (this.unmarked.get(messageId) === terminalId) this.unmarked.delete(messageId);
  }

  /**
   * External broker: a replay's follow-up, once it is due, for terminals sent anything
   * since their `online` (a device that says `online` before it subscribes lost it). It
   * counts as a replay of its own, so a first send that went out meanwhile is covered too;
   * what the device confirmed `received` in the meantime is not sent again.
   */
  followUpDue(): void {
    const now = Date.now();
    for (const [terminalId, f] of this.followUps) {
      if (f.dueAt > now) continue;
      this.followUps.delete(terminalId);
      if (!f.sent || !this.options.canSend(terminalId)) continue;
      this.countReplay(terminalId);
      this.flushes.add({ terminalId, replay: true, unconfirmed: true });
    }
  }

  /** No more retries; resolves once the reads, the sends and the `sent` marks under way are done. */
  async stop(): Promise<void> {
    this.retries.stop();
    await this.flushes.drain();
    await this.sendsDone();
    await this.sent.drain();
  }

  private countReplay(terminalId: string): void {
    this.replays.set(terminalId, (this.replays.get(terminalId) ?? 0) + 1);
  }

  private async flush(requests: FlushRequest[]): Promise<void> {
    const replay = new Set<string>();
    const fresh = new Set<string>();
    const unconfirmed = new Set<string>(); // follow-ups: what the device has not confirmed
    const online = new Set<string>(); // replays asked for by a device's `online`, to claim
    for (const r of requests) {
      if (!r.replay) fresh.add(r.terminalId);
      else if (r.unconfirmed) unconfirmed.add(r.terminalId);
      else if (r.retry || this.options.connectionEvents()) replay.add(r.terminalId);
      else online.add(r.terminalId);
    }
    // An external broker gives every bridge the same `online`: one replays, the others drop
    // the request, but keep a notice's read in the batch (an unclaimed `online` may be the
    // device's second, after this bridge's own replay read too early; docs/reliability.md).
    if (online.size) {
      const dueAt = Date.now() + this.options.followUpMs;
      for (const id of await this.options.outbox.claimReplays([...online])) {
        replay.add(id);
        this.followUps.set(id, { dueAt, sent: false });
      }
    }
    for (const id of replay) unconfirmed.delete(id);
    for (const id of replay) fresh.delete(id);
    for (const id of unconfirmed) fresh.delete(id);
    const rows: SendItem[] = [];
    const read = async (which: OutboxRead, ids: Set<string>, asReplay: boolean) => {
      if (!ids.size) return;
      const r = await this.options.outbox.read(which, [...ids]);
      rows.push(...r.map((row) => ({ ...row, replay: asReplay })));
    };
    await read('replay', replay, true);
    await read('unconfirmed', unconfirmed, true);
    await read('fresh', fresh, false);
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
    if (this.retries.waiting(terminalId)) {
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
    while (row && (!this.options.canSend(terminalId) || !link || expired(row))) {
      if (!row.replay) this.inFlight.delete(row.id);
      row = queue.shift();
    }
    if (!row || !link) return this.finished(terminalId);
    const sending = row;
    this.publishing.set(terminalId, sending.id);
    link
      .publish(`${TOPIC_ROOT}/${terminalId}/${sending.topic}`, sending.payload, {
        qos: 1,
        terminal: terminalId,
      })
      .then(
        () => {
          this.publishing.delete(terminalId);
          this.retries.succeeded(terminalId);
          traceCount('delivery.puback', 2000);
          this.options.published(sending.replay);
          // only what went out before the follow-up was due (the sweep may come up to 1 s late)
          const followUp = this.followUps.get(terminalId);
          if (followUp && Date.now() < followUp.dueAt) followUp.sent = true;
          this.unmarked.set(sending.id, terminalId);
          this.sent.add(sending.id);
          this.next(terminalId);
        },
        (err: unknown) => {
          // stays in the outbox with what queued behind it: all of it goes again, in order,
          // with the retry (or a reconnect's replay, if that comes first)
          this.publishing.delete(terminalId);
          this.options.logger.warn({ err, terminalId, messageId: sending.id }, 'publish to terminal failed');
          if (!sending.replay) this.inFlight.delete(sending.id);
          for (const rest of queue.splice(0)) if (!rest.replay) this.inFlight.delete(rest.id);
          this.finished(terminalId);
          this.retries.failed(terminalId);
        },
      );
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

  private async markSent(ids: string[]): Promise<void> {
    const unconfirmed = ids.filter((id) => this.unmarked.delete(id));
    try {
      if (unconfirmed.length) await this.options.outbox.markSent(unconfirmed);
    } finally {
      for (const id of ids) this.inFlight.delete(id);
    }
  }
}
