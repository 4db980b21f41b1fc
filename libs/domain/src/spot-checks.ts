import { parseHhmm, shanghaiDay, shanghaiInstant } from './shanghai-time.js';
/**
 * 查岗 spot checks: the pure rules (docs/spot-checks.md). Who is sampled, what an answer
 * records, when silence escalates, when a schedule fires, and the monthly 通报 figures.
 */

export type SpotCheckState = 'pending' | 'answered' | 'late' | 'missed';

/** A deterministic generator (mulberry32): the same seed draws the same sites and times. */
export function seededRandom(seed: string): () => number {
  // FNV-1a folds the seed text into 32 bits
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let a = h;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` distinct sites drawn at random from `pool` (a partial Fisher–Yates shuffle, so
 * every subset is equally likely), or the reason it cannot be done.
 */
export function sampleSites(
  pool: readonly string[],
  count: number,
  random: () => number = Math.random,
): { ok: true; siteIds: string[] } | { ok: false; reason: string } {
  const unique = [...new Set(pool)];
  if (!Number.isInteger(count) || count < 1) return { ok: false, reason: 'sample count must be at least 1' };
  if (count > unique.length)
    return {
      ok: false,
      reason: `sample of ${count} is larger than the ${unique.length} sites in scope`,
    };
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (unique.length - i));
    [unique[i], unique[j]] = [unique[j]!, unique[i]!];
  }
  return { ok: true, siteIds: unique.slice(0, count) };
}

/** What an answer does to a target: the first answer stands; after the deadline it is `late`. */
export type AnswerPlan =
  | { kind: 'record'; state: 'answered' | 'late'; latencyMs: number }
  | { kind: 'duplicate'; state: SpotCheckState };

export function planAnswer(
  current: SpotCheckState,
  check: { issuedAt: Date; deadline: Date },
  at: Date,
): AnswerPlan {
  // a `missed` target still takes its answer (recorded late): the site did answer, after the window
  if (current === 'answered' || current === 'late') return { kind: 'duplicate', state: current };
  const latencyMs = Math.max(0, at.getTime() - check.issuedAt.getTime());
  return { kind: 'record', state: at.getTime() <= check.deadline.getTime() ? 'answered' : 'late', latencyMs };
}

/** Consecutive misses before a site's silence goes to its parent site. */
export const MISSES_TO_ESCALATE = 2;

/**
 * How many of a site's latest settled checks in a row were missed: `newestFirst` are the
 * states of its targets, newest check first.
 */
export function missStreak(newestFirst: readonly SpotCheckState[]): number {
  let n = 0;
  for (const s of newestFirst) {
    if (s !== 'missed') break;
    n++;
  }
  return n;
}

/**
 * Whether the site's silence goes up to its parent: at two misses in a row and at every
 * further one (a site still silent stays escalated). A site without a parent has no one above.
 */
export function shouldEscalate(streak: number, parentId: string | null): boolean {
  return parentId !== null && streak >= MISSES_TO_ESCALATE;
}

export interface ScheduleRule {
  id: string;
  /** fixed times of day, "HH:MM" Shanghai time */
  times: readonly string[];
  /** checks at random moments inside a daily window */
  randomPerDay: { count: number; between: readonly [string, string] } | null;
}

/**
 * The moments a schedule fires on one Shanghai day, in order: its fixed times, and
 * `count` random moments between the window's ends, drawn from a generator seeded by the
 * schedule and the day, so every instance computes the same moments and the claim in the
 * database lets exactly one of them fire each.
 */
export function scheduleSlots(rule: ScheduleRule, day: string): Date[] {
  const midnight = shanghaiInstant(day).getTime();
  const slots = new Set<number>();
  for (const t of rule.times) {
    const m = parseHhmm(t);
    if (m !== null) slots.add(midnight + m * 60_000);
  }
  if (rule.randomPerDay) {
    const from = parseHhmm(rule.randomPerDay.between[0]);
    const to = parseHhmm(rule.randomPerDay.between[1]);
    if (from !== null && to !== null && to > from) {
      const random = seededRandom(`${rule.id}/${day}`);
      const spanSeconds = (to - from) * 60;
      for (let i = 0; i < rule.randomPerDay.count; i++) {
        slots.add(midnight + from * 60_000 + Math.floor(random() * spanSeconds) * 1000);
      }
    }
  }
  return [...slots].sort((a, b) => a - b).map((t) => new Date(t));
}

/**
 * The slots due at `now`: fired no later than now and no earlier than `graceMs` ago (an
 * instance down for longer does not fire a burst of stale checks when it comes back).
 * Looks at yesterday too, for a slot just before midnight.
 */
export function dueSlots(rule: ScheduleRule, now: Date, graceMs: number): Date[] {
  const today = shanghaiDay(now);
  const yesterday = shanghaiDay(new Date(now.getTime() - 24 * 3600_000));
  return [...scheduleSlots(rule, yesterday), ...scheduleSlots(rule, today)].filter(
    (s) => s.getTime() <= now.getTime() && s.getTime() > now.getTime() - graceMs,
  );
}

/** The instants bounding a Shanghai calendar month ("2026-12"), or null when malformed. */
export function shanghaiMonth(month: string): { from: Date; to: Date } | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) return null;
  const year = Number(m[1]);
  const mon = Number(m[2]);
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
  return { from: shanghaiInstant(`${month}-01`), to: shanghaiInstant(`${next}-01`) };
}

/** Nearest-rank percentile (p in 0..100) of sorted values; null when there are none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface TargetOutcome {
  siteId: string;
  state: SpotCheckState;
  latencyMs: number | null;
}

export interface MonthlyRow {
  siteId: string;
  checks: number;
  answeredOnTime: number;
  late: number;
  missed: number;
  /** of every answer, on time or late; null with none */
  medianMs: number | null;
  p90Ms: number | null;
}

/**
 * The monthly 通报 per site: every site in `siteIds` gets a row (a township never checked
 * shows zeros, which is itself worth reporting), in the order given.
 */
export function monthlyStats(siteIds: readonly string[], outcomes: readonly TargetOutcome[]): MonthlyRow[] {
  const bySite = new Map<string, TargetOutcome[]>(siteIds.map((id) => [id, []]));
  for (const o of outcomes) bySite.get(o.siteId)?.push(o);
  return siteIds.map((siteId) => {
    const list = bySite.get(siteId)!;
    const times = list
      .filter((o) => (o.state === 'answered' || o.state === 'late') && o.latencyMs !== null)
      .map((o) => o.latencyMs!)
      .sort((a, b) => a - b);
    return {
      siteId,
      checks: list.length,
      answeredOnTime: list.filter((o) => o.state === 'answered').length,
      late: list.filter((o) => o.state === 'late').length,
      missed: list.filter((o) => o.state === 'missed').length,
      medianMs: percentile(times, 50),
      p90Ms: percentile(times, 90),
    };
  });
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
function csvField(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  // a leading = + - @ would be a formula to a spreadsheet: keep it text
  const safe = /^[=+\-@]/.test(s) && typeof value === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** CSV in UTF-8 with a byte-order mark (Excel reads the Chinese only with it), CRLF lines. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
