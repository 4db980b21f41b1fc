import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DrillKind } from '#contracts';

export interface DrillRow {
  id: string;
  name: string;
  kind: DrillKind;
  starts_at: Date;
  ends_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
  created_by: string;
  creator_site_id: string;
  creator_site_path: string;
  created_at: Date;
  /** the drill's sites in the order the creator gave them */
  sites: { id: string; name: string; path: string }[];
}

export interface NewDrill {
  id: string;
  name: string;
  kind: DrillKind;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  creatorSiteId: string;
  creatorSitePath: string;
  siteIds: string[];
}

/** Items that join a drill carry its id in this column (one per table). */
export type DrillItemTable = 'directives' | 'spot_checks' | 'incidents';

const DRILL = `d.id, d.name, d.kind, d.starts_at, d.ends_at, d.ended_at, d.ended_by, d.created_by,
  d.creator_site_id, d.creator_site_path, d.created_at,
  COALESCE((SELECT json_agg(json_build_object('id', s.id, 'name', s.name, 'path', s.path) ORDER BY ds.position)
    FROM drill_sites ds JOIN sites s ON s.id = ds.site_id WHERE ds.drill_id = d.id), '[]'::json) AS sites`;

/** Drills and their sites (SQL only here). */
@Injectable()
export class DrillsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, d: NewDrill): Promise<void> {
    await tx.query(
      `INSERT INTO drills (id, name, kind, starts_at, ends_at, created_by, creator_site_id, creator_site_path)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [d.id, d.name, d.kind, d.startsAt, d.endsAt, d.createdBy, d.creatorSiteId, d.creatorSitePath],
    );
    await tx.query(
      `INSERT INTO drill_sites (drill_id, site_id, position)
       SELECT $1, s.id, s.pos FROM unnest($2::uuid[]) WITH ORDINALITY AS s(id, pos)`,
      [d.id, d.siteIds],
    );
  }

  async find(
    id: string,
    tx?: EntityManager,
    lock: 'share' | 'update' | null = null,
  ): Promise<DrillRow | null> {
    const runner = tx ?? this.dataSource;
    // lock the drill row first (FOR SHARE: items joining; FOR UPDATE: ending), then read it
    if (lock)
      await runner.query(`SELECT id FROM drills WHERE id = $1 FOR ${lock === 'share' ? 'SHARE' : 'UPDATE'}`, [
        id,
      ]);
    const [row] = (await runner.query(`SELECT ${DRILL} FROM drills d WHERE d.id = $1`, [id])) as DrillRow[];
    return row ?? null;
  }

  /** Drills created within the scope or reaching a site in it, newest first. */
  async list(scope: string, limit: number): Promise<DrillRow[]> {
    return (await this.dataSource.query(
      `SELECT ${DRILL} FROM drills d
       WHERE d.creator_site_path LIKE $1 || '%'
          OR EXISTS (SELECT 1 FROM drill_sites ds JOIN sites s ON s.id = ds.site_id
                     WHERE ds.drill_id = d.id AND s.path LIKE $1 || '%')
       ORDER BY d.created_at DESC, d.id LIMIT $2`,
      [scope, limit],
    )) as DrillRow[];
  }

  /** The named sites that exist, with their paths (for the scope check). */
  async sites(ids: string[]): Promise<{ id: string; path: string }[]> {
    return (await this.dataSource.query(`SELECT id, path FROM sites WHERE id = ANY($1::uuid[])`, [ids])) as {
      id: string;
      path: string;
    }[];
  }

  async end(tx: EntityManager, id: string, by: string): Promise<void> {
    await tx.query(`UPDATE drills SET ended_at = now(), ended_by = $2 WHERE id = $1`, [id, by]);
  }

  async attach(tx: EntityManager, table: DrillItemTable, itemId: string, drillId: string): Promise<void> {
    await tx.query(`UPDATE ${table} SET drill_id = $2 WHERE id = $1`, [itemId, drillId]);
  }

  async now(tx?: EntityManager): Promise<Date> {
    const [row] = (await (tx ?? this.dataSource).query('SELECT now() AS now')) as { now: Date }[];
    return row!.now;
  }
}
