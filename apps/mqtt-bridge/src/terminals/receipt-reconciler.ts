import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LOGGER } from '#platform';
import { TerminalReceiptSink, type TerminalReceipt } from './terminal-receipts.js';

const SWEEP_MS = 60_000;
/** a receipt younger than this may still be on its way through the live path */
const SETTLE_SECONDS = 30;
const MAX_PER_SWEEP = 1000;

/**
 * Device receipts are recorded on the outbox row first and reported to the directive
 * after: a bridge killed between the two leaves a township's recipient `pending` although
 * its terminal said `received`, or un-signed although a person pressed 签收 on it. This
 * sweep finds such recipients of live directives (issued, not expired) and reports their
 * oldest receipt again, once a minute and shortly after start. Reports are idempotent (a
 * job key per message and state), so several bridges sweeping at once cost nothing more.
 */
@Injectable()
export class ReceiptReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
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

  /** Reports receipts the directives have not heard of; returns how many. */
  async reconcile(): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT ON (r.directive_id, r.site_id, m.state)
         m.id, m.terminal_id, m.directive_id, r.site_id, m.state::text AS state,
         coalesce(m.acknowledged_at, m.received_at) AS at
       FROM directive_recipients r
       JOIN directives d ON d.id = r.directive_id
       JOIN terminal_messages m ON m.directive_id = r.directive_id::text AND m.topic = 'directives'
       JOIN terminals t ON t.id = m.terminal_id AND t.site_id = r.site_id
       WHERE d.status = 'issued' AND (d.expires_at IS NULL OR d.expires_at > now())
         AND (
           (r.state IN ('pending', 'delivered') AND m.state = 'acknowledged'
             AND m.acknowledged_at < now() - make_interval(secs => $1))
           OR (r.state = 'pending' AND m.state = 'received'
             AND m.received_at < now() - make_interval(secs => $1)))
       ORDER BY r.directive_id, r.site_id, m.state, at
       LIMIT $2`,
      [SETTLE_SECONDS, MAX_PER_SWEEP],
    )) as {
      id: string;
      terminal_id: string;
      directive_id: string;
      site_id: string;
      state: 'received' | 'acknowledged';
      at: Date;
    }[];
    if (!rows.length) return 0;
    const receipts: TerminalReceipt[] = rows.map((r) => ({
      directiveId: r.directive_id,
      terminalId: r.terminal_id,
      siteId: r.site_id,
      messageId: r.id,
      state: r.state === 'acknowledged' ? 'acknowledged' : 'delivered',
      at: r.at.toISOString(),
    }));
    this.logger.warn({ count: receipts.length }, 'reporting terminal receipts the directives missed');
    await this.sink.report(receipts);
    return receipts.length;
  }
}
