import { Injectable, type OnModuleInit } from '@nestjs/common';
import { incidentDeadlines, nextDue, toShanghaiIso, type OpenItem } from '#domain';
import { OpenItemSources, type OpenItemSource } from '../duty/handover/open-items.js';
import { IncidentsRepository } from './incidents.repository.js';
import { factOf, ruleOf } from './views.js';

const KIND_NAMES = { phone: '电话报告', initial: '初报', followup: '续报', final: '终报' } as const;

/** The site's open incidents and the report each owes next: a handover passes them on. */
@Injectable()
export class IncidentOpenItems implements OpenItemSource, OnModuleInit {
  readonly kind = 'report';

  constructor(
    private readonly sources: OpenItemSources,
    private readonly incidents: IncidentsRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async openItems(siteId: string): Promise<OpenItem[]> {
    const open = await this.incidents.list('/', { siteId, state: 'open', includeDrill: true, limit: 100 });
    const reports = await this.incidents.reports(open.map((i) => i.id));
    return open.map((i) => {
      const facts = reports.filter((r) => r.incident_id === i.id).map(factOf);
      const next = nextDue(incidentDeadlines(ruleOf(i), i.learned_at, facts), facts);
      const owed = next
        ? ` · ${KIND_NAMES[next.kind]}截止 ${toShanghaiIso(next.dueAt).slice(5, 16).replace('T', ' ')}`
        : '';
      return {
        kind: this.kind,
        id: i.id,
        title: `${i.title}${owed}${i.drill ? ' · 演练' : ''}`,
        state: next && next.dueAt.getTime() < Date.now() ? 'overdue' : 'open',
      };
    });
  }
}
