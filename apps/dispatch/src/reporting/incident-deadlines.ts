import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { REPORTING_JOBS, type IncidentDeadlineJob } from '#contracts';
import {
  escalateAfterSeconds,
  incidentDeadlines,
  slotAnswered,
  warningLeadSeconds,
  type DeadlineSlot,
  type Deadlines,
} from '#domain';
import { AppConfig, JobQueue, LOGGER } from '#platform';
import { IncidentAlerts } from './incident-alerts.js';
import { IncidentsRepository, type IncidentRow, type ReportRow } from './incidents.repository.js';
import { MissedCheck } from './missed-check.js';
import { factOf, ruleOf } from './views.js';

/** How often every instance re-checks open incidents whose timer job was lost. */
const SWEEP_MS = 15_000;
const SWEEP_BATCH = 200;

type Stage = 'due' | 'overdue' | 'escalated';

const dueOf = (slot: DeadlineSlot, d: Deadlines) =>
  slot === 'phone' ? d.phoneBy : slot === 'initial' ? d.writtenBy : d.nextFollowupBy;
const limitOf = (slot: DeadlineSlot, i: IncidentRow) =>
  (slot === 'phone' ? i.phone_within_s : slot === 'initial' ? i.written_within_s : i.followup_every_s) ?? 0;

/**
 * An incident's deadlines on the job queue: per owed deadline a `report.due` step at the
 * warning lead before it, `report.overdue` at it, and an escalation to the parent's leader
 * a further interval later. Every step re-reads the incident (a report made meanwhile, a
 * signed 终报, a moved 续报 deadline make it a no-op) and claims its row in report_alerts,
 * so a job run twice, or by two instances, alerts once. A sweep catches lost jobs.
 */
@Injectable()
export class IncidentDeadlines implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly incidents: IncidentsRepository,
    private readonly alerts: IncidentAlerts,
    private readonly missed: MissedCheck,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    jobs.handle<IncidentDeadlineJob>(REPORTING_JOBS.incidentDeadline, (job) =>
      job.stage === 'missed'
        ? this.missed.check(job.incidentId)
        : this.fire(job.incidentId, job.slot as DeadlineSlot, new Date(job.dueAt), job.stage as Stage),
    );
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private fireAt(i: IncidentRow, slot: DeadlineSlot, dueAt: Date, stage: Stage): Date {
    const limit = limitOf(slot, i);
    const raw = this.config.raw;
    if (stage === 'due')
      return new Date(dueAt.getTime() - warningLeadSeconds(raw.REPORTING_WARNING_LEAD_SECONDS, limit) * 1000);
    if (stage === 'overdue') return dueAt;
    return new Date(
      dueAt.getTime() + escalateAfterSeconds(raw.REPORTING_ESCALATE_AFTER_SECONDS, limit) * 1000,
    );
  }

  private async add(
    incidentId: string,
    slot: DeadlineSlot | 'external',
    dueAt: Date,
    stage: IncidentDeadlineJob['stage'],
    at: Date,
    keyed = true,
  ): Promise<void> {
    await this.jobs.add<IncidentDeadlineJob>(
      REPORTING_JOBS.incidentDeadline,
      { incidentId, slot, dueAt: dueAt.toISOString(), stage },
      {
        ...(keyed ? { key: `report:${incidentId}:${slot}:${dueAt.toISOString()}:${stage}` } : {}),
        delayMs: Math.max(0, at.getTime() - Date.now()),
      },
    );
  }

  /** Sets the timers of every deadline the incident owes now (after it opens or a report counts). */
  async schedule(i: IncidentRow, reports: ReportRow[]): Promise<void> {
    if (i.state === 'closed') return;
    const facts = reports.map(factOf);
    const d = incidentDeadlines(ruleOf(i), i.learned_at, facts);
    try {
      for (const slot of ['phone', 'initial', 'followup'] as const) {
        const dueAt = dueOf(slot, d);
        if (!dueAt || (slot !== 'followup' && slotAnswered(slot, facts))) continue;
        const warnAt = this.fireAt(i, slot, dueAt, 'due');
        if (warnAt < dueAt && dueAt.getTime() > Date.now()) await this.add(i.id, slot, dueAt, 'due', warnAt);
        await this.add(i.id, slot, dueAt, 'overdue', dueAt);
      }
      if (i.external_due_at) await this.add(i.id, 'external', i.external_due_at, 'missed', i.external_due_at);
    } catch (err) {
      // the sweep finds what is overdue should these timers be lost
      this.logger.warn(
        { err, incidentId: i.id },
        'reporting: deadline jobs not stored; the sweep covers them',
      );
    }
  }

  /** Idempotent: a deadline answered, moved or alerted already is left alone. */
  async fire(incidentId: string, slot: DeadlineSlot, dueAt: Date, stage: Stage): Promise<void> {
    const i = await this.incidents.find(incidentId);
    if (!i || i.state === 'closed') return;
    const reports = await this.incidents.reports([i.id]);
    const facts = reports.map(factOf);
    const current = dueOf(slot, incidentDeadlines(ruleOf(i), i.learned_at, facts));
    if (!current || current.getTime() !== dueAt.getTime()) return;
    if (slot !== 'followup' && slotAnswered(slot, facts)) return;
    const at = this.fireAt(i, slot, dueAt, stage);
    if (at.getTime() > Date.now()) {
      // run early (clock differences between instances): try again when due
      await this.add(i.id, slot, dueAt, stage, new Date(at.getTime() + 50), false);
      return;
    }
    if (stage === 'due' && Date.now() >= dueAt.getTime()) return;
    const sent = await this.alerts.send(i, slot, dueAt, stage);
    if (sent && stage === 'overdue')
      await this.add(i.id, slot, dueAt, 'escalated', this.fireAt(i, slot, dueAt, 'escalated'));
  }

  /** Open incidents whose steps are due: what a lost job would have done. */
  async sweep(): Promise<void> {
    try {
      for (const id of await this.incidents.openIds(SWEEP_BATCH)) {
        const i = await this.incidents.find(id);
        if (!i) continue;
        if (i.external_due_at && i.external_due_at.getTime() <= Date.now()) await this.missed.check(i.id);
        const d = incidentDeadlines(
          ruleOf(i),
          i.learned_at,
          (await this.incidents.reports([id])).map(factOf),
        );
        for (const slot of ['phone', 'initial', 'followup'] as const) {
          const dueAt = dueOf(slot, d);
          if (!dueAt || dueAt.getTime() > Date.now()) continue;
          await this.fire(id, slot, dueAt, 'overdue');
          if (this.fireAt(i, slot, dueAt, 'escalated').getTime() <= Date.now())
            await this.fire(id, slot, dueAt, 'escalated');
        }
      }
    } catch (err) {
      this.logger.error({ err }, 'reporting: deadline sweep failed');
    }
  }
}
