import { Injectable, type OnModuleInit } from '@nestjs/common';
import { toShanghaiIso, type OpenItem } from '#domain';
import { OpenItemSources, type OpenItemSource } from '../../duty/handover/open-items.js';
import { DailyReportsRepository } from './daily-reports.repository.js';

/** Daily reports the site still owes in an open round: a handover passes them on. */
@Injectable()
export class DailyReportOpenItems implements OpenItemSource, OnModuleInit {
  readonly kind = 'daily_report';

  constructor(
    private readonly sources: OpenItemSources,
    private readonly rows: DailyReportsRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async openItems(siteId: string): Promise<OpenItem[]> {
    return (await this.rows.pendingForSite(siteId)).map((t) => ({
      kind: this.kind,
      // a drill's round of the same date is a second item
      id: t.drill_id ? `${t.date}:${t.drill_id}` : t.date,
      title: `日报告 ${t.date} · 截止 ${toShanghaiIso(t.due_at).slice(5, 16).replace('T', ' ')}${t.drill ? ' · 演练' : ''}`,
      state: 'pending',
    }));
  }
}
