import type {
  CreateDepotRequest,
  CreateExpertRequest,
  CreateStockDispatchRequest,
  CreateStockItemRequest,
  DepotView,
  ExpertCategory,
  ExpertInvitationView,
  ExpertView,
  InviteExpertsRequest,
  StockDispatchView,
  StockImportView,
  StockItemView,
  UpdateExpertRequest,
} from '#contracts';
import { call } from '../../lib/api.js';
import { csvCall as csv } from '../../lib/csv-api.js';

/** 应急物资 and 专家库 endpoints: docs/stock-and-experts.md. */
export const stockApi = {
  depots: () => call<DepotView[]>('GET', '/depots'),
  createDepot: (req: CreateDepotRequest) => call<DepotView>('POST', '/depots', req),
  items: (q: { expiringWithinDays?: number; belowMinimum?: boolean }) => {
    const p = new URLSearchParams({ limit: '500' });
    if (q.expiringWithinDays !== undefined) p.set('expiringWithinDays', String(q.expiringWithinDays));
    if (q.belowMinimum) p.set('belowMinimum', 'true');
    return call<StockItemView[]>('GET', `/stock?${p}`);
  },
  addItem: (depotId: string, req: CreateStockItemRequest) =>
    call<StockItemView>('POST', `/depots/${encodeURIComponent(depotId)}/items`, req),
  dispatch: (req: CreateStockDispatchRequest) => call<StockDispatchView>('POST', '/stock/dispatches', req),
  exportCsv: () => csv('GET', '/stock.csv'),
  importCsv: (text: string) =>
    csv('POST', '/stock/import', text).then((t) => JSON.parse(t) as StockImportView),
};

export const expertApi = {
  list: (category?: ExpertCategory) =>
    call<ExpertView[]>('GET', `/experts?limit=500${category ? `&category=${category}` : ''}`),
  create: (req: CreateExpertRequest) => call<ExpertView>('POST', '/experts', req),
  update: (id: string, req: UpdateExpertRequest) =>
    call<ExpertView>('PATCH', `/experts/${encodeURIComponent(id)}`, req),
  invite: (req: InviteExpertsRequest) => call<ExpertInvitationView[]>('POST', '/experts/invitations', req),
  exportCsv: () => csv('GET', '/experts.csv'),
  importCsv: (text: string) =>
    csv('POST', '/experts/import', text).then((t) => JSON.parse(t) as StockImportView),
};
