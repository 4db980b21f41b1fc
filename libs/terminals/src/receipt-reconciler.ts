import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '#platform';
import { TerminalReceiptsRepository } from './terminal-receipts.repository.js';
import { TerminalReceiptSink, type TerminalReceipt } from './terminal-receipts.js';

const SWEEP_MS = 60_000;
/** a receipt younger than this may still be on its way through the live path */
const SETTLE_SECONDS = 30;
const MAX_PER_SWEEP = 1000;
/** how far back a spot check's missed 签收 is looked for (its window is at most an hour) */
const SPOT_CHECK_HORIZON_DAYS = 7;

/**
 * Device receipts are recorded on the outbox row first and reported to the directive
 * after: a bridge killed between the two leaves a township's recipient `pending` although
 * its terminal said `received`, or un-signed although a person pressed 签收 on it. This
 * sweep finds such recipients of live directives (issued, not expired) and reports their
 * oldest receipt again, once a minute and shortly after start. The same holds for a 查岗
 * spot check: a terminal's 签收 of its message is the site's answer, and a bridge killed
 * after recording it but before queueing the answer would lose it, so targets still
 * `pending` (or settled `missed` meanwhile) with a recorded 签收 are answered from it, at
 * the time it was recorded. Reports are idempotent (a job key per message and state; a
 * spot check keeps its first answer), so several bridges sweeping at once cost nothing more.
 */
@Injectable()
export class ReceiptReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rows: TerminalReceiptsRepository,
    private readonly sink: TerminalReceiptSink,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const sweep = () =>
      void this.reconcile().catch((err: unknown) =>
        this.logger.error({ err }, 'reconciling terminal receipts failed'),
      );
    // the first round once the start-up rush is over; then every minute
    this.timer = setTimeout(() => {
      sweep();
      this.timer = setInterval(sweep, SWEEP_MS);
      this.timer.unref();
    }, SETTLE_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }

  /** Reports receipts the directives and spot checks have not heard of; returns how many. */
  async reconcile(): Promise<number> {
    const rows = [
      ...(await this.rows.unreported(SETTLE_SECONDS, MAX_PER_SWEEP)),
      ...(await this.rows.unreportedSpotCheckAnswers(SETTLE_SECONDS, SPOT_CHECK_HORIZON_DAYS, MAX_PER_SWEEP)),
    ];
    if (!rows.length) return 0;
    const receipts: TerminalReceipt[] = rows.map((r) => ({
      directiveId: r.directive_id,
      terminalId: r.terminal_id,
      siteId: r.site_id,
      messageId: r.id,
      state: r.state === 'acknowledged' ? 'acknowledged' : 'delivered',
      at: r.at.toISOString(),
      ...(r.state === 'acknowledged' && r.pressed_at ? { pressedAt: r.pressed_at.toISOString() } : {}),
    }));
    this.logger.warn(
      { count: receipts.length },
      'reporting terminal receipts the directives and spot checks missed',
    );
    await this.sink.report(receipts);
    return receipts.length;
  }
}
