import { invalidField, type RuleDenial } from './rule-denial.js';
import { parseHhmm, shanghaiInstant } from './shanghai-time.js';

/**
 * Duty rosters (值班表): shifts of officers and of the leader on duty (带班领导), rotations
 * generated from daily slots, who is on duty at an instant, and the gaps in cover.
 *
 * Times are instants (Date); days and slot times are Asia/Shanghai wall time. China has
 * kept UTC+8 all year since 1991, so a fixed offset is exact and no DST rule applies.
 */
export const DUTY_ROLES = ['leader', 'officer'] as const;
export type DutyRole = (typeof DUTY_ROLES)[number];

/** A shift longer than this is a typo, not a duty (a 24 h shift plus handover fits). */
export const MAX_SHIFT_MS = 48 * 3600 * 1000;

export interface ShiftTimes {
  startsAt: Date;
  endsAt: Date;
}

export interface RosterShift extends ShiftTimes {
  id: string;
  userId: string;
  role: DutyRole;
}

/** Why a shift's times cannot stand, or null. */
export function shiftTimesDenial(shift: ShiftTimes): RuleDenial | null {
  const length = shift.endsAt.getTime() - shift.startsAt.getTime();
  if (length <= 0) return invalidField('endsAt', 'must be after startsAt (the shift is inverted or empty)');
  if (length > MAX_SHIFT_MS) return invalidField('endsAt', 'a shift may last at most 48 hours');
  return null;
}

/** Half-open intervals: a shift ending at 08:00 and one starting at 08:00 do not overlap. */
export function shiftsOverlap(a: ShiftTimes, b: ShiftTimes): boolean {
  return a.startsAt < b.endsAt && b.startsAt < a.endsAt;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface RotationSlot {
  start: string;
  end: string;
  leader?: string;
  officers: string[];
}

export interface PlannedShift extends ShiftTimes {
  userId: string;
  role: DutyRole;
}

/** Why a rotation cannot be generated, or null. */
export function rotationDenial(slots: RotationSlot[], from: string): RuleDenial | null {
  const day = Date.parse(`${from}T00:00:00Z`);
  // Date.parse rolls 02-30 over to March: a day must read back as itself
  if (!DAY.test(from) || Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== from)
    return invalidField('from', 'must be a day, YYYY-MM-DD (Asia/Shanghai)');
  if (from < '2000-01-01' || from > '2099-12-31')
    return invalidField('from', 'must be a day from 2000 to 2099');
  for (const [i, slot] of slots.entries()) {
    const start = parseHhmm(slot.start);
    const end = parseHhmm(slot.end);
    if (start === null) return invalidField(`slots.${i}.start`, 'must be HH:MM (00:00-23:59)');
    if (end === null) return invalidField(`slots.${i}.end`, 'must be HH:MM (00:00-23:59)');
    if (!slot.leader && slot.officers.length === 0)
      return invalidField(`slots.${i}`, 'names nobody: give a leader or officers');
    const people = [...(slot.leader ? [slot.leader] : []), ...slot.officers];
    if (new Set(people).size !== people.length)
      return invalidField(`slots.${i}`, 'names the same person twice');
  }
  return null;
}

/**
 * The shifts of a rotation: each slot on each of `days` days from `from`. A slot whose end
 * is not after its start crosses midnight (20:00–08:00 ends the next morning); 08:00–08:00
 * is a 24-hour shift.
 */
export function generateRotation(slots: RotationSlot[], from: string, days: number): PlannedShift[] {
  const shifts: PlannedShift[] = [];
  const firstDay = Date.parse(`${from}T00:00:00Z`);
  for (let d = 0; d < days; d += 1) {
    const day = new Date(firstDay + d * 86_400_000).toISOString().slice(0, 10);
    for (const slot of slots) {
      const start = parseHhmm(slot.start)!;
      let end = parseHhmm(slot.end)!;
      if (end <= start) end += 24 * 60;
      const times = { startsAt: shanghaiInstant(day, start), endsAt: shanghaiInstant(day, end) };
      if (slot.leader) shifts.push({ ...times, userId: slot.leader, role: 'leader' });
      for (const officer of slot.officers) shifts.push({ ...times, userId: officer, role: 'officer' });
    }
  }
  return shifts;
}

/** Pairs of planned shifts of one user that overlap each other (index pairs). */
export function selfOverlaps(shifts: PlannedShift[]): [number, number][] {
  const byUser = new Map<string, number[]>();
  shifts.forEach((s, i) => byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), i]));
  const pairs: [number, number][] = [];
  for (const indexes of byUser.values()) {
    const sorted = [...indexes].sort((a, b) => shifts[a]!.startsAt.getTime() - shifts[b]!.startsAt.getTime());
    for (let k = 1; k < sorted.length; k += 1) {
      if (shiftsOverlap(shifts[sorted[k - 1]!]!, shifts[sorted[k]!]!))
        pairs.push([sorted[k - 1]!, sorted[k]!]);
    }
  }
  return pairs;
}

export interface OnDuty {
  leader: RosterShift | null;
  officers: RosterShift[];
  /** when the first of these shifts ends (null: nobody is on duty) */
  until: Date | null;
}

/** Who is on duty at `at`: the leader (the latest-starting leader shift) and the officers. */
export function onDutyAt(shifts: RosterShift[], at: Date): OnDuty {
  const covering = shifts.filter((s) => s.startsAt <= at && at < s.endsAt);
  const leaders = covering
    .filter((s) => s.role === 'leader')
    .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime());
  const officers = covering.filter((s) => s.role === 'officer');
  const ends = covering.map((s) => s.endsAt.getTime());
  return {
    leader: leaders[0] ?? null,
    officers,
    until: ends.length ? new Date(Math.min(...ends)) : null,
  };
}

export interface RosterGap extends ShiftTimes {
  leaders: number;
  officers: number;
  missingLeader: boolean;
  missingOfficers: number;
}

/**
 * Stretches of [from, to) with no leader or fewer than `minOfficers` officers on duty,
 * adjacent stretches with the same shortfall merged. Defaults proposed by practice: a
 * leader and 2 officers (../shared/DUTY-REPORTING-WARNINGS.md, part 1).
 */
export function rosterGaps(shifts: RosterShift[], from: Date, to: Date, minOfficers: number): RosterGap[] {
  const cuts = new Set<number>([from.getTime(), to.getTime()]);
  for (const s of shifts) {
    for (const t of [s.startsAt.getTime(), s.endsAt.getTime()])
      if (t > from.getTime() && t < to.getTime()) cuts.add(t);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const gaps: RosterGap[] = [];
  for (let i = 1; i < points.length; i += 1) {
    const startsAt = new Date(points[i - 1]!);
    const endsAt = new Date(points[i]!);
    const on = shifts.filter((s) => s.startsAt <= startsAt && endsAt <= s.endsAt);
    const leaders = on.filter((s) => s.role === 'leader').length;
    const officers = new Set(on.filter((s) => s.role === 'officer').map((s) => s.userId)).size;
    const missingOfficers = Math.max(0, minOfficers - officers);
    if (leaders > 0 && missingOfficers === 0) continue;
    const last = gaps[gaps.length - 1];
    if (
      last &&
      last.endsAt.getTime() === startsAt.getTime() &&
      last.leaders === leaders &&
      last.officers === officers
    ) {
      last.endsAt = endsAt;
      continue;
    }
    gaps.push({ startsAt, endsAt, leaders, officers, missingLeader: leaders === 0, missingOfficers });
  }
  return gaps;
}

/** Why a window of time cannot be asked about: at most 62 days, so a query stays bounded. */
export function rosterWindowDenial(from: Date, to: Date): RuleDenial | null {
  if (to <= from) return invalidField('to', 'must be after from');
  if (to.getTime() - from.getTime() > 62 * 86_400_000)
    return invalidField('to', 'the window may span at most 62 days');
  return null;
}

/** A user proposed for a shift at a site (undefined: no such user). */
export interface DutyAssignee {
  sitePath: string;
  disabled: boolean;
}

/**
 * Who may stand a shift at a site: an enabled user of the site itself or of a site above it
 * (a county leader may lead a township's duty), never of a sibling or a site below.
 */
export function dutyAssigneeDenial(
  field: string,
  userId: string,
  sitePath: string,
  user: DutyAssignee | undefined,
): RuleDenial | null {
  if (!user || user.disabled) return invalidField(field, `user ${userId} does not exist or is disabled`);
  if (!sitePath.startsWith(user.sitePath))
    return invalidField(field, `user ${userId} belongs to neither the site nor a site above it`);
  return null;
}
