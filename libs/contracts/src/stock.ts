import { z } from 'zod';
import { phoneNumber } from './phone.js';
import { boundedDateTime, singleLineText } from './text.js';

/**
 * 应急物资 (issue 23; docs/stock-and-experts.md): depots, the items they hold, and each
 * dispatch (调拨) of an item to a site. The item code rule (GB/T 38565-2020) lives in
 * libs/domain/src/stock.ts so the REST edge and the CSV import share one message.
 */

export const MAX_DEPOT_NAME = 200;
export const MAX_STOCK_TEXT = 200;
/** a whole number of units; a fractional stock is kept in a smaller unit (kg, not t) */
export const MAX_STOCK_QUANTITY = 1_000_000_000;

const nonEmpty = (max: number) => singleLineText(max).refine((v) => v.length > 0, 'must not be empty');
const quantity = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(0, `${what} must not be negative`)
    .max(MAX_STOCK_QUANTITY, `${what} must be at most ${MAX_STOCK_QUANTITY}`);

export const CreateDepotRequestSchema = z.strictObject({
  siteId: z.uuid(),
  name: nonEmpty(MAX_DEPOT_NAME),
  place: nonEmpty(MAX_STOCK_TEXT),
  keeper: nonEmpty(100),
  phone: phoneNumber(),
});
export type CreateDepotRequest = z.infer<typeof CreateDepotRequestSchema>;

export const CreateStockItemRequestSchema = z.strictObject({
  /** 7 digits, GB/T 38565-2020; checked by itemCodeProblem (domain) so the message names the rule */
  code: z.string().trim().max(20, 'must be at most 20 characters'),
  name: nonEmpty(MAX_STOCK_TEXT),
  quantity: quantity('quantity'),
  unit: nonEmpty(20),
  expiresAt: boundedDateTime().optional(),
  /** 储备下限: below it the item is flagged */
  minimum: quantity('minimum').optional(),
  lastInspectedAt: boundedDateTime().optional(),
});
export type CreateStockItemRequest = z.infer<typeof CreateStockItemRequestSchema>;

const flag = z.enum(['true', 'false']).optional();

export const ListStockQuerySchema = z.strictObject({
  /** flag (and with belowMinimum=true, keep only) items expiring within this many days */
  expiringWithinDays: z.coerce.number().int().min(0).max(3650).optional(),
  belowMinimum: flag,
  siteId: z.uuid().optional(),
  depotId: z.uuid().optional(),
  code: z.string().trim().max(20).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type ListStockQuery = z.infer<typeof ListStockQuerySchema>;

export const CreateStockDispatchRequestSchema = z.strictObject({
  itemId: z.uuid(),
  quantity: quantity('quantity').min(1, 'quantity must be at least 1'),
  toSiteId: z.uuid(),
  /** the response (启动响应) this dispatch serves; a plain id, not checked against plans */
  responseId: z.uuid().optional(),
});
export type CreateStockDispatchRequest = z.infer<typeof CreateStockDispatchRequestSchema>;

export const ListStockDispatchesQuerySchema = z.strictObject({
  responseId: z.uuid().optional(),
  itemId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListStockDispatchesQuery = z.infer<typeof ListStockDispatchesQuerySchema>;

export interface DepotView {
  id: string;
  siteId: string;
  siteName: string;
  name: string;
  place: string;
  keeper: string;
  phone: string;
  createdAt: string;
}

export interface StockItemView {
  id: string;
  depotId: string;
  depotName: string;
  siteId: string;
  code: string;
  name: string;
  quantity: number;
  unit: string;
  expiresAt: string | null;
  minimum: number | null;
  lastInspectedAt: string | null;
  /** past its expiry */
  expired: boolean;
  /** expires within expiringWithinDays (default 30) and not yet expired */
  expiringSoon: boolean;
  /** quantity below the item's minimum */
  belowMinimum: boolean;
  updatedAt: string;
}

export interface StockDispatchView {
  id: string;
  itemId: string;
  code: string;
  itemName: string;
  unit: string;
  quantity: number;
  fromDepotId: string;
  fromDepotName: string;
  toSiteId: string;
  toSiteName: string;
  responseId: string | null;
  dispatchedBy: string;
  dispatchedAt: string;
  /** what is left in the depot after this dispatch */
  remaining: number;
}

export interface StockImportView {
  created: number;
  updated: number;
}
