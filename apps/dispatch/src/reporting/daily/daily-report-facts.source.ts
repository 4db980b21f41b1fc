import { createHash } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { FindingView } from '#contracts';
import { monthDays, shanghaiDay, toShanghaiIso } from '#domain';
import {
  DailyReportFactsRegistry,
  type DailyReportFactsSource,
  type DailyReportMonthlyFacts,
} from '../daily-report-facts.js';
import { DailyReportsRepository } from './daily-reports.repository.js';

/**
 * A finding's moment (the late report, or the close) lies between a day before its date
 * (the earliest due time) and 7 days after it plus a cut-off of up to 7 days: dates this far
 * around [from, to) hold every finding in it.
 */
const LOOKBACK_MS = 16 * 86_400_000;
const LOOKAHEAD_MS = 2 * 86_400_000;

/** A stable id per finding (the same late report is the same finding in every answer), UUID-shaped. */
function findingId(kind: string, roundId: string, siteId: string): string {
  const h = createHash('sha256').update(`daily:${kind}:${roundId}:${siteId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Daily reports' findings for 信息报送: a site whose first report came after the due time
 * is `late` (with the seconds), a site still without one at the close is `missed` (at the
 * close). Drills are left out unless asked for. Registered with the reporting module's
 * registry (ReportingModule exports it), so the incident side needs no knowledge of rounds.
 */
@Injectable()
export class DailyReportFacts implements DailyReportFactsSource, OnModuleInit {
  constructor(
    private readonly rows: DailyReportsRepository,
    private readonly registry: DailyReportFactsRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async findings(siteIds: string[], from: Date, to: Date, includeDrill: boolean): Promise<FindingView[]> {
    const rows = await this.rows.findingRows(
      siteIds,
      shanghaiDay(new Date(from.getTime() - LOOKBACK_MS)),
      shanghaiDay(new Date(to.getTime() + LOOKAHEAD_MS)),
      includeDrill,
    );
    const out: FindingView[] = [];
    for (const r of rows) {
      const late = (r.late_seconds ?? 0) > 0 && r.first_at;
      const at = late ? r.first_at! : r.state === 'missing' ? r.closes_at : null;
      if (!at || at.getTime() < from.getTime() || at.getTime() >= to.getTime()) continue;
      const kind = late ? 'late' : 'missed';
      out.push({
        id: findingId(kind, r.round_id, r.site_id),
        siteId: r.site_id,
        kind,
        incidentId: null,
        date: r.date,
        seconds: late ? r.late_seconds : null,
        note: null,
        at: toShanghaiIso(at),
        drill: r.drill,
      });
    }
    return out.sort((a, b) => a.at.localeCompare(b.at));
  }

  async monthly(
    month: string,
    siteIds: string[],
    includeDrill: boolean,
  ): Promise<Map<string, DailyReportMonthlyFacts>> {
    const { first, last } = monthDays(month);
    const counts = new Map<string, DailyReportMonthlyFacts>();
    for (const r of await this.rows.findingRows(siteIds, first, last, includeDrill)) {
      const c = counts.get(r.site_id) ?? { dailyDue: 0, dailyMissing: 0, dailyLate: 0 };
      c.dailyDue += 1;
      if (r.state === 'missing') c.dailyMissing += 1;
      else if ((r.late_seconds ?? 0) > 0) c.dailyLate += 1;
      counts.set(r.site_id, c);
    }
    return counts;
  }
}
