import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CreateDepotRequest,
  CreateStockDispatchRequest,
  CreateStockItemRequest,
  DepotView,
  ListStockDispatchesQuery,
  ListStockQuery,
  StockDispatchView,
  StockImportView,
  StockItemView,
} from '#contracts';
import {
  DEFAULT_EXPIRY_WARNING_DAYS,
  dispatchDenial,
  isInScope,
  itemCodeDenial,
  readTable,
  stockFlags,
  writeTable,
  type Actor,
} from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { refuse } from '../../directives/shared/refuse.js';
import { csvError } from '../csv-body.js';
import { readScope } from './read-scope.js';
import { STOCK_CSV, type StockCsvRow } from './stock-csv.js';
import { StockBudget } from './stock-budget.js';
import {
  StockRepository,
  type DepotRow,
  type DispatchRow,
  type ItemFields,
  type ItemRow,
} from './stock.repository.js';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function depotView(d: DepotRow): DepotView {
  return {
    id: d.id,
    siteId: d.site_id,
    siteName: d.site_name,
    name: d.name,
    place: d.place,
    keeper: d.keeper,
    phone: d.phone,
    createdAt: new Date(d.created_at).toISOString(),
  };
}

function itemView(i: ItemRow, now: Date, withinDays: number): StockItemView {
  const expiresAt = i.expires_at ? new Date(i.expires_at) : null;
  return {
    id: i.id,
    depotId: i.depot_id,
    depotName: i.depot_name,
    siteId: i.site_id,
    code: i.code,
    name: i.name,
    quantity: i.quantity,
    unit: i.unit,
    expiresAt: iso(expiresAt),
    minimum: i.minimum,
    lastInspectedAt: iso(i.last_inspected_at),
    ...stockFlags({ quantity: i.quantity, minimum: i.minimum, expiresAt }, now, withinDays),
    updatedAt: new Date(i.updated_at).toISOString(),
  };
}

function dispatchView(x: DispatchRow): StockDispatchView {
  return {
    id: x.id,
    itemId: x.item_id,
    code: x.code,
    itemName: x.item_name,
    unit: x.unit,
    quantity: x.quantity,
    fromDepotId: x.from_depot_id,
    fromDepotName: x.from_depot_name,
    toSiteId: x.to_site_id,
    toSiteName: x.to_site_name,
    responseId: x.response_id,
    dispatchedBy: x.dispatched_by,
    dispatchedAt: new Date(x.dispatched_at).toISOString(),
    remaining: x.remaining,
  };
}

/**
 * 应急物资 (docs/stock-and-experts.md). Admins and commanders keep depots and items in their
 * subtree; dispatchers (and they) dispatch from depots in scope to sites in scope; a duty
 * officer reads their own site's. Unknown and out-of-reach depots and items are both 404.
 */
@Injectable()
export class StockService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stock: StockRepository,
    private readonly audit: AuditStore,
    private readonly budget: StockBudget,
  ) {}

  async createDepot(actor: Actor, req: CreateDepotRequest): Promise<DepotView> {
    await this.siteInScope(actor, req.siteId, 'siteId');
    await this.budget.take(actor);
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await this.stock.insertDepot(tx, { id, ...req, by: actor.userId });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'depot.create',
          subjectType: 'depot',
          subjectId: id,
          data: { ...req },
        },
        tx,
      );
    });
    return depotView((await this.stock.depot(id))!);
  }

  async depots(actor: Actor): Promise<DepotView[]> {
    return (await this.stock.depots(readScope(actor), 500)).map(depotView);
  }

  async depot(actor: Actor, id: string): Promise<DepotView> {
    return depotView(await this.readableDepot(actor, id));
  }

  /** A code already in the depot is 409: a second batch is an edit of the first, not a new row. */
  async addItem(actor: Actor, depotId: string, req: CreateStockItemRequest): Promise<StockItemView> {
    const depot = await this.readableDepot(actor, depotId);
    if (!isInScope(actor, depot.site_path))
      throw new DomainError('forbidden', `depot ${depotId} is outside your scope: you may only read it`);
    refuse(itemCodeDenial(req.code));
    await this.budget.take(actor);
    const id = randomUUID();
    const fields: ItemFields = {
      code: req.code,
      name: req.name,
      quantity: req.quantity,
      unit: req.unit,
      expiresAt: req.expiresAt ?? null,
      minimum: req.minimum ?? null,
      lastInspectedAt: req.lastInspectedAt ?? null,
    };
    await this.dataSource.transaction(async (tx) => {
      if (!(await this.stock.putItem(tx, id, depotId, fields, false)))
        throw new DomainError(
          'conflict',
          `item ${req.code} is already in depot ${depotId}: change it by import`,
          [{ path: 'code', message: '该库点已有此物资编码' }],
        );
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'stock.item.create',
          subjectType: 'stock_item',
          subjectId: id,
          data: { depotId, ...fields },
        },
        tx,
      );
    });
    return itemView((await this.stock.item(id))!, new Date(), DEFAULT_EXPIRY_WARNING_DAYS);
  }

  async items(actor: Actor, q: ListStockQuery): Promise<StockItemView[]> {
    const now = new Date();
    const within = q.expiringWithinDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
    const rows = await this.stock.items(readScope(actor), {
      depotId: q.depotId,
      siteId: q.siteId,
      code: q.code,
      belowMinimum: q.belowMinimum === 'true',
      expiringBefore:
        q.expiringWithinDays === undefined ? undefined : new Date(now.getTime() + within * 86_400_000),
      limit: q.limit,
      offset: q.offset,
    });
    return rows.map((i) => itemView(i, now, within));
  }

  /**
   * 调拨: under the item's row lock, so two dispatches of one item queue and the second sees
   * what the first left; more than is left is 409 and nothing is written.
   */
  async dispatch(actor: Actor, req: CreateStockDispatchRequest): Promise<StockDispatchView> {
    const seen = await this.stock.item(req.itemId);
    if (!seen || !this.canRead(actor, seen.site_path, seen.site_id))
      throw new DomainError('not_found', `item ${req.itemId} does not exist`);
    if (!isInScope(actor, seen.site_path))
      throw new DomainError('forbidden', `item ${req.itemId} is in a depot outside your scope`);
    await this.siteInScope(actor, req.toSiteId, 'toSiteId');
    await this.budget.take(actor);
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      const item = (await this.stock.lockItem(tx, req.itemId))!;
      refuse(dispatchDenial(item, req.quantity));
      const remaining = item.quantity - req.quantity;
      await this.stock.take(tx, item.id, req.quantity);
      const record = {
        id,
        itemId: item.id,
        quantity: req.quantity,
        remaining,
        fromDepotId: item.depot_id,
        toSiteId: req.toSiteId,
        responseId: req.responseId ?? null,
        by: actor.userId,
      };
      await this.stock.insertDispatch(tx, record);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'stock.dispatch',
          subjectType: 'stock_item',
          subjectId: item.id,
          data: { ...record, code: item.code },
        },
        tx,
      );
    });
    return dispatchView((await this.stock.dispatch(id))!);
  }

  async dispatches(actor: Actor, q: ListStockDispatchesQuery): Promise<StockDispatchView[]> {
    return (await this.stock.dispatches(readScope(actor), q)).map(dispatchView);
  }

  async csv(actor: Actor): Promise<string> {
    const rows = await this.stock.items(readScope(actor), { limit: 5000, offset: 0 });
    return writeTable(
      rows.map((i): StockCsvRow => ({
        depotId: i.depot_id,
        depotName: i.depot_name,
        code: i.code,
        name: i.name,
        quantity: i.quantity,
        unit: i.unit,
        expiresAt: iso(i.expires_at),
        minimum: i.minimum,
        lastInspectedAt: iso(i.last_inspected_at),
      })),
      STOCK_CSV,
    );
  }

  /**
   * Import: every row or none (one transaction). A row names a depot in the caller's scope
   * by id; an item with the same code there is overwritten, so importing an export changes
   * nothing. A bad row is 400 naming its line.
   */
  async importCsv(actor: Actor, text: string): Promise<StockImportView> {
    const table = readTable(text, STOCK_CSV);
    if (!table.ok) throw csvError(table.issue);
    const depots = new Map<string, DepotRow | null>();
    for (const { line, value } of table.rows) {
      const problem = itemCodeDenial(value.code);
      if (problem)
        throw csvError({
          line,
          column: 3,
          message: `第${line}行第3列（物资编码）：${problem.fields![0]!.message}`,
        });
      if (!depots.has(value.depotId)) depots.set(value.depotId, await this.stock.depot(value.depotId));
      const depot = depots.get(value.depotId);
      if (
        !depot ||
        !isInScope(actor, depot.site_path) ||
        !this.canRead(actor, depot.site_path, depot.site_id)
      )
        throw csvError({
          line,
          column: 1,
          message: `第${line}行第1列（库点编号）：没有这个库点，或不在您的管辖范围内`,
        });
    }
    await this.budget.take(actor);
    let created = 0;
    await this.dataSource.transaction(async (tx) => {
      for (const { value } of table.rows) {
        const { depotId, depotName: _ignored, ...fields } = value;
        if (await this.stock.putItem(tx, randomUUID(), depotId, fields, true)) created++;
      }
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'stock.import',
          subjectType: 'depot',
          subjectId: [...depots.keys()][0] ?? actor.siteId,
          data: { rows: table.rows.length, created, depots: [...depots.keys()] },
        },
        tx,
      );
    });
    return { created, updated: table.rows.length - created };
  }

  private canRead(actor: Actor, path: string, siteId: string): boolean {
    const scope = readScope(actor);
    return path.startsWith(scope.prefix) && (scope.siteId === null || scope.siteId === siteId);
  }

  private async readableDepot(actor: Actor, id: string): Promise<DepotRow> {
    const d = await this.stock.depot(id);
    if (!d || !this.canRead(actor, d.site_path, d.site_id))
      throw new DomainError('not_found', `depot ${id} does not exist`);
    return d;
  }

  /** Unknown and out-of-scope sites get the same 403: existence outside one's scope is not told. */
  private async siteInScope(actor: Actor, siteId: string, path: string): Promise<void> {
    const site = await this.stock.site(siteId);
    if (!site || !isInScope(actor, site.path))
      throw new DomainError('forbidden', `${path}: site ${siteId} is outside your scope`, [
        { path, message: 'outside your scope' },
      ]);
  }
}
