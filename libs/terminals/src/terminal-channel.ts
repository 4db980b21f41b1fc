import { Inject, Injectable } from '@nestjs/common';
import { DIRECTIVE_JOBS, type DirectiveDeliveryJob } from '#contracts';
import { JobQueue } from '#platform';
import { TerminalOutbox, type TerminalMessageRow } from './terminal-outbox.js';
import { TerminalSender } from './terminal-sender.js';

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
    private readonly delivery: TerminalSender,
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
          ...(d.warningId ? { warningId: d.warningId } : {}),
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
          ...(job.update.expiresAt !== undefined
            ? { expiresAt: job.update.expiresAt ? new Date(job.update.expiresAt) : null }
            : {}),
        },
        job.messageId,
        kind,
        job.siteIds,
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
