import type {
  CreateWarningRequest,
  UpdateWarningRequest,
  WarningCoverageView,
  WarningCreatedView,
  WarningState,
  WarningSummaryView,
  WarningView,
} from '#contracts';
import { ApiError, call, session } from '../../lib/api.js';

const at = (id: string, step = '') => `/warnings/${encodeURIComponent(id)}${step}`;

/** The warning endpoints (预警信息发布): docs/warnings.md. */
export const warningApi = {
  list: (state?: WarningState) =>
    call<WarningSummaryView[]>('GET', `/warnings?limit=200${state ? `&state=${state}` : ''}`),
  get: (id: string) => call<WarningView>('GET', at(id)),
  create: (req: CreateWarningRequest) => call<WarningCreatedView>('POST', '/warnings', req),
  submit: (id: string) => call<unknown>('POST', at(id, '/submit'), {}),
  approve: (id: string) => call<unknown>('POST', at(id, '/approve'), {}),
  reject: (id: string, reason: string) => call<unknown>('POST', at(id, '/reject'), { reason }),
  publish: (id: string, emergency = false) =>
    call<unknown>('POST', at(id, '/publish'), emergency ? { emergency: true } : {}),
  update: (id: string, req: UpdateWarningRequest) => call<WarningCreatedView>('POST', at(id, '/update'), req),
  cancel: (id: string, reason: string) => call<WarningCreatedView>('POST', at(id, '/cancel'), { reason }),
  coverage: (id: string) => call<WarningCoverageView>('GET', at(id, '/coverage')),
  /** another system's CAP 1.2 alert, sent as it is (XML), becomes a draft for review */
  async importCap(xml: string): Promise<WarningCreatedView> {
    const res = await fetch('/api/v1/warnings/import', {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/xml; charset=utf-8',
        ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
      },
      body: xml,
    });
    const data = (await res.json().catch(() => null)) as { message?: unknown; code?: string } | null;
    if (!res.ok)
      throw new ApiError(
        res.status,
        typeof data?.message === 'string' ? data.message : `HTTP ${res.status}`,
        {
          path: '/warnings/import',
          code: data?.code,
        },
      );
    return data as WarningCreatedView;
  },
};

/** The Atom feed of warnings in force (authenticated, like every read of warnings). */
export const FEED_PATH = '/warnings/feed.atom';
export const capPath = (id: string) => at(id, '/cap');

/**
 * A document the API serves behind the bearer token (the CAP alert, the Atom feed), saved
 * as a file: a plain link would go without the token and be refused.
 */
export async function downloadXml(path: string, filename: string): Promise<void> {
  const res = await fetch(`/api/v1${path}`, {
    headers: {
      accept: 'application/xml',
      ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
    },
  });
  if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`, { path });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
