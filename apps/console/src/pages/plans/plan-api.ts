import type {
  ChangeResponseLevelRequest,
  CreatePlanRequest,
  PlanCreatedView,
  PlanSummaryView,
  PlanVersionRequest,
  PlanView,
  ResponseSummaryView,
  ResponseView,
  StartResponseRequest,
  StartResponseView,
  TeamView,
} from '#contracts';
import { call } from '../../lib/api.js';

const plan = (id: string, step = '') => `/plans/${encodeURIComponent(id)}${step}`;
const response = (id: string, step = '') => `/responses/${encodeURIComponent(id)}${step}`;

/** The plan and response endpoints (预案, 启动响应): docs/plans.md. */
export const planApi = {
  list: () => call<PlanSummaryView[]>('GET', '/plans?limit=200'),
  get: (id: string) => call<PlanView>('GET', plan(id)),
  create: (req: CreatePlanRequest) => call<PlanCreatedView>('POST', '/plans', req),
  addVersion: (id: string, req: PlanVersionRequest) =>
    call<PlanCreatedView>('POST', plan(id, '/versions'), req),
  teams: () => call<TeamView[]>('GET', '/teams?limit=500'),
  responses: () => call<ResponseSummaryView[]>('GET', '/responses?limit=100'),
  response: (id: string) => call<ResponseView>('GET', response(id)),
  start: (req: StartResponseRequest) => call<StartResponseView>('POST', '/responses', req),
  level: (id: string, req: ChangeResponseLevelRequest) =>
    call<ResponseView>('POST', response(id, '/level'), req),
  end: (id: string, summary: string) => call<ResponseView>('POST', response(id, '/end'), { summary }),
  retry: (id: string) => call<ResponseView>('POST', response(id, '/retry'), {}),
};
