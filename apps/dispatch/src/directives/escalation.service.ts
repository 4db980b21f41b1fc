import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { DirectiveDeliveryJob, EscalationStep, RecipientState } from '#contracts';
import { isExpired, nextEscalation } from '#domain';
import { AuditStore } from '#persistence';
import { JobQueue, LOGGER } from '#platform';
import { BoardService } from './board.service.js';
import { DirectiveOutbox, FAN_OUT_DELIVERY, type OutboxJob } from './outbox.js';
import { RecipientStateService } from './recipient-state.service.js';
import { toPushPayload, type DirectiveRow } from './views.js';

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

interface DueRow {
  site_id: string;
  escalation_level: number;
  state: string;
}

/**
 * Escalation (叫应): when a recipient misses its 签收 deadline: 1 re-deliver, 2 notify the
 * leader on duty and the issuer, 3 escalate to the parent site. The schedule is the
 * recipients' `next_escalation_at` and `escalation_level` columns; queue timers only wake
 * the check. A step advances the level with a conditional UPDATE in the same transaction
 * as its outbox jobs and audit entry, so a crash or restart neither skips nor repeats one.
 */
@Injectable()
export class EscalationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
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
        // a little grace, so the timer job (precise) normally wins over the sweep
        const due = (await this.dataSource.query(
          `(SELECT DISTINCT directive_id FROM directive_recipients
            WHERE next_escalation_at <= now() - interval '1 second' AND state IN ('pending', 'delivered', 'failed'))
           UNION
           (SELECT d.id FROM directives d
            WHERE d.status = 'issued' AND d.expires_at <= now() - interval '1 second'
              AND EXISTS (SELECT 1 FROM directive_recipients r
                          WHERE r.directive_id = d.id AND r.state IN ('pending', 'delivered', 'failed')))
           LIMIT 100`,
        )) as { directive_id: string }[];
        for (const d of due) await this.escalate(d.directive_id);
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
      const [directive] = (await tx.query(`SELECT * FROM directives WHERE id = $1`, [
        directiveId,
      ])) as DirectiveRow[];
      if (!directive || directive.status !== 'issued') return;
      const [{ now }] = (await tx.query('SELECT now() AS now')) as { now: Date }[];
      if (isExpired(directive.expires_at, now)) {
        changedSites.push(...(await this.expire(tx, directive)));
        return;
      }
      const due = (await tx.query(
        `SELECT site_id, escalation_level, state FROM directive_recipients
         WHERE directive_id = $1 AND next_escalation_at <= now() AND state IN ('pending', 'delivered', 'failed')
         ORDER BY site_id FOR UPDATE SKIP LOCKED`,
        [directiveId],
      )) as DueRow[];
      const steps: { row: DueRow; step: EscalationStep; newLevel: number; nextAt: Date | null }[] = [];
      for (const row of due) {
        const plan = nextEscalation(row.escalation_level, directive.level, directive.ack_within_seconds, now);
        if (plan) steps.push({ row, ...plan });
      }
      // past the last step: nothing left to schedule
      const finished = due
        .filter((r) => !steps.some((s) => s.row.site_id === r.site_id))
        .map((r) => r.site_id);
      if (finished.length) {
        await tx.query(
          'UPDATE directive_recipients SET next_escalation_at = NULL WHERE directive_id = $1 AND site_id = ANY($2::uuid[])',
          [directiveId, finished],
        );
      }
      if (steps.length === 0) return;
      await tx.query(
        `UPDATE directive_recipients r SET escalation_level = q.new_level, overdue = true, next_escalation_at = q.next_at, updated_at = now()
         FROM unnest($2::uuid[], $3::int[], $4::int[], $5::timestamptz[]) AS q(site_id, old_level, new_level, next_at)
         WHERE r.directive_id = $1 AND r.site_id = q.site_id AND r.escalation_level = q.old_level`,
        [
          directiveId,
          steps.map((s) => s.row.site_id),
          steps.map((s) => s.row.escalation_level),
          steps.map((s) => s.newLevel),
          steps.map((s) => s.nextAt?.toISOString() ?? null),
        ],
      );
      await this.state.insertEvents(
        tx,
        steps.map((s) => ({
          directiveId,
          siteId: s.row.site_id,
          type: `escalated:${s.step}`,
          from: s.row.state as never,
          to: s.row.state as never,
          via: 'system' as const,
          actorId: null,
          deviceId: null,
          note: null,
          data: { escalationLevel: s.newLevel },
        })),
      );
      await this.audit.appendMany(
        steps.map((s) => ({
          actorId: null,
          action: 'directive.escalate',
          subjectType: 'directive',
          subjectId: directiveId,
          data: { siteId: s.row.site_id, step: s.step, escalationLevel: s.newLevel },
        })),
        tx,
      );
      const jobs: OutboxJob[] = [];
      const redeliver = steps.filter((s) => s.step === 'redeliver');
      if (redeliver.length) {
        const messageId = randomUUID();
        const job: DirectiveDeliveryJob = {
          kind: 'directive',
          directiveId,
          messageId,
          siteIds: redeliver.map((s) => s.row.site_id),
          directive: toPushPayload(directive, 1),
        };
        jobs.push({ name: FAN_OUT_DELIVERY, data: job, key: `deliver:${messageId}` });
      }
      for (const s of steps) {
        const notice: EscalationNotice = {
          directiveId,
          siteId: s.row.site_id,
          step: s.step,
          escalationLevel: s.newLevel,
          at: now.toISOString(),
        };
        jobs.push({
          name: NOTIFY_JOB,
          data: notice,
          key: `notify:${directiveId}:${s.row.site_id}:${s.newLevel}`,
        });
      }
      const [{ next }] = (await tx.query(
        `SELECT min(next_escalation_at) AS next FROM directive_recipients
         WHERE directive_id = $1 AND state IN ('pending', 'delivered', 'failed')`,
        [directiveId],
      )) as { next: Date | null }[];
      if (next)
        jobs.push({
          name: ESCALATE_JOB,
          data: { directiveId },
          key: `escalate:${directiveId}:${next.getTime()}`,
          runAt: next,
        });
      await this.outbox.write(tx, jobs);
      changedSites.push(...steps.map((s) => s.row.site_id));
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
    const waiting = (await tx.query(
      `SELECT site_id, state FROM directive_recipients
       WHERE directive_id = $1 AND state IN ('pending', 'delivered', 'failed') ORDER BY site_id FOR UPDATE`,
      [directive.id],
    )) as { site_id: string; state: RecipientState }[];
    if (waiting.length === 0) return [];
    await tx.query(
      `UPDATE directive_recipients SET state = 'expired', next_escalation_at = NULL, updated_at = now()
       WHERE directive_id = $1 AND site_id = ANY($2::uuid[])`,
      [directive.id, waiting.map((w) => w.site_id)],
    );
    await this.state.insertEvents(
      tx,
      waiting.map((w) => ({
        directiveId: directive.id,
        siteId: w.site_id,
        type: 'expired',
        from: w.state,
        to: 'expired' as const,
        via: 'system' as const,
        actorId: null,
        deviceId: null,
        note: null,
        data: { expiresAt: directive.expires_at?.toISOString() },
      })),
    );
    await this.audit.appendMany(
      waiting.map((w) => ({
        actorId: null,
        action: 'directive.expire',
        subjectType: 'directive',
        subjectId: directive.id,
        data: { siteId: w.site_id, from: w.state, expiresAt: directive.expires_at?.toISOString() },
      })),
      tx,
    );
    await this.state.closeIfDone(tx, directive.id, null);
    return waiting.map((w) => w.site_id);
  }
}
