import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FindingKind, IncidentLevel } from '#contracts';
import type { RuleLimits } from '#domain';
import type { Queryable } from './incidents.repository.js';

export interface FindingRow {
  id: string;
  site_id: string;
  kind: FindingKind;
  incident_id: string | null;
  date: string | null;
  seconds: number | null;
  note: string | null;
  drill: boolean;
  at: Date;
}

export interface NewFinding {
  id: string;
  siteId: string;
  kind: FindingKind;
  incidentId: string;
  seconds: number | null;
  note: string | null;
  /** the deadline it is about: one automatic finding per slot; null for a commander's concealment */
  slot: string | null;
  drill: boolean;
  createdBy: string | null;
}

export interface RuleRow {
  version: number;
  level: IncidentLevel;
  phone_within_s: number | null;
  written_within_s: number | null;
  followup_every_s: number | null;
  created_at: Date;
}

const FINDING = `id, site_id, kind, incident_id, to_char(date, 'YYYY-MM-DD') AS date, seconds, note, drill, at`;

/** The rule table, findings and alert claims of 信息报送. */
@Injectable()
export class FindingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest version of the rule table. */
  async currentRules(db: Queryable = this.dataSource): Promise<RuleRow[]> {
    return (await db.query(
      `SELECT version, level, phone_within_s, written_within_s, followup_every_s, created_at FROM reporting_rules
       WHERE version = (SELECT max(version) FROM reporting_rules) ORDER BY level`,
    )) as RuleRow[];
  }

  /** Writes a whole new version; a concurrent writer of the same version fails on the key. */
  async insertRules(
    tx: Queryable,
    version: number,
    rules: { level: IncidentLevel; limits: RuleLimits }[],
    by: string,
  ): Promise<void> {
    for (const r of rules) {
      await tx.query(
        `INSERT INTO reporting_rules (version, level, phone_within_s, written_within_s, followup_every_s, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          version,
          r.level,
          r.limits.phoneWithinSeconds,
          r.limits.writtenWithinSeconds,
          r.limits.followupEverySeconds,
          by,
        ],
      );
    }
  }

  /** Null when a finding for the same slot exists already (a retry, another instance). */
  async insert(tx: Queryable, f: NewFinding): Promise<FindingRow | null> {
    const rows = (await tx.query(
      `INSERT INTO report_findings (id, site_id, kind, incident_id, seconds, note, slot, drill, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (incident_id, slot) WHERE slot IS NOT NULL DO NOTHING RETURNING ${FINDING}`,
      [f.id, f.siteId, f.kind, f.incidentId, f.seconds, f.note, f.slot, f.drill, f.createdBy],
    )) as FindingRow[];
    return rows[0] ?? null;
  }

  async ofIncident(incidentId: string): Promise<FindingRow[]> {
    return (await this.dataSource.query(
      `SELECT ${FINDING} FROM report_findings WHERE incident_id = $1 ORDER BY at`,
      [incidentId],
    )) as FindingRow[];
  }

  async countByIncident(ids: string[]): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT incident_id, count(*)::int AS n FROM report_findings WHERE incident_id = ANY($1::uuid[]) GROUP BY incident_id`,
      [ids],
    )) as { incident_id: string; n: number }[];
    return new Map(rows.map((r) => [r.incident_id, r.n]));
  }

  async ofSites(siteIds: string[], from: Date, to: Date, includeDrill: boolean): Promise<FindingRow[]> {
    if (!siteIds.length) return [];
    return (await this.dataSource.query(
      `SELECT ${FINDING} FROM report_findings
       WHERE site_id = ANY($1::uuid[]) AND at >= $2 AND at < $3 AND ($4 OR NOT drill) ORDER BY at`,
      [siteIds, from, to, includeDrill],
    )) as FindingRow[];
  }

  /** Claims one step of one deadline's alerts; false when it was sent already. */
  async claimAlert(tx: Queryable, incidentId: string, slot: string, stage: string): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO report_alerts (incident_id, slot, stage) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING at`,
      [incidentId, slot, stage],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Whether the step was sent already: the sweep's cheap look before it resolves anyone. */
  async alertSent(incidentId: string, slot: string, stage: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM report_alerts WHERE incident_id = $1 AND slot = $2 AND stage = $3`,
      [incidentId, slot, stage],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Reports that answered a deadline falling in [from, to), of sites under the path. */
  async dueReports(
    path: string,
    from: Date,
    to: Date,
    includeDrill: boolean,
  ): Promise<{ site_id: string; late_by_s: number }[]> {
    return (await this.dataSource.query(
      `SELECT i.site_id, r.late_by_s FROM incident_reports r
       JOIN incidents i ON i.id = r.incident_id JOIN sites s ON s.id = i.site_id
       WHERE r.due_at >= $2 AND r.due_at < $3 AND s.path LIKE $1 || '%' AND ($4 OR NOT i.drill)`,
      [path, from, to, includeDrill],
    )) as { site_id: string; late_by_s: number }[];
  }
}
