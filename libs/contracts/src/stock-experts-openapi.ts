/** JSON Schemas of the stock and expert answers (stock.ts, experts.ts), for the OpenAPI document. */
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const nullable = (s: Schema): Schema => ({ ...s, nullable: true });
const list = (items: Schema): Schema => ({ type: 'array', items });
const object = (properties: Record<string, Schema>): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
});

export const DEPOT_VIEW = object({
  id: uuid,
  siteId: uuid,
  siteName: str,
  name: str,
  place: str,
  keeper: str,
  phone: str,
  createdAt: time,
});

export const STOCK_ITEM_VIEW = object({
  id: uuid,
  depotId: uuid,
  depotName: str,
  siteId: uuid,
  code: { type: 'string', pattern: '^[1-3][0-9]{6}$' },
  name: str,
  quantity: int,
  unit: str,
  expiresAt: nullable(time),
  minimum: nullable(int),
  lastInspectedAt: nullable(time),
  expired: bool,
  expiringSoon: bool,
  belowMinimum: bool,
  updatedAt: time,
});

export const STOCK_DISPATCH_VIEW = object({
  id: uuid,
  itemId: uuid,
  code: str,
  itemName: str,
  unit: str,
  quantity: int,
  fromDepotId: uuid,
  fromDepotName: str,
  toSiteId: uuid,
  toSiteName: str,
  responseId: nullable(uuid),
  dispatchedBy: uuid,
  dispatchedAt: time,
  remaining: int,
});

export const IMPORT_VIEW = object({ created: int, updated: int });

export const EXPERT_VIEW = object({
  id: uuid,
  siteId: uuid,
  name: str,
  category: { type: 'string', enum: ['natural', 'accident', 'health', 'social'] },
  specialty: str,
  organisation: str,
  phones: list(str),
  available: bool,
  updatedAt: time,
});

export const EXPERT_INVITATION_VIEW = object({
  id: uuid,
  consultationId: uuid,
  expertId: uuid,
  name: str,
  phones: list(str),
  invitedBy: uuid,
  invitedAt: time,
});
