import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DrillConsultationRow, DrillItemRow } from '#domain';

type DrillDailyState = 'pending' | 'submitted' | 'zero' | 'late' | 'missing';

const seconds = (from: string, to: string) =>
  `CASE WHEN ${to} IS NOT NULL THEN GREATEST(0, round(EXTRACT(EPOCH FROM ${to} - ${from})))::int END`;

/**
 * What was done in a drill, one row per item and site (SQL only here; the figures are
 * libs/domain/src/drills.ts drillReport). Only rows carrying this drill's id are read: the
 * real statistics leave drill items out, this is the one place that counts them.
 *
 * The drill's directives (and checks) are looked up first and their recipients then by
 * id: joined in one statement, PostgreSQL misjudged the drill's share and hash-joined a
 * scan of every recipient (50-150 ms beside 1,000,000 real recipient rows, 2026-12-07); by
 * id it reads only the drill's rows. No site filter: drillReport keeps the reader's sites.
 */
@Injectable()
export class DrillReportRepository {
  constructor(private readonly dataSource: DataSource) {}

  async items(drillId: string): Promise<DrillItemRow[]> {
    const args = [drillId];
    const ids = async (sql: string) =>
      ((await this.dataSource.query(sql, args)) as { id: string }[]).map((r) => r.id);
    const directiveIds = await ids(`SELECT id FROM directives WHERE drill_id = $1`);
    const directives = (await this.dataSource.query(
      `SELECT r.site_id, (r.delivered_at IS NOT NULL) AS delivered,
              ${seconds('d.issued_at', 'r.acknowledged_at')} AS ack_s,
              ${seconds('d.issued_at', 'r.completed_at')} AS answer_s
       FROM directive_recipients r JOIN directives d ON d.id = r.directive_id
       WHERE r.directive_id = ANY($1::uuid[])`,
      [directiveIds],
    )) as { site_id: string; delivered: boolean; ack_s: number | null; answer_s: number | null }[];
    const checks = (await this.dataSource.query(
      `SELECT t.site_id, t.state, CASE WHEN t.latency_ms IS NOT NULL THEN round(t.latency_ms / 1000.0)::int END AS answer_s
       FROM spot_check_targets t WHERE t.check_id = ANY($1::uuid[])`,
      [await ids(`SELECT id FROM spot_checks WHERE drill_id = $1`)],
    )) as { site_id: string; state: 'pending' | 'answered' | 'late' | 'missed'; answer_s: number | null }[];
    const incidents = (await this.dataSource.query(
      `SELECT i.site_id, count(r.id)::int AS submitted, (count(r.id) FILTER (WHERE r.late_by_s > 0))::int AS late
       FROM incidents i LEFT JOIN incident_reports r ON r.incident_id = i.id
       WHERE i.drill_id = $1
       GROUP BY i.id, i.site_id`,
      args,
    )) as { site_id: string; submitted: number; late: number }[];
    // a warning reaches its sites as the directive that carries it
    const warnings = (await this.dataSource.query(
      `SELECT r.site_id, (r.delivered_at IS NOT NULL) AS delivered, (r.acknowledged_at IS NOT NULL) AS acknowledged
       FROM directive_recipients r WHERE r.directive_id = ANY($1::uuid[])`,
      [await ids(`SELECT directive_id AS id FROM warnings WHERE drill_id = $1 AND directive_id IS NOT NULL`)],
    )) as { site_id: string; delivered: boolean; acknowledged: boolean }[];
    // how fast: from the round's opening (when the site was asked) to its first report
    const daily = (await this.dataSource.query(
      `SELECT t.site_id, t.state, ${seconds('r.created_at', 't.first_at')} AS submit_s
       FROM daily_report_targets t JOIN daily_report_rounds r ON r.id = t.round_id
       WHERE r.drill_id = $1`,
      args,
    )) as { site_id: string; state: DrillDailyState; submit_s: number | null }[];
    return [
      ...directives.map((r) => ({
        kind: 'directive' as const,
        siteId: r.site_id,
        delivered: r.delivered,
        ackSeconds: r.ack_s,
        answerSeconds: r.answer_s,
      })),
      ...checks.map((r) => ({
        kind: 'spot_check' as const,
        siteId: r.site_id,
        state: r.state,
        answerSeconds: r.answer_s,
      })),
      ...incidents.map((r) => ({
        kind: 'incident' as const,
        siteId: r.site_id,
        submitted: r.submitted,
        late: r.late,
      })),
      ...warnings.map((r) => ({
        kind: 'warning' as const,
        siteId: r.site_id,
        delivered: r.delivered,
        acknowledged: r.acknowledged,
      })),
      ...daily.map((r) => ({
        kind: 'daily_report' as const,
        siteId: r.site_id,
        state: r.state,
        submitSeconds: r.submit_s,
      })),
    ];
  }

  /** The drill's 视频会商 with each site's first join (the attendance keeps every join). */
  async consultations(drillId: string): Promise<DrillConsultationRow[]> {
    const heads = (await this.dataSource.query(
      `SELECT id, title, state::text AS state, created_at, scheduled_at, ended_at, site_ids::text[] AS site_ids
       FROM consultations WHERE drill_id = $1 ORDER BY created_at, id`,
      [drillId],
    )) as {
      id: string;
      title: string;
      state: DrillConsultationRow['state'];
      created_at: Date;
      scheduled_at: Date | null;
      ended_at: Date | null;
      site_ids: string[];
    }[];
    if (!heads.length) return [];
    const joins = (await this.dataSource.query(
      `SELECT consultation_id, site_id, min(joined_at) AS joined_at FROM consultation_attendance
       WHERE consultation_id = ANY($1::uuid[]) GROUP BY consultation_id, site_id`,
      [heads.map((h) => h.id)],
    )) as { consultation_id: string; site_id: string; joined_at: Date }[];
    return heads.map((h) => ({
      id: h.id,
      title: h.title,
      state: h.state,
      createdAt: h.created_at,
      scheduledAt: h.scheduled_at,
      endedAt: h.ended_at,
      siteIds: h.site_ids,
      joins: joins
        .filter((j) => j.consultation_id === h.id)
        .map((j) => ({ siteId: j.site_id, joinedAt: j.joined_at })),
    }));
  }
}
