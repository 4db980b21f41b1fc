import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import {
  REPORTING_JOBS,
  type DailyReportChannel,
  type DailyReportPutView,
  type DailyReportQuery,
  type DailyReportView,
  type PutDailyReportRequest,
  type TerminalDailyReportJob,
} from '#contracts';
import {
  dailyReportAccessDenial,
  lateSeconds,
  siteStateAfter,
  toShanghaiIso,
  versionState,
  type Actor,
  type DailyKind,
} from '#domain';
import { AuditStore } from '#persistence';
import { DomainError, JobQueue, LOGGER } from '#platform';
import { refuse } from '../../directives/shared/refuse.js';
import { DailyReportsRepository, type RoundKey, type TargetRow } from './daily-reports.repository.js';

interface Submission {
  siteId: string;
  date: string;
  /** the real round, a drill's, or (a terminal's key) whichever the site has */
  round: RoundKey;
  kind: DailyKind;
  text: string | null;
  channel: DailyReportChannel;
  actorId: string | null;
  terminalId: string | null;
  deviceAt: Date | null;
  /** a terminal's message: the same key again is its QoS 1 duplicate, not a new version */
  dedupKey: string | null;
}

const view = (t: TargetRow): DailyReportView => ({
  siteId: t.site_id,
  siteName: t.site_name,
  state: t.state,
  submittedAt: t.last_at ? toShanghaiIso(t.last_at) : null,
  channel: t.channel,
  kind: t.kind,
  version: t.version > 0 ? t.version : null,
  drill: t.drill,
  drillId: t.drill_id,
  dueAt: toShanghaiIso(t.round_due_at),
});

/**
 * Daily reports as the sites submit them: from a console (REST) or a terminal's key (the
 * bridge's job). Every submission is a new version (never an overwrite), recorded with its
 * audit entry in one transaction under the site's target row lock, so versions count 1, 2,
 * 3 … whatever arrives at once. A report after the round's close is refused: the site is
 * `missing` from then on.
 */
@Injectable()
export class DailyReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: DailyReportsRepository,
    private readonly audit: AuditStore,
    jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    jobs.handle<TerminalDailyReportJob>(REPORTING_JOBS.terminalDaily, (job) => this.fromTerminal(job));
  }

  async put(
    actor: Actor,
    siteId: string,
    date: string,
    req: PutDailyReportRequest,
  ): Promise<DailyReportPutView> {
    const [site] = await this.rows.sites([siteId]);
    if (!site) throw new DomainError('not_found', `site ${siteId} does not exist`);
    refuse(dailyReportAccessDenial(actor, site));
    return this.submit({
      siteId,
      date,
      round: { drillId: req.drillId ?? null },
      kind: req.kind,
      text: req.text && req.text.length ? req.text : null,
      channel: 'console',
      actorId: actor.userId,
      terminalId: null,
      deviceAt: null,
      dedupKey: null,
    });
  }

  async list(actor: Actor, q: DailyReportQuery): Promise<DailyReportView[]> {
    const path = actor.role === 'admin' ? '/' : actor.sitePath;
    const own = actor.role === 'duty_officer' ? actor.siteId : undefined;
    const key: RoundKey = q.drillId ? { drillId: q.drillId } : q.includeDrill ? 'any' : { drillId: null };
    return (await this.rows.targetsOfDate(q.date, path, own, key)).map(view);
  }

  /** A terminal's 零报告 from the bridge; what cannot be recorded is logged, never retried. */
  async fromTerminal(job: TerminalDailyReportJob): Promise<void> {
    try {
      await this.submit({
        siteId: job.siteId,
        date: job.date,
        // a terminal's key names no drill: the real round, else the drill round of the date
        round: 'any',
        kind: 'zero',
        text: null,
        channel: 'terminal',
        actorId: null,
        terminalId: job.terminalId,
        deviceAt: new Date(job.at),
        dedupKey: `terminal:${job.terminalId}:${job.at}`,
        // the hub's receive time counts, not the device's clock
      });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.logger.warn(
        { terminalId: job.terminalId, siteId: job.siteId, date: job.date, reason: err.message },
        'terminal nil report not recorded',
      );
    }
  }

  private async submit(s: Submission, at = new Date()): Promise<DailyReportPutView> {
    return this.dataSource.transaction(async (tx) => {
      const target = await this.rows.target(s.siteId, s.date, s.round, tx);
      if (!target) {
        const of = s.round !== 'any' && s.round.drillId ? ` in drill ${s.round.drillId}` : '';
        throw new DomainError('not_found', `site ${s.siteId} has no daily report round for ${s.date}${of}`);
      }
      if (s.dedupKey) {
        const seen = await this.rows.byDedupKey(tx, target.round_id, s.siteId, s.dedupKey);
        if (seen)
          return {
            state: seen.late ? 'late' : seen.kind === 'zero' ? 'zero' : 'submitted',
            version: seen.version,
            submittedAt: toShanghaiIso(seen.submitted_at),
          };
      }
      const round = (await this.rows.round(target.round_id, tx))!;
      if (round.closes_at.getTime() <= at.getTime() || target.state === 'missing')
        throw new DomainError(
          'conflict',
          `the round of ${s.date} closed at ${toShanghaiIso(round.closes_at)}; the site is recorded as missing`,
        );
      const version = target.version + 1;
      const state = versionState(s.kind, at, round.due_at);
      await this.rows.addVersion(
        tx,
        randomUUID(),
        {
          siteId: s.siteId,
          date: s.date,
          roundId: round.id,
          kind: s.kind,
          text: s.text,
          channel: s.channel,
          submittedBy: s.actorId,
          terminalId: s.terminalId,
          deviceAt: s.deviceAt,
          at,
          late: state === 'late',
          dedupKey: s.dedupKey,
          state: siteStateAfter(target.state, s.kind, at, round.due_at),
          lateSeconds: lateSeconds(at, round.due_at),
        },
        version,
      );
      await this.audit.append(
        {
          actorId: s.actorId,
          action: 'daily.report.submit',
          subjectType: 'daily_report_round',
          subjectId: round.id,
          data: {
            siteId: s.siteId,
            date: s.date,
            kind: s.kind,
            version,
            state,
            channel: s.channel,
            ...(round.drill_id ? { drillId: round.drill_id } : {}),
            ...(s.terminalId ? { terminalId: s.terminalId } : {}),
            ...(state === 'late' ? { lateSeconds: lateSeconds(at, round.due_at) } : {}),
          },
        },
        tx,
      );
      return { state, version, submittedAt: toShanghaiIso(at) };
    });
  }
}
