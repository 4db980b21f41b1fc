import type {
  DrillConsultationView,
  DrillReportView,
  DrillSecondsView,
  DrillSiteReportView,
  DrillState,
  DrillView,
} from '#contracts';
import { isInScope, type Actor } from './access-policy.js';
import { consultationsOfDrill, type DrillConsultationRow } from './drill-consultations.js';
import type { RuleDenial } from './rule-denial.js';

/** 演练 (docs/drills.md): the rules of a drill and its after-action report, free of I/O. */

/** Drills created or ended per user per minute (DrillBudget). */
export const DRILL_WRITES_PER_MINUTE = 20;

export interface DrillFacts {
  id: string;
  siteIds: string[];
  startsAt: Date;
  endsAt: Date;
  endedAt: Date | null;
}

/** scheduled before startsAt, running until endsAt (or an early end), then ended. */
export function drillState(d: Pick<DrillFacts, 'startsAt' | 'endsAt' | 'endedAt'>, now: Date): DrillState {
  if (d.endedAt || now >= d.endsAt) return 'ended';
  return now < d.startsAt ? 'scheduled' : 'running';
}

/** Where a drill reaches: the site it was created at and the sites it names. */
export interface DrillReach<S extends { path: string }> {
  creatorSitePath: string;
  sites: S[];
}

/**
 * The drill's sites an actor sees: all of them within its creator's scope, else those in the
 * actor's own. None means the drill is not the actor's to see: GET /drills/:id and every drill
 * link answer 404 then, as for a drill that does not exist, so its existence is not told.
 */
export function drillSitesVisibleTo<S extends { path: string }>(actor: Actor, drill: DrillReach<S>): S[] {
  if (isInScope(actor, drill.creatorSitePath)) return drill.sites;
  return drill.sites.filter((s) => isInScope(actor, s.path));
}

export function isDrillVisibleTo(actor: Actor, drill: DrillReach<{ path: string }>): boolean {
  return drillSitesVisibleTo(actor, drill).length > 0;
}

/**
 * Why an item (directive, spot check, incident, warning) may not join the drill `drillId`:
 * the drill must exist, not be over, and hold every site the item reaches; an item in a
 * drill is a drill item, so `drill: false` beside a drillId is a contradiction.
 */
export function drillLinkDenial(
  drillId: string,
  drill: DrillFacts | null,
  item: { drill?: boolean; siteIds: string[] },
  now: Date,
): RuleDenial | null {
  if (!drill)
    return {
      code: 'not_found',
      message: `drill ${drillId} does not exist`,
      fields: [{ path: 'drillId', message: 'no such drill' }],
    };
  if (item.drill === false)
    return {
      code: 'unprocessable',
      message: 'drill: false contradicts drillId: an item in a drill is a drill item',
      fields: [{ path: 'drill', message: 'must be true (or left out) with a drillId' }],
    };
  if (drillState(drill, now) === 'ended')
    return {
      code: 'conflict',
      message: `drill ${drillId} has ended`,
      fields: [{ path: 'drillId', message: 'the drill has ended' }],
    };
  const inDrill = new Set(drill.siteIds);
  const outside = item.siteIds.filter((s) => !inDrill.has(s));
  if (outside.length)
    return {
      code: 'unprocessable',
      message: `${outside.length} site(s) are not in the drill: ${outside.slice(0, 10).join(', ')}`,
      fields: [{ path: 'drillId', message: `sites outside the drill: ${outside.slice(0, 10).join(', ')}` }],
    };
  return null;
}

/** Ending early: only a drill that has not ended yet (a second end is 409). */
export function drillEndDenial(drill: DrillFacts, now: Date): RuleDenial | null {
  if (drill.endedAt) return { code: 'conflict', message: `drill ${drill.id} was already ended` };
  if (now >= drill.endsAt)
    return { code: 'conflict', message: `drill ${drill.id} is already over (endsAt passed)` };
  return null;
}

/** One row the report repository reads: one item sent to one site of the drill. */
export type DrillItemRow =
  | {
      kind: 'directive';
      siteId: string;
      delivered: boolean;
      /** seconds from issue to 签收, null when never 签收'd */
      ackSeconds: number | null;
      /** seconds from issue to 反馈, null when never answered */
      answerSeconds: number | null;
    }
  | {
      kind: 'spot_check';
      siteId: string;
      state: 'pending' | 'answered' | 'late' | 'missed';
      answerSeconds: number | null;
    }
  | { kind: 'incident'; siteId: string; submitted: number; late: number }
  | { kind: 'warning'; siteId: string; delivered: boolean; acknowledged: boolean }
  | {
      kind: 'daily_report';
      siteId: string;
      state: 'pending' | 'submitted' | 'zero' | 'late' | 'missing';
      /** seconds from the round's opening to the site's first report, null before one */
      submitSeconds: number | null;
    }
  | {
      kind: 'consultation';
      siteId: string;
      /** seconds from the invitation to the site's first join, null when it never joined */
      joinSeconds: number | null;
    };

type Figures = DrillReportView['totals'];

/** Median (the mean of the two middle values for an even count) and max, whole seconds. */
export function secondsOf(values: number[]): DrillSecondsView {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return { values: sorted, median: null, max: null };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
  return { values: sorted, median, max: sorted[sorted.length - 1]! };
}

function figuresOf(rows: DrillItemRow[]): Figures {
  const ack: number[] = [];
  const answer: number[] = [];
  const check: number[] = [];
  const submit: number[] = [];
  const join: number[] = [];
  const f = {
    directives: { sent: 0, delivered: 0, acknowledged: 0, answered: 0 },
    spotChecks: { sent: 0, onTime: 0, late: 0, missed: 0, pending: 0 },
    reports: { incidents: 0, submitted: 0, late: 0 },
    warnings: { sent: 0, delivered: 0, acknowledged: 0 },
    dailyReports: { sent: 0, submitted: 0, late: 0, missing: 0, pending: 0 },
    consultations: { invited: 0, joined: 0 },
  };
  for (const r of rows) {
    if (r.kind === 'directive') {
      f.directives.sent++;
      if (r.delivered || r.ackSeconds !== null) f.directives.delivered++;
      if (r.ackSeconds !== null) (f.directives.acknowledged++, ack.push(r.ackSeconds));
      if (r.answerSeconds !== null) (f.directives.answered++, answer.push(r.answerSeconds));
    } else if (r.kind === 'spot_check') {
      f.spotChecks.sent++;
      if (r.state === 'answered') f.spotChecks.onTime++;
      else if (r.state === 'late') f.spotChecks.late++;
      else if (r.state === 'missed') f.spotChecks.missed++;
      else f.spotChecks.pending++;
      if (r.answerSeconds !== null && (r.state === 'answered' || r.state === 'late'))
        check.push(r.answerSeconds);
    } else if (r.kind === 'incident') {
      f.reports.incidents++;
      f.reports.submitted += r.submitted;
      f.reports.late += r.late;
    } else if (r.kind === 'daily_report') {
      f.dailyReports.sent++;
      if (r.state === 'pending') f.dailyReports.pending++;
      else if (r.state === 'missing') f.dailyReports.missing++;
      else f.dailyReports.submitted++;
      if (r.state === 'late') f.dailyReports.late++;
      if (r.submitSeconds !== null && r.state !== 'pending' && r.state !== 'missing')
        submit.push(r.submitSeconds);
    } else if (r.kind === 'consultation') {
      f.consultations.invited++;
      if (r.joinSeconds !== null) (f.consultations.joined++, join.push(r.joinSeconds));
    } else {
      f.warnings.sent++;
      if (r.delivered || r.acknowledged) f.warnings.delivered++;
      if (r.acknowledged) f.warnings.acknowledged++;
    }
  }
  return {
    directives: { ...f.directives, ackSeconds: secondsOf(ack), answerSeconds: secondsOf(answer) },
    spotChecks: { ...f.spotChecks, answerSeconds: secondsOf(check) },
    reports: f.reports,
    warnings: f.warnings,
    dailyReports: { ...f.dailyReports, submitSeconds: secondsOf(submit) },
    consultations: { ...f.consultations, joinSeconds: secondsOf(join) },
  };
}

/** Sent something that wanted an answer, and answered none of it. */
function isSilent(f: Figures): boolean {
  const asked =
    f.directives.sent + f.spotChecks.sent + f.warnings.sent + f.dailyReports.sent + f.consultations.invited;
  const answered =
    f.directives.acknowledged +
    f.directives.answered +
    f.spotChecks.onTime +
    f.spotChecks.late +
    f.warnings.acknowledged +
    f.dailyReports.submitted +
    f.consultations.joined;
  return asked > 0 && answered === 0;
}

/**
 * The after-action report: per drill site (in the drill's order) what was sent, delivered,
 * 签收'd and answered, how fast; totals over the drill; the drill's consultations (only
 * the invited sites the view holds); and the sites that stand out.
 */
export function drillReport(
  drill: DrillView,
  items: DrillItemRow[],
  generatedAt: Date,
  consultationRows: DrillConsultationRow[] = [],
): DrillReportView {
  const consultations: DrillConsultationView[] = consultationsOfDrill(consultationRows, drill.sites);
  const rows: DrillItemRow[] = [...items];
  for (const c of consultations)
    for (const s of c.sites)
      rows.push({ kind: 'consultation', siteId: s.siteId, joinSeconds: s.joinSeconds });
  const bySite = new Map<string, DrillItemRow[]>(drill.sites.map((s) => [s.id, []]));
  for (const r of rows) bySite.get(r.siteId)?.push(r);
  const sites: DrillSiteReportView[] = drill.sites.map((s) => {
    const f = figuresOf(bySite.get(s.id)!);
    return { siteId: s.id, siteName: s.name, ...f, silent: isSilent(f) };
  });
  const pick = (test: (s: DrillSiteReportView) => boolean) => sites.filter(test).map((s) => s.siteId);
  return {
    drill,
    generatedAt: generatedAt.toISOString(),
    sites,
    totals: figuresOf(rows.filter((r) => bySite.has(r.siteId))),
    consultations,
    missed: {
      acknowledgement: pick((s) => s.directives.sent > s.directives.acknowledged),
      feedback: pick((s) => s.directives.sent > s.directives.answered),
      spotCheck: pick((s) => s.spotChecks.missed > 0),
      dailyReport: pick((s) => s.dailyReports.missing > 0),
      silent: pick((s) => s.silent),
    },
  };
}
