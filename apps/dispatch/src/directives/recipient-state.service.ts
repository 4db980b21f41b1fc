import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ChannelReportSchema, type ChannelReport, type RecipientState, type TransitionVia } from '#contracts';
import { ACKABLE_STATES } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError, LOGGER } from '#platform';
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
}

const key = (d: string, s: string) => `${d}/${s}`;

/**
 * The one place recipient state changes from outside: 签收 and delivery receipts from any
 * channel (console, terminal, radio, on behalf). Requests are group-committed; each
 * transition is conditional on the current state, so a repeated ack (double click, two
 * officers, a duplicated MQTT message) is recorded once. Every transition is written to
 * the recipient's history and the audit chain in the same transaction.
 */
@Injectable()
export class RecipientStateService {
  private readonly acks = new GroupCommit<AckRequest, AckOutcome>((reqs) => this.flushAcks(reqs), 2000);
  private readonly deliveries = new GroupCommit<DeliveredRequest, boolean>((reqs) => this.flushDelivered(reqs), 2000);

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly board: BoardService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Records 签收. Resolves with the outcome; never throws for a bad request (see `error`). */
  acknowledge(req: AckRequest): Promise<AckOutcome> {
    return this.acks.submit(req);
  }

  /** Records that a channel delivered to the site (first channel wins). True if this changed the recipient. */
  markDelivered(req: DeliveredRequest): Promise<boolean> {
    return this.deliveries.submit(req);
  }

  /**
   * A channel's report (docs/channels.md): delivered, acknowledged (by a person) or failed.
   * Idempotent; a report that no longer applies is logged and dropped.
   */
  async report(input: ChannelReport): Promise<void> {
    const report = ChannelReportSchema.parse(input);
    if (report.kind === 'delivered') {
      await this.markDelivered({ directiveId: report.directiveId, siteId: report.siteId, via: report.channel, deviceId: report.deviceId });
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
    const rows = (await tx.query(
      `SELECT r.directive_id, r.site_id, r.state, r.acknowledged_at, d.status
       FROM directive_recipients r
       JOIN unnest($1::uuid[], $2::uuid[]) AS q(directive_id, site_id)
         ON q.directive_id = r.directive_id AND q.site_id = r.site_id
       JOIN directives d ON d.id = r.directive_id
       ORDER BY r.directive_id, r.site_id
       FOR UPDATE OF r`,
      [pairs.map((p) => p.directiveId), pairs.map((p) => p.siteId)],
    )) as LockedRow[];
    return new Map(rows.map((r) => [key(r.directive_id, r.site_id), r]));
  }

  private async flushAcks(reqs: AckRequest[]): Promise<AckOutcome[]> {
    const outcomes: AckOutcome[] = new Array(reqs.length);
    const changed: AckRequest[] = [];
    await this.dataSource.transaction(async (tx) => {
      const locked = await this.lockRows(tx, reqs);
      const taken = new Set<string>();
      const accepted: { req: AckRequest; from: RecipientState }[] = [];
      reqs.forEach((req, i) => {
        const k = key(req.directiveId, req.siteId);
        const row = locked.get(k);
        if (!row) {
          outcomes[i] = {
            ok: false,
            error: new DomainError('forbidden', `directive ${req.directiveId} is not addressed to site ${req.siteId}`),
          };
        } else if (row.status === 'cancelled') {
          outcomes[i] = { ok: false, error: new DomainError('conflict', `directive ${req.directiveId} was cancelled`) };
        } else if (taken.has(k) || !ACKABLE_STATES.includes(row.state) || row.status === 'closed') {
          outcomes[i] = { ok: true, duplicate: true, state: row.state, acknowledgedAt: row.acknowledged_at };
        } else {
          taken.add(k);
          accepted.push({ req, from: row.state });
          outcomes[i] = { ok: true, duplicate: false, state: 'acknowledged', acknowledgedAt: null };
        }
      });
      if (accepted.length === 0) return;
      const rs = accepted.map((a) => a.req);
      const [updated] = (await tx.query(
        `UPDATE directive_recipients r SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = q.actor_id,
           acknowledged_via = q.via, ack_note = q.note, next_escalation_at = NULL, updated_at = now(),
           delivered_at = coalesce(r.delivered_at, now()), delivered_via = coalesce(r.delivered_via, q.via)
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::varchar[], $5::text[]) AS q(directive_id, site_id, actor_id, via, note)
         WHERE r.directive_id = q.directive_id AND r.site_id = q.site_id
         RETURNING r.acknowledged_at`,
        [rs.map((r) => r.directiveId), rs.map((r) => r.siteId), rs.map((r) => r.actorId), rs.map((r) => r.via), rs.map((r) => r.note ?? null)],
      )) as [{ acknowledged_at: Date }[], number];
      const at = updated[0]?.acknowledged_at ?? new Date();
      for (const o of outcomes) if (o.ok && !o.duplicate) o.acknowledgedAt = at;
      await this.insertEvents(
        tx,
        accepted.map(({ req, from }) => ({
          directiveId: req.directiveId,
          siteId: req.siteId,
          type: 'acknowledged',
          from,
          to: 'acknowledged',
          via: req.via,
          actorId: req.actorId,
          deviceId: req.deviceId ?? null,
          note: req.note ?? null,
        })),
      );
      await this.audit.appendMany(
        rs.map((r) => ({
          actorId: r.actorId,
          action: 'directive.ack',
          subjectType: 'directive',
          subjectId: r.directiveId,
          data: { siteId: r.siteId, via: r.via, deviceId: r.deviceId ?? undefined, note: r.note ?? undefined },
        })),
        tx,
      );
      changed.push(...rs);
    });
    this.notifyBoards(changed);
    return outcomes;
  }

  private async flushDelivered(reqs: DeliveredRequest[]): Promise<boolean[]> {
    const results: boolean[] = reqs.map(() => false);
    const changed: DeliveredRequest[] = [];
    await this.dataSource.transaction(async (tx) => {
      const locked = await this.lockRows(tx, reqs);
      const taken = new Set<string>();
      const accepted: { req: DeliveredRequest; from: RecipientState; to: RecipientState }[] = [];
      reqs.forEach((req, i) => {
        const k = key(req.directiveId, req.siteId);
        const row = locked.get(k);
        if (!row || row.status !== 'issued' || taken.has(k)) return;
        if (row.state !== 'pending' && row.state !== 'failed') return;
        taken.add(k);
        accepted.push({ req, from: row.state, to: 'delivered' });
        results[i] = true;
      });
      if (accepted.length === 0) return;
      const rs = accepted.map((a) => a.req);
      await tx.query(
        `UPDATE directive_recipients r SET state = 'delivered', delivered_at = now(), delivered_via = q.via, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::varchar[]) AS q(directive_id, site_id, via)
         WHERE r.directive_id = q.directive_id AND r.site_id = q.site_id AND r.state IN ('pending', 'failed')`,
        [rs.map((r) => r.directiveId), rs.map((r) => r.siteId), rs.map((r) => r.via)],
      );
      await this.insertEvents(
        tx,
        accepted.map(({ req, from, to }) => ({
          directiveId: req.directiveId,
          siteId: req.siteId,
          type: 'delivered',
          from,
          to,
          via: req.via,
          actorId: null,
          deviceId: req.deviceId ?? null,
          note: null,
        })),
      );
      await this.audit.appendMany(
        rs.map((r) => ({
          actorId: null,
          action: 'directive.delivered',
          subjectType: 'directive',
          subjectId: r.directiveId,
          data: { siteId: r.siteId, via: r.via, deviceId: r.deviceId ?? undefined },
        })),
        tx,
      );
      changed.push(...rs);
    });
    this.notifyBoards(changed);
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
          data: { siteId: report.siteId, via: report.channel, deviceId: report.deviceId ?? undefined, note: report.note },
        },
        tx,
      );
    });
    if (changed) this.board.changed(report.directiveId, [report.siteId]);
  }

  async insertEvents(
    tx: import('typeorm').EntityManager,
    events: {
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
    }[],
  ): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO directive_events (directive_id, site_id, type, from_state, to_state, via, actor_id, device_id, note, data)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::recipient_state[], $5::recipient_state[],
                            $6::varchar[], $7::uuid[], $8::varchar[], $9::text[], $10::jsonb[])`,
      [
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
      ],
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
