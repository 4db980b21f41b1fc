import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { capIdentifier } from '#cap';
import { pathIds, type Actor } from '#domain';
import { AppConfig, DomainError } from '#platform';
import { WarningAreasRepository } from './warning-areas.repository.js';
import { WarningsRepository } from './warnings.repository.js';

/** Seconds tried ahead when ten identifiers were taken in one second (N is one digit). */
const MAX_SECONDS_AHEAD = 60;

export interface Issuer {
  /** the 6-digit GB/T 2260 code that heads identifiers (the site's, or its county's) */
  regionCode: string;
  siteName: string;
  /** the CAP sender */
  sender: string;
}

/**
 * GB/T 35965.1 identifiers `ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N`: the issuing site's region
 * code, the organization code (WARNING_ORG_CODE), the database's time in Beijing time and a
 * sequence digit taken from a counter row per (prefix, second), so two instances of a
 * cluster never hand out the same one; an eleventh message in a second takes the next second.
 */
@Injectable()
export class WarningIdentifiers {
  constructor(
    private readonly warnings: WarningsRepository,
    private readonly areas: WarningAreasRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** The issuing site's region code; 409 when neither the site nor a site above it has one. */
  async issuer(actor: Actor): Promise<Issuer> {
    const found = await this.areas.issuerRegionCode(pathIds(actor.sitePath));
    if (!found)
      throw new DomainError(
        'conflict',
        'your site and the sites above it have no region code: set one on the site before issuing warnings',
      );
    const regionCode = found.regionCode.slice(0, 6);
    return { regionCode, siteName: found.name, sender: `yihu@${regionCode}.${this.orgCode()}` };
  }

  async next(tx: EntityManager, regionCode: string): Promise<string> {
    const now = await this.warnings.now(tx);
    const org = this.orgCode();
    for (let ahead = 0; ahead < MAX_SECONDS_AHEAD; ahead++) {
      const at = new Date(Math.floor(now.getTime() / 1000) * 1000 + ahead * 1000);
      const prefix = capIdentifier({ regionCode, orgCode: org, at, seq: 0 }).slice(0, -2);
      const seq = await this.warnings.takeSequence(tx, prefix);
      if (seq <= 9) return capIdentifier({ regionCode, orgCode: org, at, seq });
    }
    throw new DomainError('rate_limited', 'too many warnings this minute from this region', undefined, 60);
  }

  private orgCode(): string {
    return this.config.raw.WARNING_ORG_CODE;
  }
}
