import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  Hazard,
  ResponseActionKind,
  ResponseActionState,
  ResponseDirectiveCounts,
  ResponseLevel,
} from '#contracts';

export interface ResponseRow {
  id: string;
  plan_id: string;
  plan_version: number;
  plan_name: string;
  hazard: Hazard;
  level: ResponseLevel;
  incident_id: string | null;
  drill: boolean;
  drill_id: string | null;
  consultation_id: string | null;
  started_by: string;
  starter_site_id: string;
  starter_site_path: string;
  started_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
  summary: string | null;
}

export interface ResponseActionRow {
  id: string;
  response_id: string;
  seq: number;
  level: ResponseLevel;
  kind: ResponseActionKind;
  title: string;
  spec: Record<string, unknown>;
  state: ResponseActionState;
  reason: string | null;
  directive_id: string | null;
  consultation_id: string | null;
  warning_id: string | null;
  site_ids: string[];
  team_alerts: { teamId: string; directiveId: string }[] | null;
  created_at: Date;
  attempted_at: Date;
}

export interface NewResponseAction {
  id: string;
  level: ResponseLevel;
  kind: ResponseActionKind;
  title: string;
  spec: unknown;
}

const RESPONSE = `r.*, v.name AS plan_name, v.hazard
  FROM responses r JOIN plan_versions v ON v.plan_id = r.plan_id AND v.version = r.plan_version`;

/** Responses, their actions and level history (SQL only here). */
@Injectable()
export class ResponsesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** false when a running response of the incident already has this level (the unique index). */
  async insert(
    tx: EntityManager,
    r: {
      id: string;
      planId: string;
      planVersion: number;
      level: ResponseLevel;
      incidentId: string | null;
      drill: boolean;
      drillId: string | null;
      startedBy: string;
      siteId: string;
      sitePath: string;
    },
  ): Promise<boolean> {
    const result = (await tx.query(
      `INSERT INTO responses (id, plan_id, plan_version, level, incident_id, drill, drill_id, started_by,
                              starter_site_id, starter_site_path)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (incident_id, level) WHERE incident_id IS NOT NULL AND ended_at IS NULL DO NOTHING
       RETURNING id`,
      [
        r.id,
        r.planId,
        r.planVersion,
        r.level,
        r.incidentId,
        r.drill,
        r.drillId,
        r.startedBy,
        r.siteId,
        r.sitePath,
      ],
    )) as unknown[];
    // an INSERT … RETURNING answers its rows (no [rows, count] pair as UPDATE does)
    return result.length > 0;
  }

  async insertLevel(tx: EntityManager, responseId: string, level: ResponseLevel, by: string): Promise<void> {
    await tx.query(
      `INSERT INTO response_levels (response_id, seq, level, changed_by)
       SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3 FROM response_levels WHERE response_id = $1`,
      [responseId, level, by],
    );
  }

  /** The actions to run, written pending before any runs (docs/plans.md, crash safety). */
  async insertActions(tx: EntityManager, responseId: string, actions: NewResponseAction[]): Promise<void> {
    if (actions.length === 0) return;
    await tx.query(
      `INSERT INTO response_actions (id, response_id, seq, level, kind, title, spec)
       SELECT a.id, $1, base.n + a.pos, a.level, a.kind, a.title, a.spec
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
              WITH ORDINALITY AS a(id, level, kind, title, spec, pos),
            (SELECT COALESCE(MAX(seq), 0) AS n FROM response_actions WHERE response_id = $1) base`,
      [
        responseId,
        actions.map((a) => a.id),
        actions.map((a) => a.level),
        actions.map((a) => a.kind),
        actions.map((a) => a.title),
        actions.map((a) => JSON.stringify(a.spec)),
      ],
    );
  }

  async markStarted(
    runner: EntityManager | DataSource,
    actionId: string,
    out: {
      directiveId?: string;
      consultationId?: string;
      warningId?: string;
      siteIds?: string[];
      teamAlerts?: unknown;
    },
  ): Promise<void> {
    await runner.query(
      `UPDATE response_actions SET state = 'started', reason = NULL, finished_at = now(),
         directive_id = COALESCE($2, directive_id), consultation_id = COALESCE($3, consultation_id),
         warning_id = COALESCE($4, warning_id), site_ids = COALESCE($5, site_ids),
         team_alerts = COALESCE($6, team_alerts)
       WHERE id = $1`,
      [
        actionId,
        out.directiveId ?? null,
        out.consultationId ?? null,
        out.warningId ?? null,
        out.siteIds ?? null,
        out.teamAlerts === undefined ? null : JSON.stringify(out.teamAlerts),
      ],
    );
  }

  /**
   * Claims an action for a retry: failed ones, and pending ones whose attempt stalled (a
   * crash mid-start). Two retries at once: one wins the row, the other skips it.
   */
  async claim(actionId: string, stallSeconds: number): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `WITH u AS (UPDATE response_actions SET state = 'pending', attempted_at = now()
                  WHERE id = $1 AND (state = 'failed'
                    OR (state = 'pending' AND attempted_at < now() - make_interval(secs => $2)))
                  RETURNING id)
       SELECT id FROM u`,
      [actionId, stallSeconds],
    )) as unknown[];
    return rows.length > 0;
  }

  async markFailed(actionId: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE response_actions SET state = 'failed', reason = $2, finished_at = now() WHERE id = $1`,
      [actionId, reason.slice(0, 2000)],
    );
  }

  async setConsultation(tx: EntityManager, responseId: string, consultationId: string): Promise<void> {
    await tx.query(`UPDATE responses SET consultation_id = $2 WHERE id = $1`, [responseId, consultationId]);
  }

  async find(id: string, tx?: EntityManager, lock = false): Promise<ResponseRow | null> {
    const runner = tx ?? this.dataSource;
    if (lock) await runner.query(`SELECT id FROM responses WHERE id = $1 FOR UPDATE`, [id]);
    const [row] = (await runner.query(`SELECT ${RESPONSE} WHERE r.id = $1`, [id])) as ResponseRow[];
    return row ?? null;
  }

  async list(scope: string, state: 'active' | 'ended' | undefined, limit: number): Promise<ResponseRow[]> {
    return (await this.dataSource.query(
      `SELECT ${RESPONSE}
       WHERE (r.starter_site_path LIKE $1 || '%' OR EXISTS (
               -- the sites it reached, as GET /responses/:id decides (involvedSites)
               SELECT 1 FROM (
                 SELECT dr.site_id FROM response_actions a
                 JOIN directive_recipients dr ON dr.directive_id = a.directive_id WHERE a.response_id = r.id
                 UNION ALL SELECT unnest(a.site_ids) FROM response_actions a WHERE a.response_id = r.id
                 UNION ALL SELECT t.site_id FROM team_alerts t WHERE t.response_id = r.id
               ) x JOIN sites s ON s.id = x.site_id WHERE s.path LIKE $1 || '%'))
         AND ($2::text IS NULL OR ($2 = 'active') = (r.ended_at IS NULL))
       ORDER BY r.started_at DESC, r.id LIMIT $3`,
      [scope, state ?? null, limit],
    )) as ResponseRow[];
  }

  async actions(responseId: string, state?: ResponseActionState[]): Promise<ResponseActionRow[]> {
    return (await this.dataSource.query(
      `SELECT * FROM response_actions WHERE response_id = $1 AND ($2::text[] IS NULL OR state = ANY($2))
       ORDER BY seq`,
      [responseId, state ?? null],
    )) as ResponseActionRow[];
  }

  async levels(
    responseId: string,
  ): Promise<{ level: ResponseLevel; changed_at: Date; changed_by: string }[]> {
    return (await this.dataSource.query(
      `SELECT level, changed_at, changed_by FROM response_levels WHERE response_id = $1 ORDER BY seq`,
      [responseId],
    )) as { level: ResponseLevel; changed_at: Date; changed_by: string }[];
  }

  /** sent, delivered, 签收 and 反馈 per directive, over the recipients within `scope`. */
  async directiveCounts(ids: string[], scope: string): Promise<Map<string, ResponseDirectiveCounts>> {
    const rows = (await this.dataSource.query(
      `SELECT r.directive_id, count(*)::int AS sent,
              count(r.delivered_at)::int AS delivered, count(r.acknowledged_at)::int AS acknowledged,
              count(r.completed_at)::int AS answered
       FROM directive_recipients r JOIN sites s ON s.id = r.site_id
       WHERE r.directive_id = ANY($1::uuid[]) AND s.path LIKE $2 || '%'
       GROUP BY r.directive_id`,
      [ids, scope],
    )) as ({ directive_id: string } & ResponseDirectiveCounts)[];
    return new Map(rows.map(({ directive_id, ...c }) => [directive_id, c]));
  }

  async consultations(ids: string[]): Promise<Map<string, string>> {
    const rows = (await this.dataSource.query(
      `SELECT id, state FROM consultations WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; state: string }[];
    return new Map(rows.map((r) => [r.id, r.state]));
  }

  /** Every site a response reached: its directives' recipients and its consultation's sites. */
  async involvedSites(responseId: string): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT site_id FROM (
         SELECT r.site_id FROM response_actions a JOIN directive_recipients r ON r.directive_id = a.directive_id
         WHERE a.response_id = $1
         UNION SELECT unnest(a.site_ids) FROM response_actions a WHERE a.response_id = $1
         UNION SELECT t.site_id FROM team_alerts t WHERE t.response_id = $1
       ) x ORDER BY site_id`,
      [responseId],
    )) as { site_id: string }[];
    return rows.map((r) => r.site_id);
  }

  async sitePaths(ids: string[]): Promise<Map<string, string>> {
    const rows = (await this.dataSource.query(`SELECT id, path FROM sites WHERE id = ANY($1::uuid[])`, [
      [...new Set(ids)],
    ])) as { id: string; path: string }[];
    return new Map(rows.map((r) => [r.id, r.path]));
  }

  async incidentExists(id: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM incidents WHERE id = $1`, [id])) as unknown[];
    return rows.length > 0;
  }

  async end(tx: EntityManager, id: string, by: string, summary: string): Promise<void> {
    await tx.query(`UPDATE responses SET ended_at = now(), ended_by = $2, summary = $3 WHERE id = $1`, [
      id,
      by,
      summary,
    ]);
  }

  async setLevel(tx: EntityManager, id: string, level: ResponseLevel): Promise<boolean> {
    try {
      await tx.query(`SAVEPOINT level_change`);
      await tx.query(`UPDATE responses SET level = $2 WHERE id = $1`, [id, level]);
      await tx.query(`RELEASE SAVEPOINT level_change`);
      return true;
    } catch (err) {
      // the unique (incident, level) index: another running response of the incident has it
      if ((err as { code?: string }).code !== '23505') throw err;
      await tx.query(`ROLLBACK TO SAVEPOINT level_change`);
      return false;
    }
  }
}
