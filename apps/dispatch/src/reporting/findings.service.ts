import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CreateConcealedFindingRequest,
  FindingsQuery,
  FindingsView,
  FindingView,
  ReportingMonthlyView,
} from '#contracts';
import {
  interviewDue,
  monthlyReporting,
  shanghaiMonth,
  toQuotedCsv,
  type Actor,
  type FindingFact,
} from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { DailyReportFactsRegistry } from './daily-report-facts.js';
import { FindingsRepository } from './findings.repository.js';
import { IncidentsRepository, type SiteRow } from './incidents.repository.js';
import { isCommander, ReportingAccess } from './reporting-access.js';
import { findingView } from './views.js';

const YEAR_MS = 365 * 86_400_000;

/** The CSV's columns, zh-CN for Excel (the JSON keys are the English). */
export const REPORTING_CSV_HEADER = [
  '乡镇',
  '区划代码',
  '应报次数',
  '按时报送',
  '迟报',
  '漏报',
  '瞒报',
  '应交日报',
  '日报缺报',
  '日报迟交',
  '需约谈',
  '站点ID',
] as const;

const fact = (f: FindingView): FindingFact & { siteId: string } => ({
  kind: f.kind,
  at: new Date(f.at),
  siteId: f.siteId,
});

/**
 * Findings (迟报/漏报/瞒报), the 约谈 flag and the monthly 通报, merging the daily-report
 * side's facts (DailyReportFactsRegistry) with the incidents'.
 */
@Injectable()
export class FindingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly findings: FindingsRepository,
    private readonly incidents: IncidentsRepository,
    private readonly access: ReportingAccess,
    private readonly daily: DailyReportFactsRegistry,
    private readonly audit: AuditStore,
  ) {}

  private async all(sites: SiteRow[], from: Date, to: Date, includeDrill: boolean): Promise<FindingView[]> {
    const ids = sites.map((s) => s.id);
    const own = (await this.findings.ofSites(ids, from, to, includeDrill)).map(findingView);
    const daily = await this.daily.findings(ids, from, to, includeDrill);
    return [...own, ...daily].sort((a, b) => a.at.localeCompare(b.at));
  }

  /** Per site: whether a 约谈 is due at `at` (12 months back, drills never count). */
  private async interviews(sites: SiteRow[], at: Date): Promise<Set<string>> {
    const year = await this.all(sites, new Date(at.getTime() - YEAR_MS), new Date(at.getTime() + 1), false);
    const due = new Set<string>();
    for (const s of sites)
      if (interviewDue(year.filter((f) => f.siteId === s.id).map(fact), at)) due.add(s.id);
    return due;
  }

  async list(actor: Actor, q: FindingsQuery): Promise<FindingsView> {
    const sites = await this.access.sitesOf(actor, q.siteId);
    const now = new Date();
    const to = q.to ? new Date(q.to) : now;
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - YEAR_MS);
    if (from > to)
      throw new DomainError('invalid', 'from must not be after to', [{ path: 'from', message: 'after to' }]);
    const found = await this.all(sites, from, to, q.includeDrill === 'true');
    const due = await this.interviews(sites, now);
    return {
      sites: sites.map((s) => ({
        siteId: s.id,
        siteName: s.name,
        findings: found.filter((f) => f.siteId === s.id),
        interviewDue: due.has(s.id),
      })),
    };
  }

  /** 瞒报, recorded by a commander with a note. */
  async concealed(actor: Actor, req: CreateConcealedFindingRequest): Promise<FindingView> {
    if (!isCommander(actor)) throw new DomainError('forbidden', 'only commanders record a concealment');
    await this.access.site(actor, req.siteId);
    const incident = await this.incidents.find(req.incidentId);
    if (!incident) throw new DomainError('not_found', `incident ${req.incidentId} does not exist`);
    if (incident.site_id !== req.siteId)
      throw new DomainError('invalid', 'incidentId: the incident belongs to another site', [
        { path: 'incidentId', message: 'the incident belongs to another site' },
      ]);
    if (incident.drill) throw new DomainError('conflict', 'a drill makes no findings');
    const row = await this.dataSource.transaction(async (tx) => {
      const row = (await this.findings.insert(tx, {
        id: randomUUID(),
        siteId: req.siteId,
        kind: 'concealed',
        incidentId: req.incidentId,
        seconds: null,
        note: req.note,
        slot: null,
        drill: false,
        createdBy: actor.userId,
      }))!;
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'finding.concealed',
          subjectType: 'incident',
          subjectId: req.incidentId,
          data: { findingId: row.id, siteId: req.siteId, note: req.note },
        },
        tx,
      );
      return row;
    });
    return findingView(row);
  }

  async monthly(actor: Actor, month: string, includeDrill: boolean): Promise<ReportingMonthlyView> {
    const range = shanghaiMonth(month);
    if (!range) throw new DomainError('invalid', 'month must be YYYY-MM');
    const sites = await this.access.sitesOf(actor, undefined);
    const ids = sites.map((s) => s.id);
    const due = (
      await this.findings.dueReports(this.access.pathOf(actor), range.from, range.to, includeDrill)
    ).map((r) => ({ siteId: r.site_id, lateBySeconds: r.late_by_s }));
    const own = (await this.findings.ofSites(ids, range.from, range.to, includeDrill)).map(findingView);
    const counts = monthlyReporting(ids, due, own.map(fact));
    const daily = await this.daily.monthly(month, ids, includeDrill);
    const end = new Date(Math.min(Date.now(), range.to.getTime() - 1));
    const interview = await this.interviews(sites, end);
    return {
      month,
      includeDrill,
      rows: sites.map((s, i) => ({
        ...counts[i]!,
        siteName: s.name,
        regionCode: s.region_code,
        dailyDue: daily.get(s.id)?.dailyDue ?? 0,
        dailyMissing: daily.get(s.id)?.dailyMissing ?? 0,
        dailyLate: daily.get(s.id)?.dailyLate ?? 0,
        interviewDue: interview.has(s.id),
      })),
    };
  }

  csv(view: ReportingMonthlyView): string {
    return toQuotedCsv(
      REPORTING_CSV_HEADER,
      view.rows.map((r) => [
        r.siteName,
        r.regionCode,
        r.reportsDue,
        r.onTime,
        r.late,
        r.missed,
        r.concealed,
        r.dailyDue,
        r.dailyMissing,
        r.dailyLate,
        r.interviewDue ? '是' : '否',
        r.siteId,
      ]),
    );
  }
}
