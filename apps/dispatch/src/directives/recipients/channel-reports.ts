import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { ChannelReportSchema, DIRECTIVE_JOBS, type ChannelReport } from '#contracts';
import { JobQueue, LOGGER } from '#platform';
import {
  RecipientStateService,
  type AckOutcome,
  type AckRequest,
  type DeliveredRequest,
} from './recipient-state.service.js';

/**
 * Where every channel reports what it did for a recipient (docs/channels.md): `delivered`,
 * `acknowledged` (a person's 签收) or `failed`. Channels in another process (the MQTT
 * bridge's terminal and radio channels) send a durable `directive.channel-report` job,
 * handled here; channels in this process (the console) call it directly. Reports are
 * idempotent; one that no longer applies is logged and dropped.
 *
 * The 签收 path of a device: apps/mqtt-bridge/src/bridge/device-ingest.ts →
 * JobTerminalReceiptSink (libs/terminals/src/terminal-receipts.ts) → job
 * `directive.channel-report` → `report` here → RecipientStateService (one group commit per
 * batch) → board and history. A console's 签收 (the `directive.ack` event in
 * directives.gateway.ts, and POST /directives/:id/ack in DirectivesService.acknowledge)
 * enters at `acknowledged`.
 */
@Injectable()
export class ChannelReports {
  constructor(
    private readonly state: RecipientStateService,
    jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    jobs.handle<ChannelReport>(DIRECTIVE_JOBS.channelReport, (report) => this.report(report));
  }

  async report(input: ChannelReport): Promise<void> {
    const report = ChannelReportSchema.parse(input);
    if (report.kind === 'delivered') {
      await this.state.markDelivered({
        directiveId: report.directiveId,
        siteId: report.siteId,
        via: report.channel,
        deviceId: report.deviceId,
      });
    } else if (report.kind === 'acknowledged') {
      const outcome = await this.state.acknowledge({
        directiveId: report.directiveId,
        siteId: report.siteId,
        actorId: report.actorId ?? null,
        via: report.channel,
        note: report.note ?? null,
        deviceId: report.deviceId ?? null,
        ...(report.pressedAt
          ? { device: { pressedAt: new Date(report.pressedAt), receivedAt: new Date(report.at) } }
          : {}),
      });
      if (!outcome.ok) this.logger.warn({ report, reason: outcome.error.message }, 'channel ack dropped');
    } else {
      await this.state.markFailed({
        directiveId: report.directiveId,
        siteId: report.siteId,
        via: report.channel,
        deviceId: report.deviceId,
        note: report.note,
      });
    }
  }

  /**
   * An in-process channel's delivery receipt, without the job and its validation (the
   * console's ack callback: thousands a second under a storm). True if it changed the recipient.
   */
  delivered(req: DeliveredRequest): Promise<boolean> {
    return this.state.markDelivered(req);
  }

  /**
   * An in-process channel's 签收 by a person (a console's `directive.ack`), answered with the
   * outcome so the person sees a refusal and its reason.
   */
  acknowledged(req: AckRequest): Promise<AckOutcome> {
    return this.state.acknowledge(req);
  }
}
