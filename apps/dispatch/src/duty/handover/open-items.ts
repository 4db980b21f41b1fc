import { Injectable } from '@nestjs/common';
import { mergeOpenItems, type OpenItem } from '#domain';

/** Something a handover lists as still open at a site (directives, spot checks, reports due). */
export interface OpenItemSource {
  /** the `kind` of the items it gives, for logs */
  readonly kind: string;
  openItems(siteId: string): Promise<OpenItem[]>;
}

/** Enough for a handover to read at a glance; the rest is on the board. */
export const MAX_OPEN_ITEMS = 200;

/**
 * The sources a handover asks for its open items. A module that owns a kind of open work
 * registers its source here when it starts (`onModuleInit`), so the handover needs no
 * knowledge of spot checks or reports, and a source added later needs no change here.
 */
@Injectable()
export class OpenItemSources {
  private readonly sources: OpenItemSource[] = [];

  register(source: OpenItemSource): void {
    this.sources.push(source);
  }

  async collect(siteId: string): Promise<OpenItem[]> {
    const lists = await Promise.all(this.sources.map((s) => s.openItems(siteId)));
    return mergeOpenItems(lists, MAX_OPEN_ITEMS);
  }
}
