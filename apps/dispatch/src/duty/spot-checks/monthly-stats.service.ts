import { Injectable } from '@nestjs/common';
import type { MonthlyStatsRow, MonthlyStatsView } from '#contracts';
import { monthlyStats, shanghaiMonth, toCsv, type Actor } from '#domain';
import { DomainError } from '#platform';
import { SpotChecksRepository } from './spot-checks.repository.js';

/** The CSV's columns, zh-CN for the people who open it in Excel (the JSON keys are the English). */
export const MONTHLY_CSV_HEADER = [
  '乡镇',
  '区划代码',
  '查岗次数',
  '按时应答',
  '迟到应答',
  '未应答',
  '应答时间中位数(秒)',
  '应答时间P90(秒)',
  '站点ID',
] as const;

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);

/**
 * The monthly 通报: per township in the caller's scope, checks, answered on time, late,
 * missed, and the median and p90 answer time (of every answer, on time or late), for a
 * calendar month in Asia/Shanghai. Drills stay out unless asked for.
 */
@Injectable()
export class MonthlyStatsService {
  constructor(private readonly checks: SpotChecksRepository) {}

  async monthly(actor: Actor, month: string, includeDrill: boolean): Promise<MonthlyStatsView> {
    const range = shanghaiMonth(month);
    if (!range) throw new DomainError('invalid', 'month must be YYYY-MM');
    const path = actor.role === 'admin' ? '/' : actor.sitePath;
    const townships = await this.checks.townshipsUnder(path);
    const outcomes = await this.checks.outcomes(path, range.from, range.to, includeDrill);
    const stats = monthlyStats(
      townships.map((t) => t.id),
      outcomes.map((o) => ({ siteId: o.site_id, state: o.state, latencyMs: o.latency_ms })),
    );
    const rows: MonthlyStatsRow[] = stats.map((s, i) => ({
      ...s,
      siteName: townships[i]!.name,
      regionCode: townships[i]!.region_code,
    }));
    return { month, includeDrill, rows };
  }

  csv(view: MonthlyStatsView): string {
    return toCsv(
      MONTHLY_CSV_HEADER,
      view.rows.map((r) => [
        r.siteName,
        r.regionCode,
        r.checks,
        r.answeredOnTime,
        r.late,
        r.missed,
        seconds(r.medianMs),
        seconds(r.p90Ms),
        r.siteId,
      ]),
    );
  }
}
