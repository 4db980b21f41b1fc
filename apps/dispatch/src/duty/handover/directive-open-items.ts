import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { OpenItem } from '#domain';
import { HandoversRepository } from './handovers.repository.js';
import { OpenItemSources, type OpenItemSource } from './open-items.js';

/** Directives the site has not yet 签收'd or 反馈'd: the first thing a handover passes on. */
@Injectable()
export class DirectiveOpenItems implements OpenItemSource, OnModuleInit {
  readonly kind = 'directive';

  constructor(
    private readonly sources: OpenItemSources,
    private readonly handovers: HandoversRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  openItems(siteId: string): Promise<OpenItem[]> {
    return this.handovers.openDirectives(siteId);
  }
}
