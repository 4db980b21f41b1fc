import type {
  CreateDutyLogRequest,
  CreateHandoverRequest,
  CreateRotationRequest,
  CreateShiftRequest,
  DutyGapView,
  DutyLogEntryView,
  DutyLogVerifyView,
  DutyNowView,
  DutyShiftView,
  HandoverView,
} from '#contracts';
import { call } from './api.js';

const q = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();

/** The duty endpoints (值班表, 交接班, 值班日志): docs/duty.md. */
export const dutyApi = {
  shifts: (siteId: string, from: string, to: string) =>
    call<DutyShiftView[]>('GET', `/duty/shifts?${q({ siteId, from, to })}`),
  createShift: (req: CreateShiftRequest) => call<DutyShiftView>('POST', '/duty/shifts', req),
  deleteShift: (id: string) => call<void>('DELETE', `/duty/shifts/${encodeURIComponent(id)}`),
  rotation: (req: CreateRotationRequest) => call<DutyShiftView[]>('POST', '/duty/rotations', req),
  now: (siteId: string) => call<DutyNowView>('GET', `/duty/now?${q({ siteId })}`),
  gaps: (siteId: string, from: string, to: string) =>
    call<DutyGapView[]>('GET', `/duty/gaps?${q({ siteId, from, to })}`),
  handovers: (siteId: string) => call<HandoverView[]>('GET', `/duty/handovers?${q({ siteId })}`),
  handOver: (req: CreateHandoverRequest) => call<HandoverView>('POST', '/duty/handovers', req),
  confirmHandover: (id: string) =>
    call<HandoverView>('POST', `/duty/handovers/${encodeURIComponent(id)}/confirm`),
  log: (siteId: string) => call<DutyLogEntryView[]>('GET', `/duty/log?${q({ siteId })}`),
  writeLog: (req: CreateDutyLogRequest) => call<DutyLogEntryView>('POST', '/duty/log', req),
  verifyLog: () => call<DutyLogVerifyView>('GET', '/duty/log/verify'),
};

const SHANGHAI_MS = 8 * 3600_000;

/** "12-07 08:00" of an instant, in Asia/Shanghai whatever the browser's zone. */
export function shanghaiShort(iso: string | null): string {
  if (!iso) return '—';
  const s = new Date(Date.parse(iso) + SHANGHAI_MS).toISOString();
  return `${s.slice(5, 10)} ${s.slice(11, 16)}`;
}

/** "08:00" of an instant, in Asia/Shanghai. */
export function shanghaiClock(iso: string): string {
  return new Date(Date.parse(iso) + SHANGHAI_MS).toISOString().slice(11, 16);
}

/** The Asia/Shanghai day "2026-12-07" an instant falls on. */
export function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_MS).toISOString().slice(0, 10);
}

/** ISO with +08:00 of a Shanghai wall time: day "2026-12-07", "08:00". */
export function shanghaiIso(day: string, hhmm: string): string {
  return `${day}T${hhmm}:00+08:00`;
}

/** The Monday (Shanghai) of the week holding `ms`, as a day string. */
export function weekStart(ms: number): string {
  const day = shanghaiDay(ms);
  const dow = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -dow);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
