import { Injectable, type OnModuleInit } from '@nestjs/common';
import { toShanghaiIso, type OpenItem } from '#domain';
import { OpenItemSources, type OpenItemSource } from '../handover/open-items.js';
import { SpotChecksRepository } from './spot-checks.repository.js';

/** Spot checks the site has not answered yet, still inside their window: a handover passes them on. */
@Injectable()
export class SpotCheckOpenItems implements OpenItemSource, OnModuleInit {
  readonly kind = 'spot_check';

  constructor(
    private readonly sources: OpenItemSources,
    private readonly checks: SpotChecksRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async openItems(siteId: string): Promise<OpenItem[]> {
    return (await this.checks.openForSite(siteId)).map((c) => ({
      kind: this.kind,
      id: c.id,
      // the console shows the title as it is: the deadline in Shanghai time
      title: `查岗 · 截止 ${toShanghaiIso(new Date(c.deadline)).slice(11, 16)}${c.drill ? ' · 演练' : ''}`,
      state: 'pending',
    }));
  }
}
