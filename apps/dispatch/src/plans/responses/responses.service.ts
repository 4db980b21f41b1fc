import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  ChangeResponseLevelRequest,
  EndResponseRequest,
  ListResponsesQuery,
  PlanAction,
  ResponseSummaryView,
  ResponseView,
  StartResponseRequest,
  StartResponseView,
} from '#contracts';
import {
  actionsForLevelChange,
  actionsOfLevel,
  endDirective,
  isInScope,
  levelChangeDirective,
  levelLabel,
  RESPONSE_ACTION_STALL_SECONDS,
  responseChangeDenial,
  responseCommandDenial,
  responseEndDenial,
  scopePrefix,
  type Actor,
} from '#domain';
import { AuditStore } from '#persistence';
import { DomainError, DrillLinks } from '#platform';
import { refuse } from '../../directives/shared/refuse.js';
import { PlanBudget } from '../plan-budget.js';
import { PlanChecks } from '../plan-checks.js';
import { PlanTeams, TeamAlerts } from '../plan-teams.js';
import { PlansRepository } from '../plans.repository.js';
import { PlansService } from '../plans.service.js';
import { NewActions } from './new-actions.js';
import { ResponseBoard } from './response-board.js';
import { ResponseRunner, type NoticeSpec } from './response-runner.js';
import { ResponsesRepository, type NewResponseAction, type ResponseRow } from './responses.repository.js';

/**
 * 启动响应 (docs/plans.md): start every action of a plan's level in one step, raise or lower
 * the level, end. Commanders (and admins) do so within their subtree; the board is read by
 * anyone the response reached, each seeing the part within their scope.
 */
@Injectable()
export class ResponsesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly responses: ResponsesRepository,
    private readonly plans: PlansRepository,
    private readonly planService: PlansService,
    private readonly checks: PlanChecks,
    private readonly newActions: NewActions,
    private readonly runner: ResponseRunner,
    private readonly board: ResponseBoard,
    private readonly teams: PlanTeams,
    private readonly teamAlerts: TeamAlerts,
    private readonly drillLinks: DrillLinks,
    private readonly audit: AuditStore,
    private readonly budget: PlanBudget,
  ) {}

  async start(actor: Actor, req: StartResponseRequest): Promise<StartResponseView> {
    refuse(responseCommandDenial(actor));
    const plan = await this.planService.load(actor, req.planId);
    // pinned: what the plan says now is what this response runs, whatever versions follow
    const version = (await this.plans.version(plan.id, plan.latest_version))!;
    const actions = actionsOfLevel(version.levels, req.level);
    if (!version.levels.some((l) => l.level === req.level))
      throw new DomainError(
        'unprocessable',
        `level: plan ${plan.id} has no ${levelLabel(req.level)} response`,
        [{ path: 'level', message: `the plan has no level ${req.level}` }],
      );
    // the starter's own scope, checked before anything starts (400/403 naming the action)
    await this.checks.check(actor, [{ level: req.level, actions }]);
    if (req.drillId) await this.drillLinks.check(actor, req.drillId, req.drill, []);
    if (req.incidentId && !(await this.responses.incidentExists(req.incidentId)))
      throw new DomainError('invalid', `incidentId: no such incident`, [
        { path: 'incidentId', message: 'no such incident' },
      ]);
    await this.budget.take(actor, 'response');
    const id = randomUUID();
    const drill = !!req.drillId || !!req.drill;
    const rows = await this.newActions.of(req.level, actions, version.name);
    await this.dataSource.transaction(async (tx) => {
      const inserted = await this.responses.insert(tx, {
        id,
        planId: plan.id,
        planVersion: version.version,
        level: req.level,
        incidentId: req.incidentId ?? null,
        drill,
        drillId: req.drillId ?? null,
        startedBy: actor.userId,
        siteId: actor.siteId,
        sitePath: actor.sitePath,
      });
      if (!inserted)
        throw new DomainError(
          'conflict',
          `a ${levelLabel(req.level)} response to incident ${req.incidentId} is already running`,
        );
      await this.responses.insertLevel(tx, id, req.level, actor.userId);
      await this.responses.insertActions(tx, id, rows);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'response.start',
          subjectType: 'response',
          subjectId: id,
          data: { ...req, planVersion: version.version, actions: rows.length },
        },
        tx,
      );
    });
    const r = (await this.responses.find(id))!;
    const failed = await this.runner.runAll(actor, r, await this.responses.actions(id));
    const done = await this.responses.actions(id);
    return {
      id,
      directiveIds: done.flatMap((a) => (a.directive_id ? [a.directive_id] : [])),
      consultationId: done.find((a) => a.consultation_id)?.consultation_id ?? null,
      teamAlerts: done.flatMap((a) => a.team_alerts ?? []),
      failed: failed.map((f) => ({
        actionId: f.id,
        kind: done.find((a) => a.id === f.id)!.kind,
        reason: f.reason,
      })),
    };
  }

  /** 升级/降级: recorded, a linked directive to every involved site, the new level's new actions. */
  async changeLevel(actor: Actor, id: string, req: ChangeResponseLevelRequest): Promise<ResponseView> {
    const seen = await this.commandable(actor, id);
    refuse(responseChangeDenial({ endedAt: seen.ended_at, level: seen.level }, req.level));
    const version = (await this.plans.version(seen.plan_id, seen.plan_version))!;
    const current = await this.responses.actions(id);
    const planActions = current
      .filter((a) => a.kind !== 'level-change' && a.kind !== 'end')
      .map((a) => a.spec as unknown as PlanAction);
    const next = actionsForLevelChange(actionsOfLevel(version.levels, req.level), {
      actions: planActions,
      alertedTeamIds: await this.teams.alerted(id),
      consultationOpen: !!seen.consultation_id,
    });
    await this.checks.check(actor, [{ level: req.level, actions: next }]);
    await this.budget.take(actor, 'response');
    const involved = await this.responses.involvedSites(id);
    const notice: NoticeSpec = {
      ...levelChangeDirective(version.name, seen.level, req.level),
      level: 'orange',
      siteIds: involved,
    };
    const rows: NewResponseAction[] = [
      ...(involved.length ? [this.newActions.notice(req.level, 'level-change', notice)] : []),
      ...(await this.newActions.of(req.level, next, version.name)),
    ];
    await this.dataSource.transaction(async (tx) => {
      const r = (await this.responses.find(id, tx, true))!;
      refuse(responseChangeDenial({ endedAt: r.ended_at, level: r.level }, req.level));
      if (!(await this.responses.setLevel(tx, id, req.level)))
        throw new DomainError(
          'conflict',
          `a ${levelLabel(req.level)} response to incident ${r.incident_id} is already running`,
        );
      await this.responses.insertLevel(tx, id, req.level, actor.userId);
      await this.responses.insertActions(tx, id, rows);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'response.level',
          subjectType: 'response',
          subjectId: id,
          data: { from: r.level, to: req.level, actions: rows.length, siteIds: involved },
        },
        tx,
      );
    });
    await this.runNew(actor, id, rows);
    return this.get(actor, id);
  }

  /** 终止: once (409 after); a linked directive to the involved sites; the teams released. */
  async end(actor: Actor, id: string, req: EndResponseRequest): Promise<ResponseView> {
    const seen = await this.commandable(actor, id);
    refuse(responseEndDenial({ endedAt: seen.ended_at }));
    await this.budget.take(actor, 'response');
    const involved = await this.responses.involvedSites(id);
    const notice: NoticeSpec = {
      ...endDirective(seen.plan_name, seen.level, req.summary),
      level: 'blue',
      siteIds: involved,
    };
    const rows = involved.length ? [this.newActions.notice(seen.level, 'end', notice)] : [];
    await this.dataSource.transaction(async (tx) => {
      const r = (await this.responses.find(id, tx, true))!;
      refuse(responseEndDenial({ endedAt: r.ended_at }));
      await this.responses.end(tx, id, actor.userId, req.summary);
      await this.responses.insertActions(tx, id, rows);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'response.end',
          subjectType: 'response',
          subjectId: id,
          data: { summary: req.summary, level: r.level, siteIds: involved },
        },
        tx,
      );
    });
    await this.runNew(actor, id, rows);
    await this.teamAlerts.releaseForResponse(id);
    return this.get(actor, id);
  }

  /** Runs again what failed or stalled (a crash mid-start); each action at most once at a time. */
  async retry(actor: Actor, id: string): Promise<ResponseView> {
    const r = await this.commandable(actor, id);
    if (r.ended_at) throw new DomainError('conflict', 'this response has ended');
    await this.budget.take(actor, 'response');
    const claimed = [];
    for (const a of await this.responses.actions(id, ['pending', 'failed']))
      if (await this.responses.claim(a.id, RESPONSE_ACTION_STALL_SECONDS)) claimed.push(a);
    await this.audit.append({
      actorId: actor.userId,
      action: 'response.retry',
      subjectType: 'response',
      subjectId: id,
      data: { actionIds: claimed.map((a) => a.id) },
    });
    await this.runner.runAll(actor, r, claimed);
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<ResponseView> {
    return this.board.view(actor, await this.visible(actor, id));
  }

  async list(actor: Actor, query: ListResponsesQuery): Promise<ResponseSummaryView[]> {
    const rows = await this.responses.list(scopePrefix(actor), query.state, query.limit);
    return rows.map((r) => ({
      id: r.id,
      planId: r.plan_id,
      planName: r.plan_name,
      level: r.level,
      state: r.ended_at ? 'ended' : 'active',
      drill: r.drill,
      incidentId: r.incident_id,
      startedAt: new Date(r.started_at).toISOString(),
      endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
    }));
  }

  private async runNew(actor: Actor, id: string, rows: NewResponseAction[]): Promise<void> {
    if (rows.length === 0) return;
    const ids = new Set(rows.map((a) => a.id));
    const r = (await this.responses.find(id))!;
    await this.runner.runAll(
      actor,
      r,
      (await this.responses.actions(id)).filter((a) => ids.has(a.id)),
    );
  }

  /** Unknown responses and responses that reached nothing in the actor's scope are both 404. */
  private async visible(actor: Actor, id: string): Promise<ResponseRow> {
    const r = await this.responses.find(id);
    if (!r) throw new DomainError('not_found', `response ${id} does not exist`);
    if (isInScope(actor, r.starter_site_path)) return r;
    const sites = await this.responses.sitePaths(await this.responses.involvedSites(id));
    if ([...sites.values()].some((p) => isInScope(actor, p))) return r;
    throw new DomainError('not_found', `response ${id} does not exist`);
  }

  private async commandable(actor: Actor, id: string): Promise<ResponseRow> {
    const r = await this.visible(actor, id);
    refuse(responseCommandDenial(actor));
    if (!isInScope(actor, r.starter_site_path))
      throw new DomainError(
        'forbidden',
        `response ${id} was started outside your scope: you may only follow it`,
      );
    return r;
  }
}
