import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TeamAlertResultView, TeamResponseAlertView } from '#contracts';
import { isInScope, type Actor } from '#domain';
import { DomainError } from '#platform';

/**
 * The teams area's alerting as a response uses it (TeamAlertsService, docs/resources.md):
 * one directive per team to its site, recorded as a team alert of the response.
 */
export abstract class TeamAlerts {
  abstract alert(
    actor: Actor,
    teamIds: string[],
    opts: { responseId?: string; drillId?: string; incidentId?: string; drill?: boolean },
  ): Promise<TeamAlertResultView[]>;
  /** the response ended: its teams still alerted or deployed are available again */
  abstract releaseForResponse(responseId: string): Promise<void>;
  /** each alert of the response, with its team's status now (the teams area's rule) */
  abstract forResponse(responseId: string): Promise<TeamResponseAlertView[]>;
}

/**
 * The teams a plan names and a response alerted (SQL only here; the alerting itself is
 * TeamAlertsService of the teams area, docs/resources.md).
 */
@Injectable()
export class PlanTeams {
  constructor(private readonly dataSource: DataSource) {}

  /** A plan's teams must exist (400) and lie in the author's scope (403). */
  async check(actor: Actor, ids: string[]): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT t.id, s.path FROM teams t JOIN sites s ON s.id = t.site_id WHERE t.id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; path: string }[];
    const found = new Map(rows.map((r) => [r.id, r.path]));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length)
      throw new DomainError('invalid', `teamIds: no such team: ${missing.slice(0, 10).join(', ')}`, [
        { path: 'teamIds', message: `no such team: ${missing.slice(0, 10).join(', ')}` },
      ]);
    const outside = ids.filter((id) => !isInScope(actor, found.get(id)!));
    if (outside.length)
      throw new DomainError('forbidden', `teamIds: outside your scope: ${outside.slice(0, 10).join(', ')}`, [
        { path: 'teamIds', message: `outside your scope: ${outside.slice(0, 10).join(', ')}` },
      ]);
  }

  /** Teams this response already alerted: a retry or a level change does not alert them twice. */
  async alerted(responseId: string): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT team_id FROM team_alerts WHERE response_id = $1`,
      [responseId],
    )) as { team_id: string }[];
    return rows.map((r) => r.team_id);
  }
}
