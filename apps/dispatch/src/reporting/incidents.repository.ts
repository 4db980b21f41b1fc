import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { IncidentLevel, ReportKind } from '#contracts';
import type { RuleLimits } from '#domain';

export type Queryable = Pick<EntityManager, 'query'>;

export interface SiteRow {
  id: string;
  name: string;
  path: string;
  parent_id: string | null;
  region_code: string | null;
}

export interface IncidentRow {
  id: string;
  site_id: string;
  title: string;
  category: string;
  level: IncidentLevel;
  occurred_at: Date;
  learned_at: Date;
  location: string;
  summary: string;
  casualties: Record<string, number> | null;
  drill: boolean;
  /** the drill it was opened in (docs/drills.md) */
  drill_id: string | null;
  rules_version: number;
  phone_within_s: number | null;
  written_within_s: number | null;
  followup_every_s: number | null;
  state: 'open' | 'closed';
  external_source: string | null;
  external_registered_at: Date | null;
  external_due_at: Date | null;
  opened_externally: boolean;
  created_by: string;
  created_at: Date;
}

export interface ReportRow {
  id: string;
  incident_id: string;
  seq: number;
  kind: ReportKind;
  content: string;
  corrects: string | null;
  submitted_at: Date;
  submitted_by: string;
  due_at: Date | null;
  late_by_s: number;
  signed_at: Date | null;
  signed_by: string | null;
}

export interface NewIncident {
  id: string;
  siteId: string;
  title: string;
  category: string;
  level: IncidentLevel;
  occurredAt: Date;
  learnedAt: Date;
  location: string;
  summary: string;
  casualties: Record<string, number> | null;
  drill: boolean;
  rulesVersion: number;
  rule: RuleLimits;
  createdBy: string;
  openedExternally: boolean;
}

export interface NewReport {
  id: string;
  incidentId: string;
  kind: ReportKind;
  content: string;
  corrects: string | null;
  submittedBy: string;
  dueAt: Date | null;
  lateBySeconds: number;
  submittedAt: Date;
}

const INCIDENT = `id, site_id, title, category, level, occurred_at, learned_at, location, summary, casualties,
  drill, drill_id, rules_version, phone_within_s, written_within_s, followup_every_s, state, external_source,
  external_registered_at, external_due_at, opened_externally, created_by, created_at`;
const REPORT = `id, incident_id, seq, kind, content, corrects, submitted_at, submitted_by, due_at, late_by_s, signed_at, signed_by`;

/** Incidents and their reports (docs/reporting.md). Findings and alerts: FindingsRepository. */
@Injectable()
export class IncidentsRepository {
  constructor(readonly dataSource: DataSource) {}

  async sites(ids: string[], db: Queryable = this.dataSource): Promise<SiteRow[]> {
    return (await db.query(
      `SELECT id, name, path, parent_id, region_code FROM sites WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as SiteRow[];
  }

  async townshipsUnder(path: string): Promise<SiteRow[]> {
    return (await this.dataSource.query(
      `SELECT id, name, path, parent_id, region_code FROM sites
       WHERE kind = 'township' AND path LIKE $1 || '%' ORDER BY region_code NULLS LAST, name, id`,
      [path],
    )) as SiteRow[];
  }

  async userNames(ids: string[]): Promise<Map<string, string>> {
    if (!ids.length) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT id, coalesce(display_name, username) AS name FROM users WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; name: string }[];
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async insertIncident(tx: Queryable, i: NewIncident): Promise<IncidentRow> {
    const [row] = (await tx.query(
      `INSERT INTO incidents (id, site_id, title, category, level, occurred_at, learned_at, location, summary,
         casualties, drill, rules_version, phone_within_s, written_within_s, followup_every_s, created_by, opened_externally)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17) RETURNING ${INCIDENT}`,
      [
        i.id,
        i.siteId,
        i.title,
        i.category,
        i.level,
        i.occurredAt,
        i.learnedAt,
        i.location,
        i.summary,
        i.casualties === null ? null : JSON.stringify(i.casualties),
        i.drill,
        i.rulesVersion,
        i.rule.phoneWithinSeconds,
        i.rule.writtenWithinSeconds,
        i.rule.followupEverySeconds,
        i.createdBy,
        i.openedExternally,
      ],
    )) as IncidentRow[];
    return row!;
  }

  /** `lock`: inside a transaction, holds the row so reports get their seq in order. */
  async find(id: string, db: Queryable = this.dataSource, lock = false): Promise<IncidentRow | undefined> {
    const [row] = (await db.query(
      `SELECT ${INCIDENT} FROM incidents WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    )) as IncidentRow[];
    return row;
  }

  async list(
    path: string,
    f: { siteId?: string; state?: string; includeDrill: boolean; limit: number },
  ): Promise<IncidentRow[]> {
    return (await this.dataSource.query(
      `SELECT ${INCIDENT.replace(/(\w+)/g, 'i.$1')} FROM incidents i JOIN sites s ON s.id = i.site_id
       WHERE s.path LIKE $1 || '%' AND ($2::uuid IS NULL OR i.site_id = $2) AND ($3::text IS NULL OR i.state = $3)
         AND ($4 OR NOT i.drill)
       ORDER BY i.created_at DESC LIMIT $5`,
      [path, f.siteId ?? null, f.state ?? null, f.includeDrill, f.limit],
    )) as IncidentRow[];
  }

  /** Open incidents, oldest first: what the deadline sweep re-checks. */
  async openIds(limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM incidents WHERE state = 'open' ORDER BY created_at LIMIT $1`,
      [limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  async setExternal(
    tx: Queryable,
    id: string,
    e: { source: string; by: string; learnedAt: Date; dueAt: Date | null },
  ): Promise<boolean> {
    const [rows] = (await tx.query(
      `UPDATE incidents SET external_source = $2, external_registered_at = now(), external_registered_by = $3,
         external_learned_at = $4, external_due_at = $5
       WHERE id = $1 AND external_source IS NULL RETURNING id`,
      [id, e.source, e.by, e.learnedAt, e.dueAt],
    )) as [unknown[], number];
    return rows.length > 0;
  }

  async close(tx: Queryable, id: string): Promise<void> {
    await tx.query(
      `UPDATE incidents SET state = 'closed', closed_at = now() WHERE id = $1 AND state = 'open'`,
      [id],
    );
  }

  async reports(incidentIds: string[], db: Queryable = this.dataSource): Promise<ReportRow[]> {
    if (!incidentIds.length) return [];
    return (await db.query(
      `SELECT ${REPORT} FROM incident_reports WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id, seq`,
      [incidentIds],
    )) as ReportRow[];
  }

  async insertReport(tx: Queryable, r: NewReport): Promise<ReportRow> {
    const [row] = (await tx.query(
      `INSERT INTO incident_reports (id, incident_id, seq, kind, content, corrects, submitted_at, submitted_by, due_at, late_by_s)
       VALUES ($1, $2, (SELECT coalesce(max(seq), 0) + 1 FROM incident_reports WHERE incident_id = $2),
         $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${REPORT}`,
      [
        r.id,
        r.incidentId,
        r.kind,
        r.content,
        r.corrects,
        r.submittedAt,
        r.submittedBy,
        r.dueAt,
        r.lateBySeconds,
      ],
    )) as ReportRow[];
    return row!;
  }

  /** Signs once: false when already signed (the database refuses a second signature too). */
  async sign(tx: Queryable, reportId: string, userId: string, at: Date): Promise<ReportRow | null> {
    // an UPDATE … RETURNING answers `[rows, count]`
    const [rows] = (await tx.query(
      `UPDATE incident_reports SET signed_at = $3, signed_by = $2 WHERE id = $1 AND signed_at IS NULL RETURNING ${REPORT}`,
      [reportId, userId, at],
    )) as [ReportRow[], number];
    return rows[0] ?? null;
  }
}
