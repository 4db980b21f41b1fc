import type {
  AlertTeamRequest,
  CreateTeamRequest,
  TeamAlertResult,
  TeamImportResult,
  TeamView,
  UpdateTeamRequest,
} from '#contracts';
import { call } from '../../lib/api.js';
import { csvCall } from '../../lib/csv-api.js';

const at = (id: string, step = '') => `/teams/${encodeURIComponent(id)}${step}`;

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
  exportCsv: () => csvCall('GET', '/teams.csv'),
  importCsv: (csv: string) =>
    csvCall('POST', '/teams/import', csv).then((t) => JSON.parse(t) as TeamImportResult),
};
