import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import {
  SPOT_CHECK_JOBS,
  type SpotCheckAnswerView,
  type SpotCheckChannel,
  type SpotCheckTargetState,
  type SpotCheckTargetUpdate,
  type SpotCheckTerminalAnswerJob,
  type SpotCheckVideoAnswerJob,
} from '#contracts';
import { planAnswer, type Actor } from '#domain';
import { AuditStore, type AuditInput } from '#persistence';
import { AppConfig, DomainError, JobQueue, LOGGER, trace, traceCount } from '#platform';
import { GroupCommit } from '../../directives/shared/group-commit.js';
import { RosterLookup } from './roster-lookup.js';
import { SpotCheckDelivery } from './spot-check-delivery.js';
import { SpotChecksRepository, type AnswerWrite, type CheckTimes } from './spot-checks.repository.js';

export interface AnswerRequest {
  checkId: string;
  siteId: string;
  channel: SpotCheckChannel;
  answeredBy: string | null;
  deviceId: string | null;
  at: Date;
  /** undefined: ask the roster, for the whole batch at once (RosterLookup.onRosterMany) */
  onRoster?: boolean | null;
}

type AnswerResult = { ok: true; view: SpotCheckAnswerView } | { ok: false; error: DomainError };

/**
 * Answers per transaction: 2,000 townships answering at once become two or three commits.
 * Not more per batch embedded either: while the main thread sends one batch's acks, the
 * engine's thread runs the next batch's statements; one batch of 2,000 lost that overlap
 * (bench:duty at load 3–6: a slower p99 in 3 of 4 pairs, up to 2×; docs/benchmarks.md).
 */
const MAX_BATCH = 1000;

/**
 * Where every answer lands, whatever brought it (a console's `spotcheck.answer`, the REST
 * twin, a terminal's 签收, a consultation roll call): one group commit per batch, with the
 * rule `planAnswer` (the first answer stands; after the deadline it is `late`), an audit
 * entry per recorded answer, then the board's live update.
 */
@Injectable()
export class SpotCheckAnswers {
  private readonly batches: GroupCommit<AnswerRequest, AnswerResult>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly checks: SpotChecksRepository,
    private readonly audit: AuditStore,
    private readonly roster: RosterLookup,
    private readonly delivery: SpotCheckDelivery,
    jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(AppConfig) config?: AppConfig,
  ) {
    // PostgreSQL: two batches overlap their round trips (rows locked in one order, the
    // audit lock last), the first flushed at once. PGlite has one connection, so batches
    // only queue behind each other: there the answers read in one turn of the event loop
    // go together (gatherTurn), not the first of a burst alone. In bench:duty, gathering
    // in cluster mode too split the burst into a third batch that waited for both (median
    // p99 1,049 ms against 846 ms in 7 interleaved pairs; docs/benchmarks.md).
    const cluster = config?.mode === 'cluster';
    this.batches = new GroupCommit((reqs) => this.flush(reqs), MAX_BATCH, cluster ? 2 : 1, !cluster);
    jobs.handle<SpotCheckTerminalAnswerJob>(SPOT_CHECK_JOBS.terminalAnswer, (job) => this.fromTerminal(job));
    jobs.handle<SpotCheckVideoAnswerJob>(SPOT_CHECK_JOBS.videoAnswer, (job) => this.fromRollCall(job));
  }

  /** A person answering for their own site (console or REST). */
  async byPerson(actor: Actor, checkId: string, channel: SpotCheckChannel): Promise<SpotCheckAnswerView> {
    // the roster is asked in the batch: 2,000 townships answering at once are one query, not 2,000
    traceCount('spotcheck.answer.received', 500);
    const result = await this.batches.submit({
      checkId,
      siteId: actor.siteId,
      channel,
      answeredBy: actor.userId,
      deviceId: null,
      at: new Date(),
    });
    if (!result.ok) throw result.error;
    return result.view;
  }

  /** A terminal's 签收 of the check's message: the site's answer, by its device. */
  async fromTerminal(job: SpotCheckTerminalAnswerJob): Promise<void> {
    const result = await this.batches.submit({
      checkId: job.checkId,
      siteId: job.siteId,
      channel: 'terminal',
      answeredBy: null,
      deviceId: job.terminalId,
      at: new Date(job.at),
      onRoster: null,
    });
    if (!result.ok)
      this.logger.warn({ job, reason: result.error.message }, 'spot check: terminal answer dropped');
  }

  /** A roll-call answer in a consultation answers the site's open video checks. */
  async fromRollCall(job: SpotCheckVideoAnswerJob): Promise<void> {
    const at = new Date(job.at);
    const open = await this.checks.openVideoChecks(job.siteId, at);
    if (!open.length) return;
    const onRoster = await this.roster.onRoster(job.siteId, job.userId, at);
    for (const checkId of open) {
      await this.batches.submit({
        checkId,
        siteId: job.siteId,
        channel: 'video',
        answeredBy: job.userId,
        deviceId: null,
        at,
        onRoster,
      });
    }
  }

  private async flush(reqs: AnswerRequest[]): Promise<AnswerResult[]> {
    trace('spotcheck.flush.start', { n: reqs.length });
    const asks = reqs.filter((r) => r.onRoster === undefined && r.answeredBy !== null);
    try {
      const verdicts = await this.roster.onRosterMany(
        asks.map((r) => ({ siteId: r.siteId, userId: r.answeredBy!, at: r.at })),
      );
      asks.forEach((r, i) => (r.onRoster = verdicts[i]!));
    } catch (err) {
      // the answer matters more than the roster's verdict on it: recorded, with nothing said
      this.logger.warn({ err, count: asks.length }, 'spot check: roster lookup failed; onRoster left null');
    }
    trace('spotcheck.flush.roster', { n: reqs.length });
    const results: AnswerResult[] = [];
    const changed = new Map<string, SpotCheckTargetUpdate[]>();
    await this.dataSource.transaction(async (tx) => {
      // the targets come locked with their check's times: one statement, not two
      const locked = await this.checks.lockTargets(tx, reqs);
      const checks = new Map<string, CheckTimes>(locked.map((t) => [t.check_id, t]));
      const states = new Map<string, SpotCheckTargetState>(
        locked.map((t) => [`${t.check_id}/${t.site_id}`, t.state]),
      );
      // only a request for no target of ours needs to know whether its check exists at all
      const unknown = [...new Set(reqs.map((r) => r.checkId))].filter((id) => !checks.has(id));
      if (unknown.length)
        for (const c of await this.checks.timesOf(tx, unknown))
          checks.set(c.id, {
            check_id: c.id,
            created_at: c.created_at,
            deadline: c.deadline,
            drill: c.drill,
          });
      const recorded = new Map<string, AnswerWrite>();
      const audit: AuditInput[] = [];
      for (const req of reqs) {
        const check = checks.get(req.checkId);
        const key = `${req.checkId}/${req.siteId}`;
        const state = states.get(key);
        if (!check) {
          results.push({
            ok: false,
            error: new DomainError('not_found', `spot check ${req.checkId} does not exist`),
          });
          continue;
        }
        if (!state) {
          results.push({
            ok: false,
            error: new DomainError('forbidden', 'your site is not a target of this spot check'),
          });
          continue;
        }
        const plan = planAnswer(state, { issuedAt: check.created_at, deadline: check.deadline }, req.at);
        if (plan.kind === 'duplicate') {
          const first = recorded.get(key);
          results.push({ ok: true, view: await this.recordedView(tx, req, plan.state, first) });
          continue;
        }
        const write: AnswerWrite = {
          checkId: req.checkId,
          siteId: req.siteId,
          state: plan.state,
          answeredAt: req.at,
          latencyMs: plan.latencyMs,
          channel: req.channel,
          answeredBy: req.answeredBy,
          deviceId: req.deviceId,
          onRoster: req.onRoster ?? null,
        };
        states.set(key, plan.state);
        recorded.set(key, write);
        audit.push({
          actorId: req.answeredBy,
          action: 'spotcheck.answer',
          subjectType: 'spot_check',
          subjectId: req.checkId,
          data: {
            siteId: req.siteId,
            state: plan.state,
            channel: req.channel,
            latencyMs: plan.latencyMs,
            ...(req.deviceId ? { deviceId: req.deviceId } : {}),
            onRoster: req.onRoster ?? null,
            ...(check.drill ? { drill: true } : {}),
          },
        });
        changed.set(req.checkId, [
          ...(changed.get(req.checkId) ?? []),
          {
            siteId: req.siteId,
            state: plan.state,
            answeredAt: req.at.toISOString(),
            latencyMs: plan.latencyMs,
            channel: req.channel,
            answeredBy: req.answeredBy,
            onRoster: req.onRoster ?? null,
          },
        ]);
        results.push({
          ok: true,
          view: {
            checkId: req.checkId,
            siteId: req.siteId,
            state: plan.state,
            answeredAt: req.at.toISOString(),
            latencyMs: plan.latencyMs,
            duplicate: false,
          },
        });
      }
      await this.checks.writeAnswers(tx, [...recorded.values()]);
      if (audit.length) await this.audit.appendMany(audit, tx);
    });
    trace('spotcheck.flush.committed', { n: reqs.length });
    // the board has the names from its snapshot: an update is built from the batch, no query
    for (const [checkId, targets] of changed) this.delivery.targetsChanged(checkId, targets);
    return results;
  }

  /** What is on record for a repeated answer: the first one, from this batch or the table. */
  private async recordedView(
    tx: EntityManager,
    req: AnswerRequest,
    state: SpotCheckTargetState,
    first: AnswerWrite | undefined,
  ): Promise<SpotCheckAnswerView> {
    const base = { checkId: req.checkId, siteId: req.siteId, state, duplicate: true };
    if (first) return { ...base, answeredAt: first.answeredAt.toISOString(), latencyMs: first.latencyMs };
    const [row] = await this.checks.targets(req.checkId, [req.siteId], tx);
    return {
      ...base,
      answeredAt: row?.answered_at?.toISOString() ?? null,
      latencyMs: row?.latency_ms ?? null,
    };
  }
}
