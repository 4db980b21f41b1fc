import { Injectable } from '@nestjs/common';
import type { ResponseActionView, ResponseView } from '#contracts';
import { boardActionState, isInScope, scopePrefix, type Actor } from '#domain';
import { TeamAlerts } from '../plan-teams.js';
import { ResponsesRepository, type ResponseRow } from './responses.repository.js';

/**
 * The response board (GET /responses/:id): each action with its state and counts, the
 * teams' status, time since start and the level history. Who started it (or whose scope
 * holds the starter's site) sees everything; anyone else sees the part that reached their
 * scope (a duty officer: their own site).
 */
@Injectable()
export class ResponseBoard {
  constructor(
    private readonly responses: ResponsesRepository,
    private readonly teamAlerts: TeamAlerts,
  ) {}

  async view(actor: Actor, r: ResponseRow): Promise<ResponseView> {
    const full = isInScope(actor, r.starter_site_path);
    const scope = full ? r.starter_site_path : scopePrefix(actor);
    const rows = await this.responses.actions(r.id);
    const directiveIds = rows.flatMap((a) => [
      ...(a.directive_id ? [a.directive_id] : []),
      ...(a.team_alerts ?? []).map((t) => t.directiveId),
    ]);
    const counts = await this.responses.directiveCounts(directiveIds, scope);
    const consultations = await this.responses.consultations(
      rows.flatMap((a) => (a.consultation_id ? [a.consultation_id] : [])),
    );
    const alerts = await this.teamAlerts.forResponse(r.id);
    // the latest alert of each team (a retry or a level change never alerts a team twice)
    const teams = [...new Map(alerts.map((a) => [a.teamId, a])).values()];
    const sitePaths = full
      ? null
      : await this.responses.sitePaths(rows.flatMap((a) => a.site_ids).concat(teams.map((t) => t.siteId)));
    const inScope = (siteId: string) => !sitePaths || isInScope(actor, sitePaths.get(siteId) ?? '\u0000');
    const now = new Date();
    const actions: ResponseActionView[] = [];
    for (const a of rows) {
      const alerted = new Set((a.team_alerts ?? []).map((t) => t.teamId));
      const own = teams.filter((t) => alerted.has(t.teamId) && inScope(t.siteId));
      const c = a.directive_id ? (counts.get(a.directive_id) ?? null) : null;
      const view: ResponseActionView = {
        id: a.id,
        level: a.level,
        kind: a.kind,
        state: boardActionState({ state: a.state, createdAt: new Date(a.attempted_at) }, now),
        reason: a.reason,
        title: a.title,
        directiveId: a.directive_id,
        counts: a.directive_id
          ? (c ?? { sent: 0, delivered: 0, acknowledged: 0, answered: 0 })
          : a.team_alerts
            ? sum(a.team_alerts.map((t) => counts.get(t.directiveId)))
            : null,
        consultation: a.consultation_id
          ? { id: a.consultation_id, state: consultations.get(a.consultation_id) ?? 'scheduled' }
          : null,
        warningId: a.warning_id,
        teams: own.map((t) => ({ id: t.teamId, name: t.teamName, status: t.status })),
        createdAt: new Date(a.created_at).toISOString(),
      };
      const reachesScope =
        full || (view.counts?.sent ?? 0) > 0 || view.teams.length > 0 || a.site_ids.some(inScope);
      if (reachesScope) actions.push(view);
    }
    const end = r.ended_at ? new Date(r.ended_at) : now;
    const levels = await this.responses.levels(r.id);
    return {
      id: r.id,
      planId: r.plan_id,
      planName: r.plan_name,
      planVersion: r.plan_version,
      hazard: r.hazard,
      level: r.level,
      state: r.ended_at ? 'ended' : 'active',
      incidentId: r.incident_id,
      drill: r.drill,
      drillId: r.drill_id,
      consultationId: r.consultation_id,
      startedAt: new Date(r.started_at).toISOString(),
      startedBy: r.started_by,
      elapsedSeconds: Math.max(0, Math.floor((end.getTime() - new Date(r.started_at).getTime()) / 1000)),
      endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
      summary: r.summary,
      levels: levels.map((l) => ({
        level: l.level,
        at: new Date(l.changed_at).toISOString(),
        by: l.changed_by,
      })),
      actions,
      problems: actions.filter((a) => a.state === 'failed' || a.state === 'interrupted').length,
    };
  }
}

function sum(
  list: ({ sent: number; delivered: number; acknowledged: number; answered: number } | undefined)[],
) {
  const out = { sent: 0, delivered: 0, acknowledged: 0, answered: 0 };
  for (const c of list) {
    if (!c) continue;
    out.sent += c.sent;
    out.delivered += c.delivered;
    out.acknowledged += c.acknowledged;
    out.answered += c.answered;
  }
  return out;
}
