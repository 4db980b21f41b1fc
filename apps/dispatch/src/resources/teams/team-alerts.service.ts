import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { TeamAlertOptions, TeamAlertResult, TeamResponseAlertView } from '#contracts';
import { hasPermission, isInScope, teamAlertDenial, teamAlertText, type Actor } from '#domain';
import { DomainError } from '#platform';
import { DirectivesService } from '../../directives/issue/directives.service.js';
import { refuse } from '../../directives/shared/refuse.js';
import { TeamsRepository, type TeamRow } from './teams.repository.js';

/** Teams one call may alert: a plan's level names a handful; more is a mistake or abuse. */
export const MAX_TEAMS_PER_ALERT = 50;

/**
 * Alerting a team (docs/resources.md): one directive per team to the team's site, through
 * DirectivesService.issue (every channel: the duty room console, the terminal, the radio),
 * with a team_alerts row written in the directive's own transaction. The team's status
 * then follows that directive's recipient (签收 → deployed, 反馈 → available) on every read,
 * so nothing here listens for events: a crash cannot leave a team stuck in a state its
 * directive has moved past. Exported for the plans area (responses) through TeamsModule.
 */
@Injectable()
export class TeamAlertsService {
  constructor(
    private readonly teams: TeamsRepository,
    private readonly directives: DirectivesService,
  ) {}

  /**
   * Every team is checked (exists, in scope, not unavailable) before any directive goes out;
   * then one directive each, in the order given. `drill` marks the directives 演练 when the
   * caller runs a drill without a drills row (a drillId implies it).
   */
  async alert(
    actor: Actor,
    teamIds: string[],
    opts: TeamAlertOptions & { drill?: boolean } = {},
  ): Promise<TeamAlertResult[]> {
    if (!hasPermission(actor.role, 'directive.issue'))
      throw new DomainError('forbidden', `role ${actor.role} may not alert teams`);
    const ids = [...new Set(teamIds)];
    if (ids.length === 0) return [];
    if (ids.length > MAX_TEAMS_PER_ALERT)
      throw new DomainError('invalid', `teamIds: at most ${MAX_TEAMS_PER_ALERT} teams at once`, [
        { path: 'teamIds', message: `at most ${MAX_TEAMS_PER_ALERT} teams at once` },
      ]);
    const found = new Map((await this.teams.findMany(ids)).map((t) => [t.id, t]));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length)
      throw new DomainError('not_found', `teamIds: no such team: ${missing.slice(0, 10).join(', ')}`, [
        { path: 'teamIds', message: `no such team: ${missing.slice(0, 10).join(', ')}` },
      ]);
    const outside = ids.filter((id) => !isInScope(actor, found.get(id)!.site_path));
    if (outside.length)
      throw new DomainError('forbidden', `teamIds: outside your scope: ${outside.slice(0, 10).join(', ')}`, [
        { path: 'teamIds', message: `outside your scope: ${outside.slice(0, 10).join(', ')}` },
      ]);
    for (const id of ids) refuse(teamAlertDenial(found.get(id)!));
    if (opts.incidentId && !(await this.teams.incidentExists(opts.incidentId)))
      throw new DomainError('invalid', `incidentId: no such incident`, [
        { path: 'incidentId', message: 'no such incident' },
      ]);
    const results: TeamAlertResult[] = [];
    for (const id of ids)
      results.push({ teamId: id, directiveId: await this.one(actor, found.get(id)!, opts) });
    return results;
  }

  /**
   * The end of a response (终止): its teams still alerted or deployed are available again.
   * Idempotent; a team alerted since by something else keeps that newer alert's status.
   */
  async releaseForResponse(responseId: string): Promise<void> {
    await this.teams.releaseResponse(responseId);
  }

  /**
   * For a response's board: each team the response alerted, with the team's status now.
   * No scope check here: the caller (the response's own access rule) decides who sees it.
   */
  async forResponse(responseId: string): Promise<TeamResponseAlertView[]> {
    const alerts = await this.teams.alertsOfResponse(responseId);
    if (alerts.length === 0) return [];
    const teams = new Map((await this.teams.findMany(alerts.map((a) => a.team_id))).map((t) => [t.id, t]));
    return alerts.map((a) => {
      const t = teams.get(a.team_id)!;
      return {
        teamId: t.id,
        teamName: t.name,
        siteId: t.site_id,
        siteName: t.site_name,
        directiveId: a.directive_id,
        status: t.status,
        alertedAt: new Date(a.created_at).toISOString(),
        releasedAt: a.released_at ? new Date(a.released_at).toISOString() : null,
      };
    });
  }

  private async one(
    actor: Actor,
    team: TeamRow,
    opts: TeamAlertOptions & { drill?: boolean },
  ): Promise<string> {
    const text = teamAlertText(
      {
        name: team.name,
        kind: team.kind,
        siteName: team.site_name,
        leaderName: team.leader_name,
        leaderPhone: team.leader_phone,
        headcount: team.headcount,
        assembleMinutes: team.assemble_minutes,
      },
      opts,
    );
    const issued = await this.directives.issue(
      actor,
      {
        ...text,
        targets: { siteIds: [team.site_id] },
        ...(opts.drillId ? { drillId: opts.drillId } : opts.drill ? { drill: true } : {}),
      },
      null,
      {
        within: async (tx, directiveId) => {
          // under the team's lock: a status set to unavailable meanwhile refuses the alert
          const locked = await this.teams.find(team.id, tx, true);
          if (!locked) throw new DomainError('not_found', `team ${team.id} does not exist`);
          refuse(teamAlertDenial(locked));
          const alertId = randomUUID();
          await this.teams.insertAlert(tx, {
            id: alertId,
            teamId: team.id,
            directiveId,
            siteId: team.site_id,
            responseId: opts.responseId ?? null,
            drillId: opts.drillId ?? null,
            incidentId: opts.incidentId ?? null,
            createdBy: actor.userId,
          });
          return {
            audit: [
              {
                actorId: actor.userId,
                action: 'team.alert',
                subjectType: 'team',
                subjectId: team.id,
                data: {
                  name: team.name,
                  alertId,
                  directiveId,
                  ...(opts.responseId ? { responseId: opts.responseId } : {}),
                  ...(opts.drillId ? { drillId: opts.drillId } : {}),
                  ...(opts.incidentId ? { incidentId: opts.incidentId } : {}),
                },
              },
            ],
          };
        },
      },
    );
    return issued.id;
  }
}
