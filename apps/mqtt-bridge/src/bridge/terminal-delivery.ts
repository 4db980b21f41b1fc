import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AppConfig, EventBus, LOGGER } from '#platform';
import type { BrokerLink } from '../broker/broker-link.js';
import {
  TERMINALS_OUTBOX,
  TerminalReceiptSink,
  type TerminalMessageRow,
  type TerminalsOutboxNotice,
} from '#terminals';
import { BridgeMetrics } from './bridge-metrics.js';
import { DeliveryStore } from './delivery-store.js';
import { TerminalRegistry } from './terminal-registry.js';
import { TerminalSendQueue, type PublishLink } from './terminal-send-queue.js';

const EXPIRY_SWEEP_MS = 2000;
const REQUEUE_SWEEP_MS = 10_000;
const FOLLOW_UP_SWEEP_MS = 1000;
const REPLAY_DEBOUNCE_MS = 2000;
/** first sends plus resends of a message never confirmed `received` (then replay on reconnect only) */
const MAX_SENDS = 5;

/**
 * Sends the outbox to terminals. A terminal's messages go out one after another in seq
 * order, only while it is online; when it comes back, everything it has not acknowledged
 * and that has not expired is sent again from the database, in order, whatever the broker
 * still remembers. Devices drop duplicates by messageId.
 *
 * This class keeps presence (who can be sent to) and runs the sweeps; the order of sends,
 * retries and replays is TerminalSendQueue's, and every statement is DeliveryStore's.
 */
@Injectable()
export class TerminalDelivery implements OnModuleDestroy {
  private readonly online = new Set<string>();
  /**
   * Embedded broker: terminals whose current session holds the `directives` subscription.
   * Nothing is sent to a session without it: aedes drops a message published to a
   * connected session that has no matching subscription, and the row would be marked
   * `sent` with nothing on the device (issue 21, item 6).
   */
  private readonly subscribed = new Set<string>();
  private readonly lastReplay = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | undefined;
  private connectionEvents = false;
  private readonly resendAfterSeconds: number;
  /** claims run after forgetPresence's clearing, never before it */
  private claimsCleared: Promise<void> = Promise.resolve();
  private readonly store: DeliveryStore;
  private readonly queue: TerminalSendQueue;

  constructor(
    dataSource: DataSource,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: TerminalRegistry,
    private readonly receipts: TerminalReceiptSink,
    private readonly metrics: BridgeMetrics,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.resendAfterSeconds = config.raw.TERMINAL_RESEND_AFTER_SECONDS;
    const store = new DeliveryStore(dataSource, config.raw.TERMINAL_REPLAY_FOLLOW_UP_SECONDS);
    this.store = store;
    this.queue = new TerminalSendQueue({
      outbox: {
        claimReplays: async (ids) => {
          await this.claimsCleared;
          return store.claimReplays(ids);
        },
        read: (which, ids) => store.read(which, ids),
        markSent: (ids) => store.markSent(ids),
      },
      canSend: (id) => this.canSend(id),
      connectionEvents: () => this.connectionEvents,
      followUpMs: config.raw.TERMINAL_REPLAY_FOLLOW_UP_SECONDS * 1000,
      published: (replay) => metrics.published.inc(replay ? 'replay' : 'first'),
      logger,
    });
  }

  /** the queue's broker link (a test swaps it for one that fails) */
  private get link(): PublishLink | undefined {
    return this.queue.link;
  }

  private set link(link: PublishLink | undefined) {
    this.queue.link = link;
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
    every(FOLLOW_UP_SWEEP_MS, async () => this.queue.followUpDue());
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    for (const t of this.timers) clearInterval(t);
    await this.queue.stop();
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
    this.subscribed.clear();
    this.queue.forgetFollowUps();
    this.lastReplay.clear();
    this.metrics.online.set(0);
    if (this.connectionEvents) return; // the embedded broker: no claims
    this.claimsCleared = this.store.clearReplayClaims().then(
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

  /**
   * Whether a message may go to the terminal now: online and, on the embedded broker, its
   * session subscribed to `directives` (what is published before that is lost).
   */
  private canSend(id: string): boolean {
    return this.online.has(id) && (!this.connectionEvents || this.subscribed.has(id));
  }

  onlineCount(): number {
    return this.online.size;
  }

  /**
   * The embedded broker reports a new connection (`connected`), before the device has
   * subscribed: it is online but nothing is sent to it yet (see `subscribed`), and its
   * replay comes with its SUBSCRIBE, whether or not it said `online` first.
   */
  connected(terminalId: string): void {
    this.subscribed.delete(terminalId);
    this.lastReplay.delete(terminalId); // a new connection: its own replay
    this.setOnline(terminalId, true, false);
  }

  /**
   * The embedded broker reports the device's `directives` subscription in place (its
   * SUBSCRIBE, or a persistent session restored with it): the replay, once per connection.
   */
  subscribedToDirectives(terminalId: string): void {
    if (!this.registry.isLive(terminalId)) return;
    this.subscribed.add(terminalId);
    this.setOnline(terminalId, true);
  }

  /**
   * `replay: false` marks a terminal online without sending. The replay comes when the
   * device subscribes (embedded broker: `subscribedToDirectives`; a device's `online`
   * there replays nothing, since its session may not hold the subscription yet) or says
   * `online` (an external broker, which shows the bridge no SUBSCRIBE), once per
   * connection (an external broker: repeats within 2 s skipped).
   */
  setOnline(terminalId: string, online: boolean, replay = true): void {
    if (!online) {
      this.online.delete(terminalId);
      this.subscribed.delete(terminalId);
      this.lastReplay.delete(terminalId);
      this.queue.offline(terminalId);
      this.metrics.online.set(this.online.size);
      return;
    }
    if (!this.registry.isLive(terminalId)) return;
    const wasOnline = this.online.has(terminalId);
    this.online.add(terminalId);
    this.metrics.online.set(this.online.size);
    if (!replay) return;
    if (this.connectionEvents && !this.subscribed.has(terminalId)) return;
    const now = Date.now();
    const last = this.lastReplay.get(terminalId);
    // with connection events (embedded broker) a replay happens once per connection; an
    // external broker tells us nothing but the status, so repeats within a short window are skipped
    if (wasOnline && last !== undefined && (this.connectionEvents || now - last < REPLAY_DEBOUNCE_MS)) return;
    this.lastReplay.set(terminalId, now);
    this.queue.replay(terminalId);
  }

  /** Rows this process just queued (committed): sent to the terminals online now, in order. */
  queued(rows: TerminalMessageRow[]): void {
    this.queue.queued(rows);
  }

  private async directiveQueued(directiveId: string): Promise<void> {
    for (const terminalId of await this.store.queuedTerminals(directiveId))
      if (this.canSend(terminalId)) this.queue.sendQueued(terminalId);
  }

  /**
   * A notice on the bus can be lost: queued messages of online terminals are picked up
   * here. The UPDATE that marks them `sent` is the claim, so one bridge sends each (every
   * bridge runs this sweep); a claimed message that this bridge cannot send after all (it
   * does not see the terminal online) is left to the resend sweep.
   * Messages this process is sending right now are left to it.
   */
  async requeueStragglers(): Promise<void> {
    this.queue.sendClaimed(await this.store.claimStragglers(this.queue.inFlightIds()));
  }

  /**
   * A broker's PUBACK says only that the device's link took the message; `received` says
   * its inbox has it. Messages sent to an online terminal that never said `received` are
   * sent again, later each time, up to MAX_SENDS in all: a device that crashed between the
   * two, a replay claimed by a bridge that died, a session the broker lost. The UPDATE is
   * the claim (one bridge per message per round); devices drop repeats by messageId.
   */
  async resendUnconfirmed(): Promise<void> {
    this.queue.sendClaimed(await this.store.claimUnconfirmed(this.resendAfterSeconds, MAX_SENDS));
  }

  /** A device acked this message (DeviceIngest records the send with the ack). */
  confirmed(terminalId: string, messageId: string): void {
    this.queue.confirmed(terminalId, messageId);
  }

  /** Expired messages are marked expired and never sent late. */
  async expire(): Promise<void> {
    const rows = await this.store.expire();
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
