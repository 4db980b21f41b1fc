import type {
  AlertTeamRequest,
  CreateTeamRequest,
  TeamAlertResult,
  TeamImportResult,
  TeamView,
  UpdateTeamRequest,
} from '#contracts';
import { ApiError, call, session } from '../../lib/api.js';

const at = (id: string, step = '') => `/teams/${encodeURIComponent(id)}${step}`;

async function raw(method: string, path: string, body?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'text/csv; charset=utf-8';
  const res = await fetch(`/api/v1${path}`, { method, headers, body });
  if (!res.ok) {
    const data = (await res.json().catch(() => null)) as {
      message?: string;
      code?: string;
      fields?: { path: string; message: string }[];
    } | null;
    throw new ApiError(res.status, data?.message ?? `HTTP ${res.status}`, {
      path,
      code: data?.code,
      fields: data?.fields,
    });
  }
  return res;
}

/** The team endpoints (应急队伍): docs/resources.md. */
export const teamApi = {
  list: (q: { kind?: string; status?: string }) => {
    const p = new URLSearchParams({ limit: '500' });
    if (q.kind) p.set('kind', q.kind);
    if (q.status) p.set('status', q.status);
    return call<TeamView[]>('GET', `/teams?${p.toString()}`);
  },
  create: (req: CreateTeamRequest) => call<TeamView>('POST', '/teams', req),
  update: (id: string, req: UpdateTeamRequest) => call<TeamView>('PATCH', at(id), req),
  alert: (id: string, req: AlertTeamRequest = {}) => call<TeamAlertResult>('POST', at(id, '/alert'), req),
  exportCsv: async (): Promise<Blob> => (await raw('GET', '/teams.csv')).blob(),
  importCsv: async (csv: string): Promise<TeamImportResult> =>
    (await (await raw('POST', '/teams/import', csv)).json()) as TeamImportResult,
};
