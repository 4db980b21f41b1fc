import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Hazard, PlanLevel } from '#contracts';

export interface PlanRow {
  id: string;
  site_id: string;
  site_name: string;
  site_path: string;
  latest_version: number;
  created_at: Date;
  updated_at: Date;
}

export interface PlanVersionRow {
  plan_id: string;
  version: number;
  name: string;
  hazard: Hazard;
  levels: PlanLevel[];
  created_by: string;
  created_at: Date;
}

export interface PlanListRow extends PlanRow {
  name: string;
  hazard: Hazard;
  levels: PlanLevel[];
}

/** Plans and their immutable versions (SQL only here). */
@Injectable()
export class PlansRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertPlan(
    tx: EntityManager,
    p: { id: string; siteId: string; sitePath: string; createdBy: string },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO plans (id, site_id, site_path, latest_version, created_by) VALUES ($1, $2, $3, 0, $4)`,
      [p.id, p.siteId, p.sitePath, p.createdBy],
    );
  }

  /** The next version under the plan's row lock: two writers get 2 and 3, never 2 twice. */
  async insertVersion(
    tx: EntityManager,
    planId: string,
    v: { name: string; hazard: Hazard; levels: PlanLevel[]; createdBy: string },
  ): Promise<number> {
    // a CTE, so every driver answers rows (a bare UPDATE … RETURNING answers [rows, count] on pg)
    const [row] = (await tx.query(
      `WITH u AS (UPDATE plans SET latest_version = latest_version + 1, updated_at = now() WHERE id = $1
                  RETURNING latest_version)
       SELECT latest_version FROM u`,
      [planId],
    )) as { latest_version: number }[];
    const version = row!.latest_version;
    await tx.query(
      `INSERT INTO plan_versions (plan_id, version, name, hazard, levels, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [planId, version, v.name, v.hazard, JSON.stringify(v.levels), v.createdBy],
    );
    return version;
  }

  async find(id: string): Promise<PlanRow | null> {
    const [row] = (await this.dataSource.query(
      `SELECT p.*, s.name AS site_name FROM plans p JOIN sites s ON s.id = p.site_id WHERE p.id = $1`,
      [id],
    )) as PlanRow[];
    return row ?? null;
  }

  async version(planId: string, version: number, tx?: EntityManager): Promise<PlanVersionRow | null> {
    const [row] = (await (tx ?? this.dataSource).query(
      `SELECT * FROM plan_versions WHERE plan_id = $1 AND version = $2`,
      [planId, version],
    )) as PlanVersionRow[];
    return row ?? null;
  }

  async versions(planId: string): Promise<Pick<PlanVersionRow, 'version' | 'created_at' | 'created_by'>[]> {
    return (await this.dataSource.query(
      `SELECT version, created_at, created_by FROM plan_versions WHERE plan_id = $1 ORDER BY version`,
      [planId],
    )) as PlanVersionRow[];
  }

  /** Plans of sites in the scope, or of the sites above it (a township reads its county's plans). */
  async list(scope: string, hazard: Hazard | undefined, limit: number): Promise<PlanListRow[]> {
    return (await this.dataSource.query(
      `SELECT p.*, s.name AS site_name, v.name, v.hazard, v.levels
       FROM plans p JOIN sites s ON s.id = p.site_id
       JOIN plan_versions v ON v.plan_id = p.id AND v.version = p.latest_version
       WHERE (p.site_path LIKE $1 || '%' OR $1 LIKE p.site_path || '%')
         AND ($2::text IS NULL OR v.hazard = $2)
       ORDER BY p.updated_at DESC, p.id LIMIT $3`,
      [scope, hazard ?? null, limit],
    )) as PlanListRow[];
  }

  async sites(ids: string[]): Promise<Map<string, string>> {
    const rows = (await this.dataSource.query(`SELECT id, path FROM sites WHERE id = ANY($1::uuid[])`, [
      ids,
    ])) as { id: string; path: string }[];
    return new Map(rows.map((r) => [r.id, r.path]));
  }
}
