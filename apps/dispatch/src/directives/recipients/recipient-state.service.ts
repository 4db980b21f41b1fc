import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import type { RecipientState, TransitionVia } from '#contracts';
import {
  planReceipts,
  type AckReceipt,
  type DeliveredReceipt,
  type Receipt,
  type TakenTransition,
} from '#domain';
import type { AuditInput } from '#persistence';
import { AppConfig, DomainError, LOGGER } from '#platform';
import { GroupCommit } from '../shared/group-commit.js';
import { BoardService } from '../shared/board.service.js';
import { DirectiveChanges } from '../shared/directive-changes.js';
import type { DirectiveEvent } from '../shared/directive-events.repository.js';
import { RecipientsRepository } from './recipients.repository.js';

export type AckRequest = Omit<AckReceipt, 'kind'>;
export type DeliveredRequest = Omit<DeliveredReceipt, 'kind'>;

export type AckOutcome =
  | { ok: true; duplicate: boolean; state: RecipientState; acknowledgedAt: Date | null }
  | { ok: false; error: DomainError };

export interface FailedRequest {
  directiveId: string;
  siteId: string;
  via: TransitionVia;
  deviceId?: string | null;
  note?: string | null;
}

type TransitionResult = AckOutcome | boolean;

/** Largest batch per transaction: big enough to amortise a commit, small enough that the first acks are answered early. */
export const MAX_TRANSITION_BATCH = 1000;

/** The history row and the audit entry of one transition a batch took. */
function recordsOf(t: TakenTransition): { event: DirectiveEvent; audit: AuditInput } {
  const r = t.receipt;
  const deviceId = r.deviceId ?? null;
  if (r.kind === 'delivered') {
    return {
      event: { ...base(r, t), actorId: null, deviceId, note: null },
      audit: {
        actorId: null,
        action: 'directive.delivered',
        subjectType: 'directive',
        subjectId: r.directiveId,
        data: { siteId: r.siteId, via: r.via, deviceId: deviceId ?? undefined },
      },
    };
  }
  const pressed = t.press
    ? { pressedAt: t.press.at.toISOString(), ...(t.press.skew ? { clockSkew: t.press.skew } : {}) }
    : undefined;
  return {
    event: {
      ...base(r, t),
      actorId: r.actorId,
      deviceId,
      note: r.note ?? null,
      ...(pressed || r.onBehalf
        ? { data: { ...pressed, ...(r.onBehalf ? { onBehalf: r.onBehalf } : {}) } }
        : {}),
    },
    audit: {
      actorId: r.actorId,
      action: 'directive.ack',
      subjectType: 'directive',
      subjectId: r.directiveId,
      data: {
        siteId: r.siteId,
        via: r.via,
        deviceId: deviceId ?? undefined,
        note: r.note ?? undefined,
        ...pressed,
        ...(r.onBehalf ? { onBehalf: r.onBehalf } : {}),
      },
    },
  };
}

function base(r: Receipt, t: TakenTransition) {
  return { directiveId: r.directiveId, siteId: r.siteId, type: t.to, from: t.from, to: t.to, via: r.via };
}

/**
 * The one place recipient state changes from outside: 签收 and delivery receipts from any
 * channel (they arrive through ChannelReports, or from a console's own 签收). Receipts and
 * acks share one group commit, so a batch is one transaction: the rows are locked once, the
 * rules of libs/domain `planReceipts` decide what each receipt does given the ones before
 * it, and the batch writes one multi-row UPDATE with its history and one audit append. A
 * repeated ack is recorded once. Callers are answered only after the commit: an
 * `{ok: true}` is durable.
 */
@Injectable()
export class RecipientStateService {
  private readonly batches: GroupCommit<Receipt, TransitionResult>;
  private readonly clockToleranceMs: number;
  private readonly lateAckGraceMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly recipients: RecipientsRepository,
    private readonly changes: DirectiveChanges,
    private readonly board: BoardService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(AppConfig) config?: AppConfig,
  ) {
    // PostgreSQL: two batches in flight overlap their round trips (rows are locked in one
    // order and the audit lock is taken last, so they cannot deadlock); PGlite has one connection
    const inFlight = config?.mode === 'cluster' ? 2 : 1;
    this.clockToleranceMs = (config?.raw.TERMINAL_CLOCK_SKEW_SECONDS ?? 120) * 1000;
    this.lateAckGraceMs = (config?.raw.TERMINAL_LATE_ACK_GRACE_SECONDS ?? 300) * 1000;
    this.batches = new GroupCommit((items) => this.flush(items), MAX_TRANSITION_BATCH, inFlight);
  }

  /** Records 签收. Resolves with the outcome; never throws for a bad request (see `error`). */
  acknowledge(req: AckRequest): Promise<AckOutcome> {
    return this.batches.submit({ kind: 'ack', ...req }) as Promise<AckOutcome>;
  }

  /** Records that a channel delivered to the site (first channel wins). True if this changed the recipient. */
  markDelivered(req: DeliveredRequest): Promise<boolean> {
    return this.batches.submit({ kind: 'delivered', ...req }) as Promise<boolean>;
  }

  /** A channel could not reach the site: pending → failed (escalation's re-delivery may still reach it). */
  async markFailed(req: FailedRequest): Promise<void> {
    let changed = false;
    await this.dataSource.transaction(async (tx) => {
      changed = await this.recipients.markFailed(tx, req.directiveId, req.siteId);
      if (!changed) return;
      await this.changes.record(tx, {
        events: [
          {
            directiveId: req.directiveId,
            siteId: req.siteId,
            type: 'failed',
            from: 'pending',
            to: 'failed',
            via: req.via,
            actorId: null,
            deviceId: req.deviceId ?? null,
            note: req.note ?? null,
          },
        ],
        audit: [
          {
            actorId: null,
            action: 'directive.delivery_failed',
            subjectType: 'directive',
            subjectId: req.directiveId,
            data: { siteId: req.siteId, via: req.via, deviceId: req.deviceId ?? undefined, note: req.note },
          },
        ],
      });
    });
    if (changed) this.board.changed(req.directiveId, [req.siteId]);
  }

  private async flush(items: Receipt[]): Promise<TransitionResult[]> {
    const started = performance.now();
    let results: TransitionResult[] = [];
    let changed: { directiveId: string; siteId: string }[] = [];
    await this.dataSource.transaction(async (tx) => {
      const found = await this.recipients.lockForReceipts(tx, items);
      const plan = planReceipts(items, found, this.clockToleranceMs, this.lateAckGraceMs);
      const records = plan.transitions.map(recordsOf);
      // the batch's commit time is the recorded 签收 time, known only once the rows are written
      const at = plan.rows.length
        ? await this.recipients.applyReceipts(
            tx,
            plan.rows,
            records.map((r) => r.event),
          )
        : null;
      // history went with the rows (one statement); the audit goes last (see DirectiveChanges)
      await this.changes.record(tx, { audit: records.map((r) => r.audit) });
      results = plan.verdicts.map((v): TransitionResult => {
        if (v.kind === 'delivered') return v.changed;
        if (v.kind === 'refused') return { ok: false, error: new DomainError(v.code, v.message) };
        return {
          ok: true,
          duplicate: v.duplicate,
          state: v.state,
          acknowledgedAt: v.inBatch ? at : v.acknowledgedAt,
        };
      });
      changed = plan.rows;
    });
    this.notifyBoards(changed);
    this.logger.debug(
      { batch: items.length, changed: changed.length, ms: Math.round(performance.now() - started) },
      'recipient transitions committed',
    );
    return results;
  }

  /** Closes the directive when every recipient has completed or expired. */
  async closeIfDone(tx: EntityManager, id: string, actorId: string | null): Promise<boolean> {
    if (!(await this.recipients.closeDirectiveIfDone(tx, id))) return false;
    await this.changes.record(tx, {
      events: [
        {
          directiveId: id,
          siteId: null,
          type: 'closed',
          from: null,
          to: null,
          via: 'system',
          actorId: null,
          deviceId: null,
          note: null,
        },
      ],
      audit: [
        {
          actorId,
          action: 'directive.close',
          subjectType: 'directive',
          subjectId: id,
          data: { reason: 'every recipient completed or expired' },
        },
      ],
    });
    return true;
  }

  private notifyBoards(reqs: { directiveId: string; siteId: string }[]): void {
    const byDirective = new Map<string, string[]>();
    for (const r of reqs) {
      const list = byDirective.get(r.directiveId) ?? [];
      list.push(r.siteId);
      byDirective.set(r.directiveId, list);
    }
    for (const [id, sites] of byDirective) this.board.changed(id, sites);
  }
}
