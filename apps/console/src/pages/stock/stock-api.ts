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
import { ApiError, call, session } from '../../lib/api.js';

/** A CSV the server serves or takes (UTF-8 with a BOM), with the same error shape as `call`. */
async function csv(method: 'GET' | 'POST', path: string, body?: string): Promise<string> {
  const headers: Record<string, string> = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'text/csv; charset=utf-8';
  const res = await fetch(`/api/v1${path}`, { method, headers, body });
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  if (!res.ok) {
    const data = (() => {
      try {
        return JSON.parse(text) as {
          message?: string;
          code?: string;
          fields?: { path: string; message: string }[];
        };
      } catch {
        return {};
      }
    })();
    throw new ApiError(res.status, data.message ?? `HTTP ${res.status}`, {
      path,
      code: data.code,
      fields: data.fields,
    });
  }
  return text;
}

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
