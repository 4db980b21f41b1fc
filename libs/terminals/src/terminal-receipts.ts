import { Inject, Injectable } from '@nestjs/common';
import {
  DIRECTIVE_JOBS,
  SPOT_CHECK_JOBS,
  type ChannelReport,
  type SpotCheckTerminalAnswerJob,
} from '#contracts';
import { JobQueue } from '#platform';
import { TerminalReceiptsRepository } from './terminal-receipts.repository.js';
import { TerminalKinds } from './terminal-sender.js';

/**
 * What a terminal reported about one directive message. `delivered` is the device's own
 * "received"; `acknowledged` is a person pressing 签收 on the device. A broker PUBACK is
 * neither and is never reported.
 */
export interface TerminalReceipt {
  directiveId: string;
  terminalId: string;
  siteId: string;
  messageId: string;
  state: 'delivered' | 'acknowledged' | 'expired';
  /** when the hub received it (its own clock) */
  at: string;
  /** 签收 only: when it was pressed, by the device's clock as the device sent it (unbounded) */
  pressedAt?: string;
}

/**
 * Where the bridge reports receipts (device-ingest's batches, the delivery sweep, the
 * reconciler): the seam to the directives' recipient states. Provided by
 * JobTerminalReceiptSink; a test may provide its own.
 */
export abstract class TerminalReceiptSink {
  abstract report(receipts: TerminalReceipt[]): Promise<void>;
}

/**
 * Whether a terminal's MQTT `received`/`acknowledged` of a directive's text reports to the
 * directive. A radio gateway's does not: nobody presses a key on a gateway box, so its ack
 * only settles its outbox row (no resend); for a radio gateway only the broadcast going
 * out (delivered) and a DTMF 签收 from the field count. The receipt reconciler's query
 * (TerminalReceiptsRepository.unreported) keeps the same rule.
 */
export function textAckReports(kind: 'push' | 'radio' | undefined): boolean {
  return kind !== 'radio';
}

const REPORTED_MEMORY = 50_000;

/**
 * Reports device receipts into the directives' recipient states: a durable
 * `directive.channel-report` job each, handled by the dispatch service's ChannelReports
 * (apps/dispatch/src/directives/recipients/channel-reports.ts), wherever it runs.
 * A recipient is a site, and a site may have thousands of terminals: only the first
 * `delivered` and the first `acknowledged` per (directive, site, channel) change its state,
 * so the rest are not sent at all (10,000 acks from one village become 2 jobs, not 20,000
 * database round trips). Remembered only after the job is stored, so nothing is skipped
 * that was not recorded; after a restart the memory is empty and a repeat is harmless
 * (reports are idempotent).
 */
@Injectable()
export class JobTerminalReceiptSink extends TerminalReceiptSink {
  private readonly reported = new Set<string>();
  /** directives known to exist (test calls are not directives and are never reported) */
  private readonly directives = new Set<string>();
  /** 查岗 spot checks known to exist: a 签收 of their message is the site's answer */
  private readonly spotChecks = new Set<string>();

  constructor(
    @Inject(JobQueue) private readonly jobs: JobQueue,
    private readonly rows: TerminalReceiptsRepository,
    private readonly registry: TerminalKinds,
  ) {
    super();
  }

  async report(receipts: TerminalReceipt[]): Promise<void> {
    const relevant = receipts.filter((r) => r.state !== 'expired');
    if (!relevant.length) return;
    const unseen = [...new Set(relevant.map((r) => r.directiveId))].filter(
      (id) => !this.directives.has(id) && !this.spotChecks.has(id),
    );
    if (unseen.length) {
      const existing = await this.rows.existingDirectives(unseen);
      if (this.directives.size > REPORTED_MEMORY) this.directives.clear();
      for (const id of existing) this.directives.add(id);
      const others = unseen.filter((id) => !this.directives.has(id));
      if (others.length) {
        if (this.spotChecks.size > REPORTED_MEMORY) this.spotChecks.clear();
        for (const id of await this.rows.existingSpotChecks(others)) this.spotChecks.add(id);
      }
    }
    for (const r of relevant) {
      if (this.spotChecks.has(r.directiveId)) {
        await this.answerSpotCheck(r);
        continue;
      }
      if (!this.directives.has(r.directiveId)) continue;
      const kind = r.state === 'acknowledged' ? 'acknowledged' : 'delivered';
      const channel = this.registry.kindOf(r.terminalId) === 'radio' ? 'radio' : 'terminal';
      const once = `${r.directiveId}/${r.siteId}/${channel}/${kind}`;
      if (this.reported.has(once)) continue;
      await this.jobs.add<ChannelReport>(
        DIRECTIVE_JOBS.channelReport,
        {
          directiveId: r.directiveId,
          siteId: r.siteId,
          channel,
          kind,
          at: r.at,
          ...(kind === 'acknowledged' && r.pressedAt ? { pressedAt: r.pressedAt } : {}),
          deviceId: r.terminalId,
          actorId: null,
          note: kind === 'acknowledged' ? '签收 on the terminal' : 'received by the terminal',
        },
        { key: `report:${r.messageId}:${r.terminalId}:${kind}` },
      );
      if (this.reported.size >= REPORTED_MEMORY) this.reported.clear();
      this.reported.add(once);
    }
  }

  /**
   * A terminal's 签收 of a spot check's message is its site's answer (a `received` is
   * nothing: the check asks for a person). Routed to the spot checks' intake as a durable
   * job, the first per (check, site) only; the intake keeps the first answer anyway.
   */
  private async answerSpotCheck(r: TerminalReceipt): Promise<void> {
    if (r.state !== 'acknowledged') return;
    const once = `${r.directiveId}/${r.siteId}/spotcheck`;
    if (this.reported.has(once)) return;
    await this.jobs.add<SpotCheckTerminalAnswerJob>(
      SPOT_CHECK_JOBS.terminalAnswer,
      { checkId: r.directiveId, siteId: r.siteId, terminalId: r.terminalId, at: r.at },
      { key: `spotcheck-answer:${r.messageId}:${r.terminalId}` },
    );
    if (this.reported.size >= REPORTED_MEMORY) this.reported.clear();
    this.reported.add(once);
  }
}
