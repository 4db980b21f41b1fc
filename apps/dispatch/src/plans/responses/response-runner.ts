import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { DirectiveLevel, DirectiveTargets, PlanAction, TeamAlertResultView } from '#contracts';
import { dutyDirective, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import {
  announceConsultation,
  consultationView,
  DomainError,
  EventBus,
  LOGGER,
  recordConsultation,
} from '#platform';
import { DirectivesService } from '../../directives/issue/directives.service.js';
import { DirectiveTemplatesRepository } from '../../directives/templates/directive-templates.repository.js';
import { WarningsService } from '../../warnings/warnings.service.js';
import { PlanChecks } from '../plan-checks.js';
import { PlanTeams, TeamAlerts } from '../plan-teams.js';
import { ResponsesRepository, type ResponseActionRow, type ResponseRow } from './responses.repository.js';

/** A notice a level change or the end sends (spec of kinds `level-change` and `end`). */
export interface NoticeSpec {
  title: string;
  body: string;
  level: DirectiveLevel;
  siteIds: string[];
}

/**
 * Runs one action of a response (docs/plans.md). Each action is a response_actions row
 * written pending before it runs; here it becomes started (with what it made) or failed
 * (with the reason). Directives and the consultation are marked started in their own
 * transaction, so a crash never leaves one made but unrecorded; team alerts and warnings
 * are marked just after (a retry skips teams already alerted for the response).
 */
@Injectable()
export class ResponseRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly responses: ResponsesRepository,
    private readonly directives: DirectivesService,
    private readonly templates: DirectiveTemplatesRepository,
    private readonly warnings: WarningsService,
    private readonly teamAlerts: TeamAlerts,
    private readonly teams: PlanTeams,
    private readonly checks: PlanChecks,
    private readonly audit: AuditStore,
    private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Runs the actions in order; one failing does not stop the rest. Answers the failures. */
  async runAll(
    actor: Actor,
    r: ResponseRow,
    actions: ResponseActionRow[],
  ): Promise<{ id: string; reason: string }[]> {
    const failed: { id: string; reason: string }[] = [];
    for (const a of actions) {
      try {
        await this.run(actor, r, a);
      } catch (err) {
        const reason = err instanceof DomainError ? err.message : 'internal error';
        if (!(err instanceof DomainError)) this.logger.error({ err, action: a.id }, 'response action failed');
        await this.responses.markFailed(a.id, reason);
        failed.push({ id: a.id, reason });
      }
    }
    return failed;
  }

  private drill(r: ResponseRow): { drillId: string } | { drill: true } | Record<string, never> {
    return r.drill_id ? { drillId: r.drill_id } : r.drill ? { drill: true } : {};
  }

  private async run(actor: Actor, r: ResponseRow, a: ResponseActionRow): Promise<void> {
    if (a.kind === 'level-change' || a.kind === 'end') {
      const n = a.spec as unknown as NoticeSpec;
      return this.issue(
        actor,
        r,
        a,
        { title: n.title, body: n.body, level: n.level },
        { siteIds: n.siteIds },
      );
    }
    const spec = a.spec as unknown as PlanAction;
    switch (spec.kind) {
      case 'directive': {
        if (!spec.templateId)
          return this.issue(
            actor,
            r,
            a,
            { title: spec.title!, body: spec.body!, level: spec.level! },
            spec.targets,
          );
        const t = await this.templates.find(spec.templateId);
        if (!t) throw new DomainError('invalid', `directive template ${spec.templateId} no longer exists`);
        const text = {
          title: t.title,
          body: t.body,
          level: t.level,
          ackWithinSeconds: t.ack_within_seconds ?? undefined,
        };
        return this.issue(actor, r, a, text, spec.targets, t.id);
      }
      case 'duty': {
        const text = dutyDirective(r.plan_name, a.level, spec.note);
        return this.issue(actor, r, a, { ...text, level: 'orange' }, { siteIds: spec.siteIds });
      }
      case 'consultation':
        return this.consult(actor, r, a, spec.siteIds, spec.title ?? a.title);
      case 'alert-teams': {
        const done = new Set(await this.teams.alerted(r.id));
        const ids = spec.teamIds.filter((t) => !done.has(t));
        const results: TeamAlertResultView[] = await this.teamAlerts.alert(actor, ids, {
          responseId: r.id,
          ...(r.drill_id ? { drillId: r.drill_id } : {}),
          ...(r.incident_id ? { incidentId: r.incident_id } : {}),
          drill: r.drill,
        });
        await this.responses.markStarted(this.dataSource, a.id, { teamAlerts: results });
        return;
      }
      case 'warning': {
        const now = Date.now();
        const created = await this.warnings.create(actor, {
          event: spec.event,
          level: spec.level,
          headline: r.drill ? `【演练】${spec.headline}`.slice(0, 200) : spec.headline,
          description: spec.description,
          instruction: spec.instruction,
          areas: spec.areas,
          onset: new Date(now).toISOString(),
          expires: new Date(now + spec.validHours * 3600_000).toISOString(),
          ...(r.drill ? { status: 'Exercise' as const } : {}),
          ...(r.drill_id ? { drillId: r.drill_id } : {}),
        });
        await this.responses.markStarted(this.dataSource, a.id, { warningId: created.id });
        return;
      }
    }
  }

  private async issue(
    actor: Actor,
    r: ResponseRow,
    a: ResponseActionRow,
    text: { title: string; body: string; level: DirectiveLevel; ackWithinSeconds?: number },
    targets: DirectiveTargets,
    templateId: string | null = null,
  ): Promise<void> {
    await this.directives.issue(actor, { ...text, targets, ...this.drill(r) }, templateId, {
      // in the directive's transaction: a directive is never issued without its action marked
      within: async (tx, directiveId) => {
        await this.responses.markStarted(tx, a.id, { directiveId });
      },
    });
  }

  private async consult(
    actor: Actor,
    r: ResponseRow,
    a: ResponseActionRow,
    siteIds: string[],
    title: string,
  ): Promise<void> {
    await this.checks.sitesInScope(actor, siteIds);
    const entity = await this.dataSource.transaction(async (tx) => {
      const c = await recordConsultation(tx, this.audit, {
        actor,
        title: (r.drill ? `【演练】${title}` : title).slice(0, 200),
        siteIds,
        drillId: r.drill_id,
      });
      await this.responses.markStarted(tx, a.id, { consultationId: c.id, siteIds });
      await this.responses.setConsultation(tx, r.id, c.id);
      return c;
    });
    announceConsultation(this.bus, this.logger, consultationView(entity));
  }
}
