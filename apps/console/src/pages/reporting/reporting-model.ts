import type {
  DailyReportState,
  IncidentLevel,
  IncidentSummaryView,
  IncidentView,
  ReportKind,
} from '#contracts';

/**
 * The 信息报送 pages' pure view logic: countdown text, which deadlines an incident still
 * owes, and the board's urgency order. Kept apart from React so it is unit-tested.
 */

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A span as a countdown reads at a glance: "04:59" under an hour, "1:04:59" under two
 * days, "3天 04:05:06" / "3d 04:05:06" beyond (a 续报 every 24 h must not read "72:00:00").
 */
export function formatCountdown(ms: number, lang: string): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (s >= 172_800) return `${days}${lang === 'en' ? 'd' : '天'} ${pad(h)}:${pad(m)}:${pad(sec)}`;
  const hours = Math.floor(s / 3600);
  return hours > 0 ? `${hours}:${pad(m)}:${pad(sec)}` : `${pad(m)}:${pad(sec)}`;
}

/** "3分12秒" / "3 min 12 s": how late a report was, for the record (not a ticking clock). */
export function formatLate(seconds: number, lang: string): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const zh = lang !== 'en';
  const parts: string[] = [];
  if (d) parts.push(zh ? `${d}天` : `${d} d`);
  if (h) parts.push(zh ? `${h}小时` : `${h} h`);
  if (m) parts.push(zh ? `${m}分` : `${m} min`);
  if (sec || parts.length === 0) parts.push(zh ? `${sec}秒` : `${sec} s`);
  return parts.join(zh ? '' : ' ');
}

/** Under this many seconds left a countdown turns amber: time to pick up the phone. */
export const SOON_SECONDS = 300;

export type ClockState = 'ok' | 'soon' | 'overdue';

export interface Clock {
  state: ClockState;
  /** ms left (negative: ms late) */
  leftMs: number;
}

export function clock(dueAt: string, now: number): Clock {
  const leftMs = Date.parse(dueAt) - now;
  return { leftMs, state: leftMs <= 0 ? 'overdue' : leftMs <= SOON_SECONDS * 1000 ? 'soon' : 'ok' };
}

export type DeadlineKind = 'phone' | 'written' | 'followup';

export interface DeadlineRow {
  kind: DeadlineKind;
  dueAt: string;
  /** met: answered in time or late; unsigned: a written report waits for 签发 */
  status: 'owed' | 'met' | 'unsigned';
  /** how late the answer was, when it was late */
  lateBySeconds: number;
}

/**
 * The incident page's deadlines: 电话报告 and 书面报告 once each, then the next 续报 while
 * the incident is open. A written report counts once signed (issue 18); until then its
 * deadline shows 待签发 and keeps counting.
 */
export function incidentDeadlines(view: IncidentView): DeadlineRow[] {
  const out: DeadlineRow[] = [];
  const { phoneBy, writtenBy, nextFollowupBy } = view.deadlines;
  if (phoneBy) {
    const r = view.reports.find((x) => x.kind === 'phone' && !x.corrects);
    out.push({
      kind: 'phone',
      dueAt: phoneBy,
      status: r ? 'met' : 'owed',
      lateBySeconds: r?.lateBySeconds ?? 0,
    });
  }
  if (writtenBy) {
    const initials = view.reports.filter((x) => x.kind === 'initial');
    const signed = initials.find((x) => x.signedAt);
    out.push({
      kind: 'written',
      dueAt: writtenBy,
      status: signed ? 'met' : initials.length ? 'unsigned' : 'owed',
      lateBySeconds: signed?.lateBySeconds ?? 0,
    });
  }
  if (nextFollowupBy && view.state === 'open')
    out.push({ kind: 'followup', dueAt: nextFollowupBy, status: 'owed', lateBySeconds: 0 });
  return out;
}

const LEVEL_RANK: Record<IncidentLevel, number> = { I: 0, II: 1, III: 2, IV: 3, unrated: 4 };

/**
 * The board's order: overdue first (the longest overdue on top), then the soonest due,
 * then incidents that owe nothing; among equals the graver level, then the earlier
 * 接报时间. Drills sort below real incidents with the same urgency class.
 */
export function byUrgency(now: number) {
  const cls = (r: IncidentSummaryView) => {
    if (!r.nextDue) return 2;
    return Date.parse(r.nextDue.dueAt) <= now ? 0 : 1;
  };
  return (a: IncidentSummaryView, b: IncidentSummaryView): number =>
    cls(a) - cls(b) ||
    Number(a.drill) - Number(b.drill) ||
    (a.nextDue && b.nextDue ? Date.parse(a.nextDue.dueAt) - Date.parse(b.nextDue.dueAt) : 0) ||
    LEVEL_RANK[a.level] - LEVEL_RANK[b.level] ||
    Date.parse(a.learnedAt) - Date.parse(b.learnedAt) ||
    a.id.localeCompare(b.id);
}

export function sortByUrgency(rows: readonly IncidentSummaryView[], now: number): IncidentSummaryView[] {
  return [...rows].sort(byUrgency(now));
}

/** Which report the next deadline asks for, as the board names it. */
export function nextKind(kind: ReportKind): DeadlineKind {
  return kind === 'phone' ? 'phone' : kind === 'followup' ? 'followup' : 'written';
}

const DAILY_RANK: Record<DailyReportState, number> = {
  missing: 0,
  pending: 1,
  late: 2,
  zero: 3,
  submitted: 4,
};

/** The county's round view: who still owes (漏报, 待报) on top, then 迟报, then those done; by name within. */
export function dailyOrder<T extends { state: DailyReportState; siteName: string }>(rows: readonly T[]): T[] {
  return [...rows].sort(
    (a, b) => DAILY_RANK[a.state] - DAILY_RANK[b.state] || a.siteName.localeCompare(b.siteName, 'zh-CN'),
  );
}

/** This month in Asia/Shanghai ("2026-12"), whatever the browser's zone. */
export const shanghaiMonth = (ms = Date.now()) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 7);
/** Today in Asia/Shanghai ("2026-12-07"). */
export const shanghaiToday = (ms = Date.now()) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

/** The day or month `n` steps from `value` ("2026-12-07" / "2026-12"). */
export function step(value: string, n: number): string {
  if (/^\d{4}-\d{2}$/.test(value)) {
    const [y, m] = value.split('-').map(Number) as [number, number];
    const d = new Date(Date.UTC(y, m - 1 + n, 1));
    return d.toISOString().slice(0, 7);
  }
  return new Date(Date.parse(`${value}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
