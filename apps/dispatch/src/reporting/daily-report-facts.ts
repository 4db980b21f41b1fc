import { Injectable } from '@nestjs/common';
import type { FindingView } from '#contracts';

/** A month's daily-report counts for one site (日报告/零报告), merged into the monthly 通报. */
export interface DailyReportMonthlyFacts {
  dailyDue: number;
  dailyMissing: number;
  dailyLate: number;
}

/**
 * What the daily-report side knows that the incident side's findings, 约谈 flag and monthly
 * 通报 need. The daily module registers one source when it starts (`onModuleInit`), so the
 * incident side needs no knowledge of rounds, and neither module imports the other's code.
 */
export interface DailyReportFactsSource {
  /** daily `late`/`missed` findings of these sites with `at` in [from, to) */
  findings(siteIds: string[], from: Date, to: Date, includeDrill: boolean): Promise<FindingView[]>;
  /** per site id, the month's (`YYYY-MM`, Asia/Shanghai) daily counts; absent sites count 0 */
  monthly(
    month: string,
    siteIds: string[],
    includeDrill: boolean,
  ): Promise<Map<string, DailyReportMonthlyFacts>>;
}

/** The registered daily-report sources; with none registered every answer is empty. */
@Injectable()
export class DailyReportFactsRegistry {
  private readonly sources: DailyReportFactsSource[] = [];

  register(source: DailyReportFactsSource): void {
    this.sources.push(source);
  }

  async findings(siteIds: string[], from: Date, to: Date, includeDrill: boolean): Promise<FindingView[]> {
    if (siteIds.length === 0) return [];
    const lists = await Promise.all(this.sources.map((s) => s.findings(siteIds, from, to, includeDrill)));
    return lists.flat();
  }

  async monthly(
    month: string,
    siteIds: string[],
    includeDrill: boolean,
  ): Promise<Map<string, DailyReportMonthlyFacts>> {
    const merged = new Map<string, DailyReportMonthlyFacts>();
    if (siteIds.length === 0) return merged;
    const maps = await Promise.all(this.sources.map((s) => s.monthly(month, siteIds, includeDrill)));
    for (const map of maps) {
      for (const [siteId, f] of map) {
        const m = merged.get(siteId) ?? { dailyDue: 0, dailyMissing: 0, dailyLate: 0 };
        merged.set(siteId, {
          dailyDue: m.dailyDue + f.dailyDue,
          dailyMissing: m.dailyMissing + f.dailyMissing,
          dailyLate: m.dailyLate + f.dailyLate,
        });
      }
    }
    return merged;
  }
}
