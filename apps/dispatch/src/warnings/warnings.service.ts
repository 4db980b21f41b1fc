import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  CreateWarningRequest,
  ListWarningsQuery,
  WarningCoverageView,
  WarningCreatedView,
  WarningStep,
  WarningSummaryView,
  WarningView,
} from '#contracts';
import {
  effectiveWarningState,
  isInScope,
  regionAncestors,
  regionPrefix,
  scopePrefix,
  warningApproveDenial,
  warningCoverage,
  warningDraftDenial,
  warningRejectDenial,
  warningSubmitDenial,
  warningTimesDenial,
  type Actor,
  type RuleDenial,
} from '#domain';
import { AuditStore } from '#persistence';
import { AppConfig, DomainError, DrillLinks } from '#platform';
import { refuse } from '../directives/shared/refuse.js';
import { WarningAreasRepository } from './warning-areas.repository.js';
import { WarningCoverageRepository } from './warning-coverage.repository.js';
import { WarningBudget } from './warning-budget.js';
import { WarningEvents } from './warning-events.js';
import { WarningIdentifiers } from './warning-identifiers.js';
import type { WarningPatch, WarningRow } from './warning-rows.js';
import { WarningsRepository } from './warnings.repository.js';
import { factsOf } from './warning-facts.js';
import { toWarningSummary, toWarningView } from './views.js';

/** What an imported CAP alert brings besides the request fields. */
export interface ImportOrigin {
  identifier: string;
  sender: string;
}

/**
 * 预警: drafting (制作), review (审核), sign-off (签发) and reading, with coverage. Publication,
 * updates and cancellations are in warning-publication.service.ts.
 */
@Injectable()
export class WarningsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly warnings: WarningsRepository,
    private readonly areas: WarningAreasRepository,
    private readonly coverageRows: WarningCoverageRepository,
    private readonly identifiers: WarningIdentifiers,
    private readonly audit: AuditStore,
    private readonly events: WarningEvents,
    private readonly budget: WarningBudget,
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly drillLinks: DrillLinks,
  ) {}

  async create(actor: Actor, req: CreateWarningRequest, origin?: ImportOrigin): Promise<WarningCreatedView> {
    refuse(warningDraftDenial(actor));
    refuse(warningTimesDenial(new Date(req.onset), new Date(req.expires)));
    await this.assertAreaInScope(actor, req.areas.regionCodes);
    const drillSites = await this.drillSites(actor, req);
    const issuer = await this.identifiers.issuer(actor);
    // after validation: a refused request costs nothing
    await this.budget.take(actor);
    const id = randomUUID();
    const identifier = await this.dataSource.transaction(async (tx) => {
      await this.drillLinks.attach(tx, req.drillId, drillSites);
      const identifier = await this.identifiers.next(tx, issuer.regionCode);
      await this.warnings.insert(tx, {
        id,
        identifier,
        sender: issuer.sender,
        msgType: 'Alert',
        status: req.status ?? (req.drillId ? 'Exercise' : 'Actual'),
        state: 'draft',
        event: req.event,
        level: req.level,
        headline: req.headline,
        description: req.description,
        instruction: req.instruction,
        en: req.en ?? null,
        regionCodes: req.areas.regionCodes,
        polygons: req.areas.polygons ?? [],
        onset: req.onset,
        expires: req.expires,
        drillId: req.drillId ?? null,
        previousId: null,
        directiveId: null,
        refs: [],
        issuerSiteId: actor.siteId,
        issuerSitePath: actor.sitePath,
        importedIdentifier: origin?.identifier ?? null,
        importedSender: origin?.sender ?? null,
        createdBy: actor.userId,
      });
      const step: WarningStep = origin ? 'imported' : 'created';
      await this.record(tx, actor, id, step, null, {
        identifier,
        ...req,
        ...(origin ? { importedFrom: origin } : {}),
      });
      return identifier;
    });
    this.events.changed({ id, identifier, state: 'draft', issuerSitePath: actor.sitePath });
    return { id, identifier, state: 'draft' };
  }

  /** 制作 → 审核 */
  submit(actor: Actor, id: string): Promise<WarningView> {
    return this.step(actor, id, 'submitted', (w) => warningSubmitDenial(actor, factsOf(w)), {
      state: 'review',
      submitted_by: actor.userId,
      stamp: ['submitted_at'],
      clearRejection: true,
    });
  }

  /** 签发: another person than the editor (unless WARNINGS_SELF_APPROVAL) */
  approve(actor: Actor, id: string): Promise<WarningView> {
    const self = this.config.raw.WARNINGS_SELF_APPROVAL;
    return this.step(
      actor,
      id,
      'approved',
      (w) => warningApproveDenial(actor, factsOf(w), self),
      (w) => ({
        // an emergency publication's sign-off afterwards leaves it published
        ...(w.state === 'review' ? { state: 'approved' as const } : {}),
        approved_by: actor.userId,
        stamp: ['approved_at'],
      }),
    );
  }

  /** 退回: back to draft with the reason */
  reject(actor: Actor, id: string, reason: string): Promise<WarningView> {
    return this.step(
      actor,
      id,
      'rejected',
      (w) => warningRejectDenial(actor, factsOf(w)),
      { state: 'draft', rejected_by: actor.userId, reject_reason: reason, stamp: ['rejected_at'] },
      reason,
    );
  }

  async get(actor: Actor, id: string): Promise<WarningView> {
    const w = await this.load(actor, id, 'read');
    const steps = await this.warnings.steps(id);
    return toWarningView(w, steps, new Date(), this.config.raw.WARNINGS_SELF_APPROVAL);
  }

  async list(actor: Actor, query: ListWarningsQuery): Promise<WarningSummaryView[]> {
    const rows = await this.warnings.list(scopePrefix(actor), query.state, query.limit);
    const now = new Date();
    return rows.map((w) => toWarningSummary(w, now));
  }

  async coverage(actor: Actor, id: string): Promise<WarningCoverageView> {
    const w = await this.load(actor, id, 'read');
    const rows = w.directive_id ? await this.coverageRows.of(w.directive_id) : null;
    return warningCoverage({
      targets: rows?.targets ?? 0,
      acknowledged: rows?.acknowledged ?? 0,
      byChannel: { console: rows?.console ?? 0, terminal: rows?.terminal ?? 0, radio: rows?.radio ?? 0 },
      deliverySeconds: rows?.deliverySeconds ?? [],
      onset: w.onset,
      publishedAt: w.published_at,
    });
  }

  /**
   * A warning in a drill is an exercise (CAP status Exercise) whose area's sites all lie in
   * the drill (docs/drills.md); the sites, for the check under the drill's lock.
   */
  async drillSites(actor: Actor, req: CreateWarningRequest): Promise<string[]> {
    if (!req.drillId) return [];
    if (req.status !== undefined && req.status !== 'Exercise')
      throw new DomainError(
        'unprocessable',
        `status: a warning in a drill has CAP status Exercise, not ${req.status}`,
        [{ path: 'status', message: 'must be Exercise (or left out) with a drillId' }],
      );
    const sites = await this.areas.sitesIn(
      scopePrefix(actor),
      req.areas.regionCodes.map(regionPrefix),
      this.config.raw.DIRECTIVE_MAX_RECIPIENTS + 1,
    );
    await this.drillLinks.check(actor, req.drillId, undefined, sites);
    return sites;
  }

  /** 403 naming every region code no site in the actor's scope contains. */
  async assertAreaInScope(actor: Actor, codes: string[]): Promise<void> {
    if (actor.role === 'admin') return;
    const outside = await this.areas.outsideScope(actor.sitePath, codes, codes.map(regionAncestors));
    if (outside.length)
      throw new DomainError('forbidden', `areas.regionCodes: outside your scope: ${outside.join(', ')}`, [
        { path: 'areas.regionCodes', message: `outside your scope: ${outside.join(', ')}` },
      ]);
  }

  /**
   * A warning the actor may see: issued within their scope (they may act on it), or
   * carried to a site in it (read only: `act` is 403). Unknown ids are 404.
   */
  async load(actor: Actor, id: string, need: 'read' | 'act'): Promise<WarningRow> {
    const w = await this.warnings.find(id);
    if (!w) throw new DomainError('not_found', `warning ${id} does not exist`);
    if (isInScope(actor, w.issuer_site_path)) return w;
    if (!(await this.warnings.isCarriedWithin(w.directive_id, actor.sitePath)))
      throw new DomainError('not_found', `warning ${id} does not exist`);
    if (need === 'read') return w;
    throw new DomainError('forbidden', `warning ${id} was issued outside your scope: you may only read it`);
  }

  /** A history row and an audit entry of one step, in the step's transaction. */
  async record(
    tx: EntityManager,
    actor: Actor,
    id: string,
    step: WarningStep,
    reason: string | null,
    data: Record<string, unknown> = {},
  ): Promise<void> {
    await this.warnings.insertStep(tx, id, step, actor.userId, reason);
    await this.audit.append(
      { actorId: actor.userId, action: `warning.${step}`, subjectType: 'warning', subjectId: id, data },
      tx,
    );
  }

  private async step(
    actor: Actor,
    id: string,
    step: WarningStep,
    denial: (w: WarningRow) => RuleDenial | null,
    patch: WarningPatch | ((w: WarningRow) => WarningPatch),
    reason: string | null = null,
  ): Promise<WarningView> {
    await this.load(actor, id, 'act');
    await this.dataSource.transaction(async (tx) => {
      const w = await this.warnings.lock(tx, id);
      if (!w) throw new DomainError('not_found', `warning ${id} does not exist`);
      refuse(denial(w));
      await this.warnings.patch(tx, id, typeof patch === 'function' ? patch(w) : patch);
      await this.record(tx, actor, id, step, reason, { identifier: w.identifier, from: w.state });
    });
    const view = await this.get(actor, id);
    this.announce(view.id);
    return view;
  }

  /** `warning.changed` for a warning as it now stands (after a commit). */
  announce(id: string): void {
    void this.warnings.find(id).then(
      (w) =>
        w &&
        this.events.changed({
          id,
          identifier: w.identifier,
          state: effectiveWarningState(w.state, w.expires, new Date()),
          issuerSitePath: w.issuer_site_path,
        }),
      () => undefined,
    );
  }
}
