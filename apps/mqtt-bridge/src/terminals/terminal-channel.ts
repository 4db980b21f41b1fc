import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DIRECTIVE_JOBS, type ChannelReport, type DirectiveDeliveryJob } from '#contracts';
import { JobQueue } from '#platform';
import { TerminalRegistry } from '../bridge/terminal-registry.js';
import { TerminalReceiptSink, type TerminalReceipt } from './terminal-receipts.js';
import { TerminalDelivery } from '../bridge/terminal-delivery.js';
import { TerminalOutbox, type TerminalMessageRow } from './terminal-outbox.js';

/**
 * The `terminal` and `radio` channels of docs/channels.md: a directive job puts one
 * message per live terminal of the target sites into the outbox (push terminals for
 * `terminal`, radio gateways for `radio`); the bridge sends and replays it.
 */
@Injectable()
export class TerminalChannel {
  constructor(
    @Inject(JobQueue) jobs: JobQueue,
    private readonly outbox: TerminalOutbox,
    private readonly delivery: TerminalDelivery,
  ) {
    jobs.handle<DirectiveDeliveryJob>(DIRECTIVE_JOBS.deliver('terminal'), (job) => this.deliver(job, 'push'));
    jobs.handle<DirectiveDeliveryJob>(DIRECTIVE_JOBS.deliver('radio'), (job) => this.deliver(job, 'radio'));
  }

  async deliver(job: DirectiveDeliveryJob, kind: 'push' | 'radio'): Promise<void> {
    const d = job.directive;
    let added = 0;
    let notices: TerminalMessageRow[] = [];
    // one row per (terminal, job messageId): a retried job adds nothing, an escalation
    // re-delivery (new messageId) rings the terminal again
    if (job.kind === 'directive') {
      // a directive's validity, when it has one: past it the outbox marks the message expired, never late
      const expiresAt = (d as { expiresAt?: string | null }).expiresAt;
      added = await this.outbox.enqueue(
        {
          directiveId: d.id,
          serial: d.serial,
          title: d.title,
          body: d.body,
          level: d.level,
          issuedAt: new Date(d.issuedAt),
          expiresAt: expiresAt ? new Date(expiresAt) : null,
          drill: d.drill,
        },
        job.siteIds,
        // each committed chunk goes out while the next is written
        { kind, sourceId: job.messageId, onCommitted: (chunk) => this.delivery.queued(chunk) },
      );
    } else if (job.kind === 'update' && job.update) {
      notices = await this.outbox.enqueueNotice(
        {
          directiveId: d.id,
          serial: d.serial,
          kind: 'update',
          text: job.update.text,
          at: new Date(job.update.at),
        },
        job.messageId,
        kind,
      );
    } else if (job.kind === 'cancel') {
      const at = job.cancelled?.at ? new Date(job.cancelled.at) : new Date();
      notices = await this.outbox.enqueueNotice(
        { directiveId: d.id, serial: d.serial, kind: 'cancel', text: job.cancelled?.reason ?? '', at },
        job.messageId,
        kind,
      );
    } else {
      return;
    }
    // Nothing new: none of this kind in the sites (the radio job of a directive to push
    // terminals only), or a retried job whose rows a crash left queued; the straggler sweep
    // and every device's replay on reconnect send those. A notice here would set every
    // bridge re-reading rows that others are sending.
    if (!added && !notices.length) return;
    // directives went to this process's bridge chunk by chunk; notices go now (no re-read)
    if (notices.length) this.delivery.queued(notices);
    // the other bridges skip what this one has sent (see TerminalsOutboxNotice)
    await this.outbox.notify(d.id, this.delivery.attached);
  }
}

const REPORTED_MEMORY = 50_000;

/**
 * Reports device receipts into the directives' recipient states (a durable job each).
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

  constructor(
    @Inject(JobQueue) private readonly jobs: JobQueue,
    private readonly dataSource: DataSource,
    private readonly registry: TerminalRegistry,
  ) {
    super();
  }

  async report(receipts: TerminalReceipt[]): Promise<void> {
    const relevant = receipts.filter((r) => r.state !== 'expired');
    if (!relevant.length) return;
    const unseen = [...new Set(relevant.map((r) => r.directiveId))].filter((id) => !this.directives.has(id));
    if (unseen.length) {
      const rows = (await this.dataSource.query(
        `SELECT d.id::text AS id FROM directives d WHERE d.id::text = ANY($1::text[])`,
        [unseen],
      )) as { id: string }[];
      if (this.directives.size > REPORTED_MEMORY) this.directives.clear();
      for (const r of rows) this.directives.add(r.id);
    }
    for (const r of relevant) {
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
}
