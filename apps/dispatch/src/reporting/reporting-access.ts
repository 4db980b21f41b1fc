import { Injectable } from '@nestjs/common';
import { isInScope, type Actor } from '#domain';
import { DomainError } from '#platform';
import { IncidentsRepository, type IncidentRow, type SiteRow } from './incidents.repository.js';

export const isCommander = (actor: Actor) => actor.role === 'commander' || actor.role === 'admin';

/**
 * Who reaches which site's reports: a duty officer their own site only; commanders and
 * dispatchers the sites in their scope (access-policy).
 */
@Injectable()
export class ReportingAccess {
  constructor(private readonly incidents: IncidentsRepository) {}

  async site(actor: Actor, siteId: string): Promise<SiteRow> {
    const [site] = await this.incidents.sites([siteId]);
    if (!site) throw new DomainError('not_found', `site ${siteId} does not exist`);
    if (actor.role === 'duty_officer' ? site.id !== actor.siteId : !isInScope(actor, site.path))
      throw new DomainError('forbidden', 'this site is outside your scope');
    return site;
  }

  async incident(actor: Actor, id: string): Promise<{ incident: IncidentRow; site: SiteRow }> {
    const incident = await this.incidents.find(id);
    if (!incident) throw new DomainError('not_found', `incident ${id} does not exist`);
    return { incident, site: await this.site(actor, incident.site_id) };
  }

  /** The townships a list covers: one named site, else every township in scope. */
  async sitesOf(actor: Actor, siteId: string | undefined): Promise<SiteRow[]> {
    if (siteId) return [await this.site(actor, siteId)];
    if (actor.role === 'duty_officer') return [await this.site(actor, actor.siteId)];
    return this.incidents.townshipsUnder(actor.role === 'admin' ? '/' : actor.sitePath);
  }

  /** The path prefix a listing reads under. */
  pathOf(actor: Actor, site?: SiteRow): string {
    if (site) return site.path;
    return actor.role === 'admin' ? '/' : actor.sitePath;
  }
}
