import { isInScope, type Actor } from './access-policy.js';
import { invalidField, type RuleDenial } from './rule-denial.js';
import { parseHhmm, shanghaiDay, shanghaiInstant } from './shanghai-time.js';

/**
 * 日报告/零报告 (issue 18): every township reports each day by the round's due time, a
 * normal report or a nil report. Pure rules; the dispatch service stores and times them.
 */

export type DailyKind = 'normal' | 'zero';
export type DailySiteState = 'pending' | 'submitted' | 'zero' | 'late' | 'missing';

/** a round's due time at most this far after the date's end (a report about a day is due soon after it) */
export const MAX_DUE_AFTER_DATE_MS = 7 * 86_400_000;
/** and at most this far before the date begins (a round for next week is not a daily report) */
export const MAX_DUE_BEFORE_DATE_MS = 86_400_000;

/** The state one submitted version answers: `late` after the due time, whatever the kind. */
export function versionState(kind: DailyKind, at: Date, dueAt: Date): 'submitted' | 'zero' | 'late' {
  if (at.getTime() > dueAt.getTime()) return 'late';
  return kind === 'zero' ? 'zero' : 'submitted';
}

/**
 * The site's state after a new version. The first version decides on-time or late: a late
 * site stays late (a correction does not undo 迟报); an on-time site shows its latest kind.
 */
export function siteStateAfter(
  current: DailySiteState,
  kind: DailyKind,
  at: Date,
  dueAt: Date,
): 'submitted' | 'zero' | 'late' {
  if (current === 'late') return 'late';
  if (current === 'pending') return versionState(kind, at, dueAt);
  return kind === 'zero' ? 'zero' : 'submitted';
}

/** Whole seconds past the due time, rounded up (1 ms late is 1 s late); 0 when on time. */
export function lateSeconds(at: Date, dueAt: Date): number {
  return Math.max(0, Math.ceil((at.getTime() - dueAt.getTime()) / 1000));
}

/**
 * When a pending site becomes `missing`: the end of the round's date (Asia/Shanghai), or
 * `cutoffSeconds` after the due time when set; never before the due time.
 */
export function roundClosesAt(date: string, dueAt: Date, cutoffSeconds: number | null): Date {
  const close =
    cutoffSeconds !== null
      ? new Date(dueAt.getTime() + cutoffSeconds * 1000)
      : shanghaiInstant(date, 24 * 60);
  return close.getTime() < dueAt.getTime() ? dueAt : close;
}

/** The reminder before the due time, or null when that moment has passed at opening. */
export function reminderAt(openedAt: Date, dueAt: Date, remindBeforeSeconds: number): Date | null {
  if (remindBeforeSeconds <= 0) return null;
  const at = new Date(dueAt.getTime() - remindBeforeSeconds * 1000);
  return at.getTime() > openedAt.getTime() ? at : null;
}

/** Why a round cannot be opened as asked (null: it can). */
export function openRoundDenial(date: string, dueAt: Date, now: Date): RuleDenial | null {
  if (Number.isNaN(shanghaiInstant(date).getTime()) || shanghaiDay(shanghaiInstant(date)) !== date)
    return invalidField('date', 'no such day', `date: ${date} is not a day of the calendar`);
  if (dueAt.getTime() <= now.getTime())
    return invalidField('dueAt', 'must be in the future', 'dueAt: a round is due after it opens');
  if (dueAt.getTime() < shanghaiInstant(date).getTime() - MAX_DUE_BEFORE_DATE_MS)
    return invalidField(
      'dueAt',
      'must be at most a day before the date',
      'dueAt: at most a day before the date begins (Asia/Shanghai)',
    );
  const dateEnds = shanghaiInstant(date, 24 * 60).getTime();
  if (dueAt.getTime() > dateEnds + MAX_DUE_AFTER_DATE_MS)
    return invalidField(
      'dueAt',
      'must be within 7 days after the date',
      'dueAt: at most 7 days after the end of the date',
    );
  return null;
}

/**
 * The scheduler's round for the Asia/Shanghai day of `now`: opened from `openTime`, due at
 * `dueTime` (both "HH:MM"); null before the opening time or once the due time has passed
 * (a hub that was down all morning does not open a round already late for everyone).
 */
export function automaticRound(
  now: Date,
  openTime: string,
  dueTime: string,
): { date: string; dueAt: Date } | null {
  const open = parseHhmm(openTime);
  const due = parseHhmm(dueTime);
  if (open === null || due === null) return null;
  const date = shanghaiDay(now);
  const dueAt = shanghaiInstant(date, due);
  if (now.getTime() < shanghaiInstant(date, open).getTime()) return null;
  if (now.getTime() >= dueAt.getTime()) return null;
  return { date, dueAt };
}

/** The first and last day (YYYY-MM-DD) of a month "YYYY-MM". */
export function monthDays(month: string): { first: string; last: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(last).padStart(2, '0')}` };
}

/**
 * Who reports for a site: a duty officer for their own site only; commanders and
 * dispatchers (and admins) for sites in their scope.
 */
export function dailyReportAccessDenial(actor: Actor, site: { id: string; path: string }): RuleDenial | null {
  const allowed = actor.role === 'duty_officer' ? site.id === actor.siteId : isInScope(actor, site.path);
  return allowed ? null : { code: 'forbidden', message: `site ${site.id} is outside your scope` };
}
