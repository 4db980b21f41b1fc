import type {
  CreateDrillRequest,
  DrillReportView,
  DrillView,
  IssueDirectiveRequest,
  IssueDirectiveResponse,
} from '#contracts';
import { call } from '../../lib/api.js';

const at = (id: string, step = '') => `/drills/${encodeURIComponent(id)}${step}`;

/** The drill endpoints (演练): docs/drills.md. */
export const drillApi = {
  list: () => call<DrillView[]>('GET', '/drills?limit=200'),
  get: (id: string) => call<DrillView>('GET', at(id)),
  create: (req: CreateDrillRequest) => call<DrillView>('POST', '/drills', req),
  end: (id: string) => call<DrillView>('POST', at(id, '/end'), {}),
  report: (id: string) => call<DrillReportView>('GET', at(id, '/report')),
  /** a directive issued in the drill: marked 演练, to the drill's sites only */
  issue: (req: IssueDirectiveRequest) => call<IssueDirectiveResponse>('POST', '/directives', req),
};
