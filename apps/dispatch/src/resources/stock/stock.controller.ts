import { Controller, Get, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  CreateDepotRequestSchema,
  CreateStockDispatchRequestSchema,
  CreateStockItemRequestSchema,
  DEPOT_VIEW,
  ListStockDispatchesQuerySchema,
  ListStockQuerySchema,
  STOCK_DISPATCH_VIEW,
  STOCK_ITEM_VIEW,
  type CreateDepotRequest,
  type CreateStockDispatchRequest,
  type CreateStockItemRequest,
  type ListStockDispatchesQuery,
  type ListStockQuery,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { readCsvBody } from '../csv-body.js';
import { CsvExport, CsvImport, IMPORTED } from '../csv-endpoints.js';
import { StockService } from './stock.service.js';

const id = () => Param('id', new ParseUUIDPipe());
const list = (items: Record<string, unknown>) => ({ type: 'array', items });

/**
 * 应急物资 (docs/stock-and-experts.md). The contract is POST /depots, POST
 * /depots/:id/items, GET /stock, POST /stock/dispatches and the CSV pair; the depot reads and
 * the dispatch list are additive. Roles: depots and items are kept by whoever may change
 * sites (admin, commander); a dispatch needs directive.issue (dispatcher and up); reading,
 * site.read (a duty officer: their own site's).
 */
@ApiTags('stock')
@ApiBearerAuth()
@Controller('api/v1')
export class StockController {
  constructor(private readonly stock: StockService) {}

  @Post('depots')
  @RequirePermission('site.update')
  @ApiCreatedResponse({ description: 'the depot', schema: DEPOT_VIEW })
  createDepot(@CurrentActor() actor: Actor, @ValidBody(CreateDepotRequestSchema) body: CreateDepotRequest) {
    return this.stock.createDepot(actor, body);
  }

  @Get('depots')
  @RequirePermission('site.read')
  @ApiOkResponse({ description: 'depots in your scope (at most 500)', schema: list(DEPOT_VIEW) })
  depots(@CurrentActor() actor: Actor) {
    return this.stock.depots(actor);
  }

  @Get('depots/:id')
  @RequirePermission('site.read')
  @ApiOkResponse({ description: 'the depot', schema: DEPOT_VIEW })
  depot(@CurrentActor() actor: Actor, @id() depotId: string) {
    return this.stock.depot(actor, depotId);
  }

  @Post('depots/:id/items')
  @RequirePermission('site.update')
  @ApiCreatedResponse({
    description: 'the item; a code that is not GB/T 38565-2020 is 400, a code already in the depot 409',
    schema: STOCK_ITEM_VIEW,
  })
  addItem(
    @CurrentActor() actor: Actor,
    @id() depotId: string,
    @ValidBody(CreateStockItemRequestSchema) body: CreateStockItemRequest,
  ) {
    return this.stock.addItem(actor, depotId, body);
  }

  @Get('stock')
  @RequirePermission('site.read')
  @ApiOkResponse({
    description:
      'items in your scope with their flags; expiringWithinDays and belowMinimum=true keep only the items that match either',
    schema: list(STOCK_ITEM_VIEW),
  })
  items(@CurrentActor() actor: Actor, @ValidQuery(ListStockQuerySchema) query: ListStockQuery) {
    return this.stock.items(actor, query);
  }

  @CsvExport('stock.csv', 'stock.csv', 'items in your scope, UTF-8 with a BOM, zh header')
  csv(@CurrentActor() actor: Actor) {
    return this.stock.csv(actor);
  }

  @CsvImport('stock/import', IMPORTED, '应急物资.csv as exported (UTF-8, zh header), at most 2 MiB')
  async import(@CurrentActor() actor: Actor, @Req() req: Request) {
    return this.stock.importCsv(actor, await readCsvBody(req));
  }

  @Post('stock/dispatches')
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({
    description: 'the dispatch; more than in stock is 409 and nothing changes',
    schema: STOCK_DISPATCH_VIEW,
  })
  dispatch(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateStockDispatchRequestSchema) body: CreateStockDispatchRequest,
  ) {
    return this.stock.dispatch(actor, body);
  }

  @Get('stock/dispatches')
  @RequirePermission('site.read')
  @ApiOkResponse({
    description: 'dispatches from or to your scope, newest first',
    schema: list(STOCK_DISPATCH_VIEW),
  })
  dispatches(
    @CurrentActor() actor: Actor,
    @ValidQuery(ListStockDispatchesQuerySchema) query: ListStockDispatchesQuery,
  ) {
    return this.stock.dispatches(actor, query);
  }
}
