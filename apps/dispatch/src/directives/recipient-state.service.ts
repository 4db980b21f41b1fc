import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ChannelReportSchema, type ChannelReport, type RecipientState, type TransitionVia } from '#contracts';
import { ACKABLE_STATES } from '#domain';
import { AuditStore } from '#persistence';
import { AppConfig, DomainError, LOGGER } from '#platform';
import { BoardService } from './board.service.js';
import { GroupCommit } from './group-commit.js';

export interface AckRequest {
  directiveId: string;
  siteId: string;
  /** the person who acknowledged; null when a device reports a key press by someone unknown */
  actorId: string | null;
  via: TransitionVia;
  note?: string | null;
  deviceId?: string | null;
}

export type AckOutcome =
  | { ok: true; duplicate: boolean; state: RecipientState; acknowledgedAt: Date | null }
  | { ok: false; error: DomainError };

export interface DeliveredRequest {
  directiveId: string;
  siteId: string;
  via: TransitionVia;
  deviceId?: string | null;
}

interface LockedRow {
  directive_id: string;
  site_id: string;
  state: RecipientState;
  acknowledged_at: Date | null;
  status: 'issued' | 'cancelled' | 'closed';
  /** the directive's validity has passed */
  expired: boolean;
}

const key = (d: string, s: string) => `${d}/${s}`;

type AuditInput = Parameters<AuditStore['appendMany']>[0][number];

/** A row of a recipient's history (`directive_events`). */
export interface RecipientEvent {
  directiveId: string;
  siteId: string | null;
  type: string;
  from: RecipientState | null;
  to: RecipientState | null;
  via: TransitionVia | null;
  actorId: string | null;
  deviceId: string | null;
  note: string | null;
  data?: Record<string, unknown>;
}

/** The history rows as the ten column arrays of a multi-row INSERT ... SELECT FROM unnest(...). */
function eventColumns(events: RecipientEvent[]): unknown[][] {
  return [
    events.map((e) => e.directiveId),
    events.map((e) => e.siteId),
    events.map((e) => e.type),
    events.map((e) => e.from),
    events.map((e) => e.to),
    events.map((e) => e.via),
    events.map((e) => e.actorId),
    events.map((e) => e.deviceId),
    events.map((e) => e.note),
    events.map((e) => (e.data ? JSON.stringify(e.data) : null)),
  ];
}

/** Whether a 签收 is taken, is a repeat (answered ok, recorded once), or is refused with a reason. */
function ackVerdict(
  req: AckRequest,
  row: LockedRow | undefined,
  current: RecipientState | undefined,
): 'accept' | 'duplicate' | DomainError {
  if (!row || !current)
    return new DomainError(
      'forbidden',
      `directive ${req.directiveId} is not addressed to site ${req.siteId}`,
    );
  if (row.status === 'cancelled')
    return new DomainError('conflict', `directive ${row.directive_id} was cancelled`);
  if (current === 'expired' || (row.expired && ACKABLE_STATES.includes(current))) {
    return new DomainError('conflict', `directive ${row.directive_id} has expired`);
  }
  if (!ACKABLE_STATES.includes(current) || row.status === 'closed') return 'duplicate';
  return 'accept';
}

/** One request in a group commit: a delivery receipt or a 签收. */
type Transition = { kind: 'delivered'; req: DeliveredRequest } | { kind: 'ack'; req: AckRequest };
type TransitionResult = AckOutcome | boolean;

/** Largest batch per transaction: big enough to amortise a commit, small enough that the first acks are answered early. */
export const MAX_TRANSITION_BATCH = 1000;

/** What one batch does to one recipient row (several transitions may fold into it). */
interface RowPlan {
  directiveId: string;
  siteId: string;
  state: RecipientState;
  deliveredVia: TransitionVia | null;
  ack: AckRequest | null;
}

/**
 * The one place recipient state changes from outside: 签收 and delivery receipts from any
 * channel (console, terminal, radio, on behalf). Receipts and acks share one group
 * commit, so a batch is one transaction: the rows are locked once, each transition is
 * checked against the state left by the ones before it (a receipt and the 签收 right
 * after it fold into one row update), and the batch writes one multi-row UPDATE, one
 * multi-row history INSERT and one audit append. A repeated ack (double click, two
 * officers, a duplicated MQTT message) is recorded once. Callers are answered only after
 * the commit: an `{ok: true}` is durable.
 */
@Injectable()
export class RecipientStateService {
  private readonly batches: GroupCommit<Transition, TransitionResult>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly board: BoardService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(AppConfig) config?: AppConfig,
  ) {
    // PostgreSQL: two batches in flight overlap their round trips (rows are locked in one
    // order and the audit lock is taken last, so they cannot deadlock); PGlite has one connection
    const inFlight = config?.mode === 'cluster' ? 2 : 1;
    this.batches = new GroupCommit((items) => this.flush(items), MAX_TRANSITION_BATCH, inFlight);
  }

  /** Records 签收. Resolves with the outcome; never throws for a bad request (see `error`). */
  acknowledge(req: AckRequest): Promise<AckOutcome> {
    return this.batches.submit({ kind: 'ack', req }) as Promise<AckOutcome>;
  }

  /** Records that a channel delivered to the site (first channel wins). True if this changed the recipient. */
  markDelivered(req: DeliveredRequest): Promise<boolean> {
    return this.batches.submit({ kind: 'delivered', req }) as Promise<boolean>;
  }

  /**
   * A channel's report (docs/channels.md): delivered, acknowledged (by a person) or failed.
   * Idempotent; a report that no longer applies is logged and dropped.
   */
  async report(input: ChannelReport): Promise<void> {
    const report = ChannelReportSchema.parse(input);
    if (report.kind === 'delivered') {
      await this.markDelivered({
        directiveId: report.directiveId,
        siteId: report.siteId,
        via: report.channel,
        deviceId: report.deviceId,
      });
    } else if (report.kind === 'acknowledged') {
      const outcome = await this.acknowledge({
        directiveId: report.directiveId,
        siteId: report.siteId,
        actorId: report.actorId ?? null,
        via: report.channel,
        note: report.note ?? null,
        deviceId: report.deviceId ?? null,
      });
      if (!outcome.ok) this.logger.warn({ report, reason: outcome.error.message }, 'channel ack dropped');
    } else {
      await this.markFailed(report);
    }
  }

  private async lockRows(
    tx: import('typeorm').EntityManager,
    pairs: { directiveId: string; siteId: string }[],
  ): Promise<Map<string, LockedRow>> {
    const unique = new Map(pairs.map((p) => [key(p.directiveId, p.siteId), p]));
    const list = [...unique.values()];
    const rows = (await tx.query(
      `SELECT r.directive_id, r.site_id, r.state, r.acknowledged_at, d.status,
              (d.expires_at IS NOT NULL AND d.expires_at <= now()) AS expired
       FROM directive_recipients r
       JOIN unnest($1::uuid[], $2::uuid[]) AS q(directive_id, site_id)
         ON q.directive_id = r.directive_id AND q.site_id = r.site_id
       JOIN directives d ON d.id = r.directive_id
       ORDER BY r.directive_id, r.site_id
       FOR UPDATE OF r`,
      [list.map((p) => p.directiveId), list.map((p) => p.siteId)],
    )) as LockedRow[];
    return new Map(rows.map((r) => [key(r.directive_id, r.site_id), r]));
  }

  private async flush(items: Transition[]): Promise<TransitionResult[]> {
    const started = performance.now();
    const results: TransitionResult[] = new Array(items.length);
    const changed: { directiveId: string; siteId: string }[] = [];
    await this.dataSource.transaction(async (tx) => {
      const locked = await this.lockRows(
        tx,
        items.map((t) => t.req),
      );
      const plans = new Map<string, RowPlan>();
      const events: RecipientEvent[] = [];
      const audits: AuditInput[] = [];
      const acked: number[] = [];
      items.forEach((item, i) => {
        const k = key(item.req.directiveId, item.req.siteId);
        const row = locked.get(k);
        const plan = plans.get(k);
        const current = plan?.state ?? row?.state;
        if (item.kind === 'delivered') {
          const req = item.req;
          results[i] = false;
          if (
            !row ||
            row.status !== 'issued' ||
            row.expired ||
            (current !== 'pending' && current !== 'failed')
          )
            return;
          const p = plan ?? {
            directiveId: req.directiveId,
            siteId: req.siteId,
            state: current,
            deliveredVia: null,
            ack: null,
          };
          p.state = 'delivered';
          p.deliveredVia = req.via;
          plans.set(k, p);
          events.push({
            directiveId: req.directiveId,
            siteId: req.siteId,
            type: 'delivered',
            from: current,
            to: 'delivered',
            via: req.via,
            actorId: null,
            deviceId: req.deviceId ?? null,
            note: null,
          });
          audits.push({
            actorId: null,
            action: 'directive.delivered',
            subjectType: 'directive',
            subjectId: req.directiveId,
            data: { siteId: req.siteId, via: req.via, deviceId: req.deviceId ?? undefined },
          });
          results[i] = true;
          return;
        }
        const req = item.req;
        const verdict = ackVerdict(req, row, current);
        if (verdict !== 'accept') {
          results[i] =
            verdict === 'duplicate'
              ? {
                  ok: true,
                  duplicate: true,
                  state: current!,
                  acknowledgedAt: plan?.ack ? null : (row?.acknowledged_at ?? null),
                }
              : { ok: false, error: verdict };
          if (verdict === 'duplicate' && plan?.ack) acked.push(i);
          return;
        }
        const p = plan ?? {
          directiveId: req.directiveId,
          siteId: req.siteId,
          state: current!,
          deliveredVia: null,
          ack: null,
        };
        p.state = 'acknowledged';
        p.ack = req;
        plans.set(k, p);
        events.push({
          directiveId: req.directiveId,
          siteId: req.siteId,
          type: 'acknowledged',
          from: current!,
          to: 'acknowledged',
          via: req.via,
          actorId: req.actorId,
          deviceId: req.deviceId ?? null,
          note: req.note ?? null,
        });
        audits.push({
          actorId: req.actorId,
          action: 'directive.ack',
          subjectType: 'directive',
          subjectId: req.directiveId,
          data: {
            siteId: req.siteId,
            via: req.via,
            deviceId: req.deviceId ?? undefined,
            note: req.note ?? undefined,
          },
        });
        results[i] = { ok: true, duplicate: false, state: 'acknowledged', acknowledgedAt: null };
        acked.push(i);
      });
      if (plans.size === 0) return;
      const ps = [...plans.values()];
      // one statement for the rows and their history (fewer round trips: under a storm of
      // acks each one waits its turn in a busy event loop); now() is the transaction's time
      const ev = eventColumns(events);
      const [first] = (await tx.query(
        `WITH changed AS (
           UPDATE directive_recipients r SET
             state = q.state,
             delivered_at = CASE WHEN r.delivered_at IS NULL AND (q.delivered_via IS NOT NULL OR q.acked) THEN now() ELSE r.delivered_at END,
             delivered_via = coalesce(r.delivered_via, q.delivered_via, q.ack_via),
             acknowledged_at = CASE WHEN q.acked THEN now() ELSE r.acknowledged_at END,
             acknowledged_by = CASE WHEN q.acked THEN q.actor_id ELSE r.acknowledged_by END,
             acknowledged_via = CASE WHEN q.acked THEN q.ack_via ELSE r.acknowledged_via END,
             ack_note = CASE WHEN q.acked THEN q.note ELSE r.ack_note END,
             next_escalation_at = CASE WHEN q.acked THEN NULL ELSE r.next_escalation_at END,
             updated_at = now()
           FROM unnest($1::uuid[], $2::uuid[], $3::recipient_state[], $4::varchar[], $5::bool[], $6::uuid[], $7::varchar[], $8::text[])
                AS q(directive_id, site_id, state, delivered_via, acked, actor_id, ack_via, note)
           WHERE r.directive_id = q.directive_id AND r.site_id = q.site_id
           RETURNING 1),
         history AS (
           INSERT INTO directive_events (directive_id, site_id, type, from_state, to_state, via, actor_id, device_id, note, data)
           SELECT * FROM unnest($9::uuid[], $10::uuid[], $11::varchar[], $12::recipient_state[], $13::recipient_state[],
                                $14::varchar[], $15::uuid[], $16::varchar[], $17::text[], $18::jsonb[]))
         SELECT now() AS at, (SELECT count(*) FROM changed) AS n`,
        [
          ps.map((p) => p.directiveId),
          ps.map((p) => p.siteId),
          ps.map((p) => p.state),
          ps.map((p) => p.deliveredVia),
          ps.map((p) => p.ack !== null),
          ps.map((p) => p.ack?.actorId ?? null),
          ps.map((p) => p.ack?.via ?? null),
          ps.map((p) => p.ack?.note ?? null),
          ...ev,
        ],
      )) as { at: Date; n: string }[];
      const at = first?.at ?? new Date();
      for (const i of acked) {
        const r = results[i] as AckOutcome;
        if (r.ok && r.acknowledgedAt === null) r.acknowledgedAt = at;
      }
      await this.audit.appendMany(audits, tx);
      changed.push(...ps);
    });
    this.notifyBoards(changed);
    this.logger.debug(
      { batch: items.length, changed: changed.length, ms: Math.round(performance.now() - started) },
      'recipient transitions committed',
    );
    return results;
  }

  private async markFailed(report: ChannelReport): Promise<void> {
    let changed = false;
    await this.dataSource.transaction(async (tx) => {
      const [rows] = (await tx.query(
        `UPDATE directive_recipients r SET state = 'failed', updated_at = now()
         FROM directives d
         WHERE r.directive_id = $1 AND r.site_id = $2 AND r.state = 'pending' AND d.id = r.directive_id AND d.status = 'issued'
         RETURNING r.site_id`,
        [report.directiveId, report.siteId],
      )) as [unknown[], number];
      if (rows.length === 0) return;
      changed = true;
      await this.insertEvents(tx, [
        {
          directiveId: report.directiveId,
          siteId: report.siteId,
          type: 'failed',
          from: 'pending',
          to: 'failed',
          via: report.channel,
          actorId: null,
          deviceId: report.deviceId ?? null,
          note: report.note ?? null,
        },
      ]);
      await this.audit.append(
        {
          actorId: null,
          action: 'directive.delivery_failed',
          subjectType: 'directive',
          subjectId: report.directiveId,
          data: {
            siteId: report.siteId,
            via: report.channel,
            deviceId: report.deviceId ?? undefined,
            note: report.note,
          },
        },
        tx,
      );
    });
    if (changed) this.board.changed(report.directiveId, [report.siteId]);
  }

  /** Closes the directive when every recipient has completed or expired. */
  async closeIfDone(
    tx: import('typeorm').EntityManager,
    id: string,
    actorId: string | null,
  ): Promise<boolean> {
    const [rows] = (await tx.query(
      `UPDATE directives SET status = 'closed', closed_at = now()
       WHERE id = $1 AND status = 'issued'
         AND NOT EXISTS (SELECT 1 FROM directive_recipients WHERE directive_id = $1 AND state NOT IN ('completed', 'expired'))
       RETURNING id`,
      [id],
    )) as [unknown[], number];
    if (rows.length === 0) return false;
    await this.insertEvents(tx, [
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
    ]);
    await this.audit.append(
      {
        actorId,
        action: 'directive.close',
        subjectType: 'directive',
        subjectId: id,
        data: { reason: 'every recipient completed or expired' },
      },
      tx,
    );
    return true;
  }

  async insertEvents(tx: import('typeorm').EntityManager, events: RecipientEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO directive_events (directive_id, site_id, type, from_state, to_state, via, actor_id, device_id, note, data)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::recipient_state[], $5::recipient_state[],
                            $6::varchar[], $7::uuid[], $8::varchar[], $9::text[], $10::jsonb[])`,
      eventColumns(events),
    );
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
