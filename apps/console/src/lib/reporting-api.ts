import type {
  CreateConcealedFindingRequest,
  CreateIncidentRequest,
  CreateReportRequest,
  DailyReportPutView,
  DailyReportView,
  DailyRoundView,
  FindingsView,
  FindingView,
  IncidentCreatedView,
  IncidentSummaryView,
  IncidentView,
  OpenDailyRoundRequest,
  PutDailyReportRequest,
  ReportingMonthlyView,
  ReportView,
  INCIDENT_LEVELS,
  REPORT_KINDS,
  REPORTING_EVENTS,
} from '#contracts';
import { ApiError, call, session } from './api.js';

/**
 * Browser-side copies of the 信息报送 contract's lists and event names: a value import from
 * the contracts would pull zod into the console's first load. `satisfies` holds each copy
 * to the contract, so a change there fails the typecheck here.
 */
export const LEVELS = ['I', 'II', 'III', 'IV', 'unrated'] as const satisfies typeof INCIDENT_LEVELS;
export const KINDS = ['phone', 'initial', 'followup', 'final'] as const satisfies typeof REPORT_KINDS;
export const REP_EV = {
  due: 'report.due',
  overdue: 'report.overdue',
} as const satisfies typeof REPORTING_EVENTS;

const q = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();
const id = encodeURIComponent;

/** The 信息报送 endpoints (docs/reporting.md). */
export const reportingApi = {
  incidents: (params: { siteId?: string; state?: 'open' | 'closed'; includeDrill?: boolean } = {}) =>
    call<IncidentSummaryView[]>(
      'GET',
      `/incidents?${q({
        siteId: params.siteId,
        state: params.state,
        includeDrill: params.includeDrill === undefined ? 'true' : String(params.includeDrill),
        limit: '500',
      })}`,
    ),
  incident: (incidentId: string) => call<IncidentView>('GET', `/incidents/${id(incidentId)}`),
  open: (req: CreateIncidentRequest) => call<IncidentCreatedView>('POST', '/incidents', req),
  report: (incidentId: string, req: CreateReportRequest) =>
    call<ReportView>('POST', `/incidents/${id(incidentId)}/reports`, req),
  sign: (incidentId: string, reportId: string) =>
    call<ReportView>('POST', `/incidents/${id(incidentId)}/reports/${id(reportId)}/sign`),
  /** every round of the date: the real one and any drill's (rows with drillId) */
  daily: (date: string) =>
    call<DailyReportView[] | DailyRoundView>('GET', `/daily-reports?${q({ date, includeDrill: 'true' })}`),
  putDaily: (siteId: string, date: string, req: PutDailyReportRequest) =>
    call<DailyReportPutView>('PUT', `/daily-reports/${id(siteId)}/${id(date)}`, req),
  openRound: (req: OpenDailyRoundRequest) => call<DailyRoundView>('POST', '/daily-reports/rounds', req),
  findings: (params: { siteId?: string; from?: string; to?: string } = {}) =>
    call<FindingsView>('GET', `/reporting/findings?${q(params)}`),
  conceal: (req: CreateConcealedFindingRequest) => call<FindingView>('POST', '/reporting/findings', req),
  monthly: (month: string, includeDrill: boolean) =>
    call<ReportingMonthlyView>(
      'GET',
      `/reporting/stats/monthly?${q({ month, includeDrill: String(includeDrill), format: 'json' })}`,
    ),
  /** The CSV exactly as the server wrote it (UTF-8 with its BOM), for a download. */
  async monthlyCsv(month: string, includeDrill: boolean): Promise<Blob> {
    const path = '/reporting/stats/monthly';
    const res = await fetch(
      `/api/v1${path}?${q({ month, includeDrill: String(includeDrill), format: 'csv' })}`,
      {
        headers: session.token ? { authorization: `Bearer ${session.token}` } : {},
      },
    );
    if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`, { path });
    return res.blob();
  },
};

/**
 * The per-site rows of a daily answer and the real round's due time: a round
 * (DailyRoundView) has it, and each row of the list carries its own round's (additive; an
 * older hub's rows may lack it). A drill's round of the date has its own, on its rows.
 */
export function dailyRows(answer: DailyReportView[] | DailyRoundView): {
  rows: DailyReportView[];
  dueAt: string | null;
} {
  if (!Array.isArray(answer)) return { rows: answer.sites, dueAt: answer.dueAt };
  const withDue = answer.find((x) => !x.drillId && typeof (x as { dueAt?: unknown }).dueAt === 'string');
  return { rows: answer, dueAt: withDue?.dueAt ?? null };
}

/**
 * What the alert banner (on every page) learned that the 信息报送 pages need later: the
 * daily round's due time per date (one round a date; the daily list does not carry it), and a
 * way for a page to say a report was just sent, so the banner drops its "due soon" line.
 */
export const reportSignals = {
  dailyDue: new Map<string, string>(),
  answered(
    subject: { type: 'daily'; siteId: string; date: string } | { type: 'incident'; incidentId: string },
  ) {
    window.dispatchEvent(new CustomEvent(ANSWERED_EVENT, { detail: subject }));
  },
};
export const ANSWERED_EVENT = 'yihu:report-answered';
export type AnsweredSubject = Parameters<typeof reportSignals.answered>[0];
