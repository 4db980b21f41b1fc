import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { scopeSql, type ReadScope } from './read-scope.js';

export interface DepotRow {
  id: string;
  site_id: string;
  site_name: string;
  site_path: string;
  name: string;
  place: string;
  keeper: string;
  phone: string;
  created_at: Date;
}

export interface ItemRow {
  id: string;
  depot_id: string;
  depot_name: string;
  site_id: string;
  site_path: string;
  code: string;
  name: string;
  quantity: number;
  unit: string;
  expires_at: Date | null;
  minimum: number | null;
  last_inspected_at: Date | null;
  updated_at: Date;
}

export interface ItemFields {
  code: string;
  name: string;
  quantity: number;
  unit: string;
  expiresAt: string | null;
  minimum: number | null;
  lastInspectedAt: string | null;
}

export interface DispatchRow {
  id: string;
  item_id: string;
  code: string;
  item_name: string;
  unit: string;
  quantity: number;
  remaining: number;
  from_depot_id: string;
  from_depot_name: string;
  to_site_id: string;
  to_site_name: string;
  response_id: string | null;
  dispatched_by: string;
  dispatched_at: Date;
}

export interface ItemFilter {
  depotId?: string;
  siteId?: string;
  code?: string;
  /** keep only items below their minimum or expiring before this time */
  belowMinimum?: boolean;
  expiringBefore?: Date;
  limit: number;
  offset: number;
}

const DEPOT = `d.id, d.site_id, s.name AS site_name, s.path AS site_path, d.name, d.place, d.keeper, d.phone, d.created_at
  FROM depots d JOIN sites s ON s.id = d.site_id`;
const ITEM = `i.id, i.depot_id, d.name AS depot_name, d.site_id, s.path AS site_path, i.code, i.name, i.quantity, i.unit,
  i.expires_at, i.minimum, i.last_inspected_at, i.updated_at
  FROM stock_items i JOIN depots d ON d.id = i.depot_id JOIN sites s ON s.id = d.site_id`;
const DISPATCH = `x.id, x.item_id, i.code, i.name AS item_name, i.unit, x.quantity, x.remaining, x.from_depot_id,
  d.name AS from_depot_name, x.to_site_id, t.name AS to_site_name, x.response_id, x.dispatched_by, x.dispatched_at
  FROM stock_dispatches x JOIN stock_items i ON i.id = x.item_id JOIN depots d ON d.id = x.from_depot_id
  JOIN sites t ON t.id = x.to_site_id JOIN sites s ON s.id = d.site_id`;

/** Depots, items and dispatches (SQL only here). */
@Injectable()
export class StockRepository {
  constructor(private readonly dataSource: DataSource) {}

  async site(id: string): Promise<{ id: string; path: string } | null> {
    const [row] = (await this.dataSource.query(`SELECT id, path FROM sites WHERE id = $1`, [id])) as {
      id: string;
      path: string;
    }[];
    return row ?? null;
  }

  async insertDepot(
    tx: EntityManager,
    d: { id: string; siteId: string; name: string; place: string; keeper: string; phone: string; by: string },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO depots (id, site_id, name, place, keeper, phone, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [d.id, d.siteId, d.name, d.place, d.keeper, d.phone, d.by],
    );
  }

  async depot(id: string, runner: DataSource | EntityManager = this.dataSource): Promise<DepotRow | null> {
    const [row] = (await runner.query(`SELECT ${DEPOT} WHERE d.id = $1`, [id])) as DepotRow[];
    return row ?? null;
  }

  async depots(scope: ReadScope, limit: number): Promise<DepotRow[]> {
    return (await this.dataSource.query(
      `SELECT ${DEPOT} WHERE ${scopeSql('s', 1)} ORDER BY s.path, d.name, d.id LIMIT $3`,
      [scope.prefix, scope.siteId, limit],
    )) as DepotRow[];
  }

  /** Inserts, or (upsert) overwrites the item with the same code in the depot; true when inserted. */
  async putItem(
    tx: EntityManager,
    id: string,
    depotId: string,
    f: ItemFields,
    upsert: boolean,
  ): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO stock_items (id, depot_id, code, name, quantity, unit, expires_at, minimum, last_inspected_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (depot_id, code) DO ${
         upsert
           ? `UPDATE SET name = EXCLUDED.name, quantity = EXCLUDED.quantity, unit = EXCLUDED.unit,
              expires_at = EXCLUDED.expires_at, minimum = EXCLUDED.minimum,
              last_inspected_at = EXCLUDED.last_inspected_at, updated_at = now()`
           : 'NOTHING'
       }
       RETURNING (xmax = 0) AS inserted`,
      [id, depotId, f.code, f.name, f.quantity, f.unit, f.expiresAt, f.minimum, f.lastInspectedAt],
    )) as { inserted: boolean }[];
    if (rows.length === 0) return false;
    return rows[0]!.inserted;
  }

  async itemExists(tx: EntityManager, depotId: string, code: string): Promise<boolean> {
    const rows = (await tx.query(`SELECT 1 FROM stock_items WHERE depot_id = $1 AND code = $2`, [
      depotId,
      code,
    ])) as [];
    return rows.length > 0;
  }

  async item(id: string, runner: DataSource | EntityManager = this.dataSource): Promise<ItemRow | null> {
    const [row] = (await runner.query(`SELECT ${ITEM} WHERE i.id = $1`, [id])) as ItemRow[];
    return row ?? null;
  }

  /** Locks the item's row for a dispatch: concurrent dispatches of one item queue here. */
  async lockItem(tx: EntityManager, id: string): Promise<ItemRow | null> {
    await tx.query(`SELECT id FROM stock_items WHERE id = $1 FOR UPDATE`, [id]);
    return this.item(id, tx);
  }

  async items(scope: ReadScope, f: ItemFilter): Promise<ItemRow[]> {
    return (await this.dataSource.query(
      `SELECT ${ITEM} WHERE ${scopeSql('s', 1)}
         AND ($3::uuid IS NULL OR d.id = $3) AND ($4::uuid IS NULL OR d.site_id = $4)
         AND ($5::text IS NULL OR i.code LIKE $5 || '%')
         AND (($6::boolean IS NOT TRUE AND $7::timestamptz IS NULL)
              OR ($6::boolean IS TRUE AND i.quantity < i.minimum)
              OR ($7::timestamptz IS NOT NULL AND i.expires_at <= $7))
       ORDER BY s.path, d.name, i.code, i.id LIMIT $8 OFFSET $9`,
      [
        scope.prefix,
        scope.siteId,
        f.depotId ?? null,
        f.siteId ?? null,
        f.code ?? null,
        f.belowMinimum ?? null,
        f.expiringBefore ?? null,
        f.limit,
        f.offset,
      ],
    )) as ItemRow[];
  }

  async take(tx: EntityManager, itemId: string, quantity: number): Promise<void> {
    await tx.query(`UPDATE stock_items SET quantity = quantity - $2, updated_at = now() WHERE id = $1`, [
      itemId,
      quantity,
    ]);
  }

  async insertDispatch(
    tx: EntityManager,
    d: {
      id: string;
      itemId: string;
      quantity: number;
      remaining: number;
      fromDepotId: string;
      toSiteId: string;
      responseId: string | null;
      by: string;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO stock_dispatches (id, item_id, quantity, remaining, from_depot_id, to_site_id, response_id, dispatched_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [d.id, d.itemId, d.quantity, d.remaining, d.fromDepotId, d.toSiteId, d.responseId, d.by],
    );
  }

  async dispatch(id: string): Promise<DispatchRow | null> {
    const [row] = (await this.dataSource.query(`SELECT ${DISPATCH} WHERE x.id = $1`, [id])) as DispatchRow[];
    return row ?? null;
  }

  /** Dispatches from depots in scope, or to a site in scope, newest first. */
  async dispatches(
    scope: ReadScope,
    f: { responseId?: string; itemId?: string; limit: number },
  ): Promise<DispatchRow[]> {
    return (await this.dataSource.query(
      `SELECT ${DISPATCH} WHERE ((${scopeSql('s', 1)}) OR (${scopeSql('t', 1)}))
         AND ($3::uuid IS NULL OR x.response_id = $3) AND ($4::uuid IS NULL OR x.item_id = $4)
       ORDER BY x.dispatched_at DESC, x.id LIMIT $5`,
      [scope.prefix, scope.siteId, f.responseId ?? null, f.itemId ?? null, f.limit],
    )) as DispatchRow[];
  }
}
