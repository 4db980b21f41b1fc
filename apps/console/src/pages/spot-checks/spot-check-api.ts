import type {
  MonthlyStatsView,
  SiteView,
  SpotCheckAnswerView,
  SpotCheckScheduleRequest,
  SpotCheckScheduleView,
  SpotCheckStartedView,
  SpotCheckView,
  StartSpotCheckRequest,
} from '#contracts';
import { api, ApiError, session } from '../../lib/api.js';

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json().catch(() => null)) as { message?: unknown; code?: string } | null;
  if (!res.ok)
    throw new ApiError(res.status, typeof data?.message === 'string' ? data.message : `HTTP ${res.status}`, {
      path: path.split('?')[0],
      code: data?.code,
    });
  return data as T;
}

export const spotCheckApi = {
  sites: (): Promise<SiteView[]> => api.sites(),
  start: (req: StartSpotCheckRequest) => call<SpotCheckStartedView>('POST', '/spot-checks', req),
  get: (id: string) => call<SpotCheckView>('GET', `/spot-checks/${encodeURIComponent(id)}`),
  answer: (id: string) => call<SpotCheckAnswerView>('POST', `/spot-checks/${encodeURIComponent(id)}/answer`),
  schedules: () => call<SpotCheckScheduleView[]>('GET', '/spot-checks/schedules'),
  createSchedule: (req: SpotCheckScheduleRequest) =>
    call<SpotCheckScheduleView>('POST', '/spot-checks/schedules', req),
  disableSchedule: (id: string) =>
    call<SpotCheckScheduleView>('POST', `/spot-checks/schedules/${encodeURIComponent(id)}/disable`),
  monthly: (month: string, includeDrill: boolean) =>
    call<MonthlyStatsView>('GET', `/duty/stats/monthly?month=${month}&includeDrill=${includeDrill}`),
  /** The CSV as the server wrote it (with its BOM), for a download link. */
  async monthlyCsv(month: string, includeDrill: boolean): Promise<Blob> {
    const res = await fetch(
      `/api/v1/duty/stats/monthly?month=${month}&includeDrill=${includeDrill}&format=csv`,
      {
        headers: session.token ? { authorization: `Bearer ${session.token}` } : {},
      },
    );
    if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`, { path: '/duty/stats/monthly' });
    return res.blob();
  },
};
