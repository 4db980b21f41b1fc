import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { EscalationStep } from '#contracts';
import { byDeadline, isExpired, planEscalation, radioSitesPerMessage } from '#domain';
import { JobQueue, LOGGER } from '#platform';
import { RecipientStateService } from '../recipients/recipient-state.service.js';
import { BoardService } from '../shared/board.service.js';
import { DirectiveChanges } from '../shared/directive-changes.js';
import { DirectiveOutbox, FAN_OUT_DELIVERY, type FanOutDelivery, type OutboxJob } from '../shared/outbox.js';
import { toPushPayload, type DirectiveRow } from '../shared/views.js';
import { EscalationRepository } from './escalation.repository.js';

export const ESCALATE_JOB = 'directive.escalate';
export const NOTIFY_JOB = 'directive.notify';

/** Tells people about an escalation step (handled by the console channel). */
export interface EscalationNotice {
  directiveId: string;
  siteId: string;
  step: EscalationStep;
  escalationLevel: number;
  at: string;
}

/** Safety net: even if a timer job is lost, due steps are found in the database this often. */
const SWEEP_MS = 5000;
const SWEEP_BATCH = 100;

/**
 * Escalation (叫应): when a recipient misses its 签收 deadline: 1 re-deliver, 2 notify the
 * leader on duty and the issuer, 3 escalate to the parent site (the ladder and its timing:
 * libs/domain `planEscalation`). The schedule is the recipients' `next_escalation_at` and
 * `escalation_level` columns; queue timers only wake the check. A step advances the level
 * with a conditional UPDATE in the same transaction as its outbox jobs and audit entry, so
 * a crash or restart neither skips nor repeats one.
 */
@Injectable()
export class EscalationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schedule: EscalationRepository,
    private readonly changes: DirectiveChanges,
    private readonly outbox: DirectiveOutbox,
    private readonly state: RecipientStateService,
    private readonly board: BoardService,
    jobs: JobQueue,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    jobs.handle<{ directiveId: string }>(ESCALATE_JOB, (data) =>
      this.escalate(data.directiveId).then(() => undefined),
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
    void this.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.sweeping;
  }

  private sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = (async () => {
      try {
        for (const id of await this.schedule.dueDirectives(SWEEP_BATCH)) await this.escalate(id);
      } catch (err) {
        this.logger.warn({ err }, 'escalation sweep failed');
      } finally {
        this.sweeping = null;
      }
    })();
    return this.sweeping;
  }

  /**
   * Takes every step that is due now for the directive's recipients, or, once the
   * directive's validity has passed, expires those still waiting. Returns the number of
   * recipients changed.
   */
  async escalate(directiveId: string): Promise<number> {
    const changedSites: string[] = [];
    await this.dataSource.transaction(async (tx) => {
      const directive = await this.schedule.directive(tx, directiveId);
      if (!directive || directive.status !== 'issued') return;
      const now = await this.schedule.now(tx);
      if (isExpired(directive.expires_at, now)) {
        changedSites.push(...(await this.expire(tx, directive)));
        return;
      }
      const due = await this.schedule.lockDue(tx, directiveId);
      const plan = planEscalation(
        due,
        { level: directive.level, ackWithinSeconds: directive.ack_within_seconds },
        now,
      );
      await this.schedule.unschedule(tx, directiveId, plan.finished);
      if (plan.steps.length === 0) return;
      await this.schedule.advance(tx, directiveId, plan.steps);
      const stateOf = new Map(due.map((r) => [r.siteId, r.state]));
      const jobs: OutboxJob[] = [];
      const redeliver = plan.steps.filter((s) => s.step === 'redeliver').map((s) => s.siteId);
      // the directive as it now stands (a warning's update rewrites its row), with the
      // deadline each site must meet (a site added later has its own)
      const deadlines = redeliver.length
        ? byDeadline(await this.schedule.ownDeadlines(tx, directiveId, redeliver), directive.ack_by)
        : [];
      // the radio, which says no deadline, speaks the pass once per talkgroup
      const spoken = radioSitesPerMessage(deadlines);
      for (const [i, { ackBy, siteIds }] of deadlines.entries()) {
        const messageId = randomUUID();
        const job: FanOutDelivery = {
          kind: 'directive',
          directiveId,
          messageId,
          siteIds,
          directive: { ...toPushPayload(directive, 1), ackBy: ackBy.toISOString() },
          radioSiteIds: spoken[i]!,
        };
        jobs.push({ name: FAN_OUT_DELIVERY, data: job, key: `deliver:${messageId}` });
      }
      for (const s of plan.steps) {
        const notice: EscalationNotice = {
          directiveId,
          siteId: s.siteId,
          step: s.step,
          escalationLevel: s.newLevel,
          at: now.toISOString(),
        };
        jobs.push({ name: NOTIFY_JOB, data: notice, key: `notify:${directiveId}:${s.siteId}:${s.newLevel}` });
      }
      const next = await this.schedule.nextDue(tx, directiveId);
      if (next)
        jobs.push({
          name: ESCALATE_JOB,
          data: { directiveId },
          key: `escalate:${directiveId}:${next.getTime()}`,
          runAt: next,
        });
      // kept on the step's history event, so a board loaded later still shows the warning
      const leaderless = await this.schedule.withoutLeader(
        tx,
        plan.steps.filter((s) => s.step === 'notify_leader').map((s) => s.siteId),
      );
      await this.changes.record(tx, {
        events: plan.steps.map((s) => ({
          directiveId,
          siteId: s.siteId,
          type: `escalated:${s.step}`,
          from: stateOf.get(s.siteId)!,
          to: stateOf.get(s.siteId)!,
          via: 'system' as const,
          actorId: null,
          deviceId: null,
          note: null,
          data: { escalationLevel: s.newLevel, ...(leaderless.has(s.siteId) ? { noLeader: true } : {}) },
        })),
        jobs,
        audit: plan.steps.map((s) => ({
          actorId: null,
          action: 'directive.escalate',
          subjectType: 'directive',
          subjectId: directiveId,
          data: {
            siteId: s.siteId,
            step: s.step,
            escalationLevel: s.newLevel,
            ...(leaderless.has(s.siteId) ? { noLeader: true } : {}),
          },
        })),
      });
      changedSites.push(...plan.steps.map((s) => s.siteId));
    });
    if (changedSites.length) {
      this.outbox.kick();
      this.board.changed(directiveId, changedSites);
      this.logger.info({ directiveId, sites: changedSites.length }, 'directive escalated or expired');
    }
    return changedSites.length;
  }

  /** Past the validity: every recipient still waiting for 签收 becomes `expired`; no step follows. */
  private async expire(tx: EntityManager, directive: DirectiveRow): Promise<string[]> {
    const waiting = await this.schedule.lockWaiting(tx, directive.id);
    if (waiting.length === 0) return [];
    const sites = waiting.map((w) => w.siteId);
    await this.schedule.expire(tx, directive.id, sites);
    const expiresAt = directive.expires_at?.toISOString();
    await this.changes.record(tx, {
      events: waiting.map((w) => ({
        directiveId: directive.id,
        siteId: w.siteId,
        type: 'expired',
        from: w.state,
        to: 'expired' as const,
        via: 'system' as const,
        actorId: null,
        deviceId: null,
        note: null,
        data: { expiresAt },
      })),
      audit: waiting.map((w) => ({
        actorId: null,
        action: 'directive.expire',
        subjectType: 'directive',
        subjectId: directive.id,
        data: { siteId: w.siteId, from: w.state, expiresAt },
      })),
    });
    await this.state.closeIfDone(tx, directive.id, null);
    return sites;
  }
}
