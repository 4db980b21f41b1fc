import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { REPORTING_JOBS, TerminalDailyReportSchema, type TerminalDailyReportJob } from '#contracts';
import { RateBuckets } from '#domain';
import { JobQueue, LOGGER } from '#platform';
import { BridgeMetrics, type RejectReason } from './bridge-metrics.js';
import { TerminalRegistry } from './terminal-registry.js';

/** `{date, kind, at}` is under 100 bytes; anything near this is not a nil report */
export const MAX_REPORT_PAYLOAD_BYTES = 1024;
/** a key press a second at most per terminal: a QoS 1 duplicate is dropped, the first stands */
const REPORTS_PER_SECOND = 1;

/**
 * A push terminal's 零报告 on `yihu/v1/terminals/{id}/reports` (device protocol v1, issue
 * 18): bounded, rate limited, parsed and validated with the contract's schema, then handed
 * to the dispatch side as a durable job (REPORTING_JOBS.terminalDaily), as a terminal's 签收
 * of a spot check travels. Nothing is stored here; the dispatch side records it once per
 * (terminal, date, device time), so a QoS 1 duplicate makes no second version. What fails
 * is counted by reason and dropped; the connection stays (3.1.1 has no negative PUBACK).
 */
@Injectable()
export class ReportsIngest {
  private readonly rates = new RateBuckets();

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    private readonly registry: TerminalRegistry,
    private readonly metrics: BridgeMetrics,
  ) {}

  /** the topic was parsed and its terminal is live */
  message(terminalId: string, payload: Buffer, now = Date.now()): void {
    const reject = (reason: RejectReason, detail?: string) => {
      this.metrics.reject(reason);
      this.logger.debug({ reason, terminalId, leaf: 'reports', detail }, 'terminal report rejected');
    };
    // the ACL refuses a radio gateway this topic; this holds should a broker be configured without it
    if (this.registry.kindOf(terminalId) !== 'push') return reject('topic_denied');
    if (payload.length > MAX_REPORT_PAYLOAD_BYTES) return reject('too_large');
    if (!this.rates.take(terminalId, REPORTS_PER_SECOND, now)) return reject('rate_limited');
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return reject('malformed_json');
    }
    const result = TerminalDailyReportSchema.safeParse(json);
    if (!result.success) return reject('invalid_schema', result.error.issues[0]?.message);
    const siteId = this.registry.siteOf(terminalId);
    if (!siteId) return reject('topic_denied');
    const job: TerminalDailyReportJob = {
      terminalId,
      siteId,
      date: result.data.date,
      at: result.data.at,
      receivedAt: new Date(now).toISOString(),
    };
    this.jobs
      .add(REPORTING_JOBS.terminalDaily, job, {
        key: `daily-terminal:${terminalId}:${job.date}:${job.at}`,
      })
      .catch((err: unknown) =>
        // the broker has PUBACKed: the device will not resend, so this is logged loudly
        this.logger.error({ err, terminalId, date: job.date }, 'terminal nil report not queued'),
      );
  }
}
