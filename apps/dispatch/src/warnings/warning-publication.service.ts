import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import type { UpdateWarningRequest, WarningView } from '#contracts';
import {
  regionPrefix,
  scopePrefix,
  warningChangeDenial,
  warningDirectiveBody,
  warningPublishDenial,
  warningTimesDenial,
  warningUpdateText,
  type Actor,
} from '#domain';
import { AuditStore } from '#persistence';
import { AppConfig, DomainError, JobQueue, DrillLinks } from '#platform';
import { DirectivesService } from '../directives/issue/directives.service.js';
import type { DirectiveChange } from '../directives/shared/directive-changes.js';
import { refuse } from '../directives/shared/refuse.js';
import { WarningAreasRepository } from './warning-areas.repository.js';
import { factsOf } from './warning-facts.js';
import { WarningIdentifiers, type Issuer } from './warning-identifiers.js';
import type { WarningRow } from './warning-rows.js';
import { WarningsRepository } from './warnings.repository.js';
import { WarningsService } from './warnings.service.js';
import { sentOf } from './views.js';
import { rowContent, WARNING_EXPIRE_JOB, warningChange } from './warning-changes.js';

/**
 * 发布, 变更, 解除: a warning goes out as a directive linked to it (every channel, 签收,
 * escalation and expiry of the directive machinery; docs/warnings.md). Each step's own rows
 * are written in the directive's transaction through its link hook, so a crash leaves
 * either both or neither, and the row lock refuses a second publication.
 */
@Injectable()
export class WarningPublication {
  constructor(
    private readonly dataSource: DataSource,
    private readonly warnings: WarningsRepository,
    private readonly service: WarningsService,
    private readonly areas: WarningAreasRepository,
    private readonly identifiers: WarningIdentifiers,
    private readonly directives: DirectivesService,
    private readonly audit: AuditStore,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(JobQueue) jobs: JobQueue,
    private readonly drillLinks: DrillLinks,
  ) {
    jobs.handle<{ warningId: string }>(WARNING_EXPIRE_JOB, (job) => this.expire(job.warningId));
  }

  async publish(actor: Actor, id: string, emergency: boolean): Promise<WarningView> {
    const w = await this.service.load(actor, id, 'act');
    refuse(warningPublishDenial(actor, factsOf(w), emergency, new Date()));
    const siteIds = await this.areas.sitesIn(
      scopePrefix(actor),
      w.region_codes.map(regionPrefix),
      this.config.raw.DIRECTIVE_MAX_RECIPIENTS + 1,
    );
    if (siteIds.length === 0)
      throw new DomainError(
        'conflict',
        `no site in your scope lies in the area ${w.region_codes.join(', ')}`,
      );
    // a drill's warning goes out only while the drill runs, only to its sites (docs/drills.md)
    if (w.drill_id) await this.drillLinks.check(actor, w.drill_id, true, siteIds);
    await this.directives.issue(
      actor,
      {
        title: w.headline,
        body: warningDirectiveBody(w),
        level: w.level,
        targets: { siteIds },
        drill: w.status !== 'Actual',
        expiresAt: w.expires.toISOString(),
      },
      null,
      {
        warningId: id,
        within: async (tx, directiveId) => {
          const locked = await this.lockOrGone(tx, id);
          // a second publication waits on the lock and is refused here (409)
          refuse(warningPublishDenial(actor, factsOf(locked), emergency, new Date()));
          const urgent = emergency && locked.state !== 'approved';
          await this.warnings.patch(tx, id, {
            state: 'published',
            published_by: actor.userId,
            directive_id: directiveId,
            emergency: urgent,
            stamp: ['published_at'],
          });
          await this.warnings.insertStep(tx, id, urgent ? 'emergency_published' : 'published', actor.userId);
          return warningChange(actor, id, urgent ? 'warning.emergency_publish' : 'warning.publish', locked, {
            directiveId,
            sites: siteIds.length,
          });
        },
      },
    );
    this.service.announce(id);
    return this.service.get(actor, id);
  }

  /** 变更: a new message (msgType Update) that supersedes the warning, sent on the directive's update path. */
  async update(actor: Actor, id: string, changes: UpdateWarningRequest): Promise<WarningView> {
    const w = await this.service.load(actor, id, 'act');
    refuse(warningChangeDenial(actor, factsOf(w), 'update', new Date()));
    const merged = { ...rowContent(w), ...changes };
    const next = {
      ...merged,
      areas: { regionCodes: merged.areas.regionCodes, polygons: merged.areas.polygons ?? [] },
    };
    refuse(warningTimesDenial(new Date(next.onset), new Date(next.expires)));
    if (changes.areas) await this.service.assertAreaInScope(actor, changes.areas.regionCodes);
    // a widened area: its sites in the actor's scope that are not recipients yet are added
    // (resolved as publish does); sites a narrowed area leaves keep the directive
    const siteIds = changes.areas
      ? await this.areas.sitesIn(
          scopePrefix(actor),
          next.areas.regionCodes.map(regionPrefix),
          this.config.raw.DIRECTIVE_MAX_RECIPIENTS + 1,
        )
      : [];
    const newId = randomUUID();
    const issuer = await this.identifiers.issuer(actor);
    await this.directives.update(actor, w.directive_id!, warningUpdateText(next), {
      revise: {
        // the directive's validity follows the warning's (recipients, escalation, terminals)
        ...(changes.expires ? { expiresAt: new Date(next.expires).toISOString() } : {}),
        addSiteIds: siteIds,
        // a site added now sees the warning as it now stands, not as first published
        shown: { title: next.headline, body: warningDirectiveBody(next), level: next.level },
      },
      within: (tx) =>
        this.follow(tx, actor, issuer, w, newId, 'Update', next, async (locked) => {
          refuse(warningChangeDenial(actor, factsOf(locked), 'update', new Date()));
          await this.warnings.patch(tx, id, { state: 'superseded', superseded_by_id: newId });
        }),
    });
    this.service.announce(id);
    this.service.announce(newId);
    return this.service.get(actor, newId);
  }

  /** 解除: a new message (msgType Cancel); the warning and the directive are cancelled. */
  async cancel(actor: Actor, id: string, reason: string): Promise<WarningView> {
    const w = await this.service.load(actor, id, 'act');
    refuse(warningChangeDenial(actor, factsOf(w), 'cancel', new Date()));
    const newId = randomUUID();
    const issuer = await this.identifiers.issuer(actor);
    await this.directives.cancel(
      actor,
      w.directive_id!,
      { reason },
      {
        within: (tx) =>
          this.follow(
            tx,
            actor,
            issuer,
            w,
            newId,
            'Cancel',
            rowContent(w),
            async (locked) => {
              refuse(warningChangeDenial(actor, factsOf(locked), 'cancel', new Date()));
              await this.warnings.patch(tx, id, {
                state: 'cancelled',
                superseded_by_id: newId,
                cancelled_by: actor.userId,
                cancel_reason: reason,
                stamp: ['cancelled_at'],
              });
            },
            reason,
          ),
      },
    );
    this.service.announce(id);
    this.service.announce(newId);
    return this.service.get(actor, newId);
  }

  /** Records a published warning's expiry (the state reads as expired from `expires` on anyway). */
  async expire(id: string): Promise<void> {
    const expired = await this.dataSource.transaction(async (tx) => {
      if (!(await this.warnings.expire(tx, id))) return false;
      await this.warnings.insertStep(tx, id, 'expired', null);
      await this.audit.append(
        { actorId: null, action: 'warning.expired', subjectType: 'warning', subjectId: id, data: {} },
        tx,
      );
      return true;
    });
    if (expired) this.service.announce(id);
  }

  /**
   * The new message of an update or a cancellation: its identifier, `references` to every
   * earlier message, the original's directive, and the original's new state (`mark`).
   */
  private async follow(
    tx: EntityManager,
    actor: Actor,
    issuer: Issuer,
    original: WarningRow,
    newId: string,
    msgType: 'Update' | 'Cancel',
    content: ReturnType<typeof rowContent>,
    mark: (locked: WarningRow) => Promise<void>,
    reason: string | null = null,
  ): Promise<DirectiveChange> {
    const locked = await this.lockOrGone(tx, original.id);
    const identifier = await this.identifiers.next(tx, issuer.regionCode);
    const refs = [
      ...locked.refs,
      { sender: locked.sender, identifier: locked.identifier, sent: sentOf(locked).toISOString() },
    ];
    await this.warnings.insert(tx, {
      id: newId,
      identifier,
      sender: issuer.sender,
      msgType,
      status: locked.status,
      state: msgType === 'Cancel' ? 'cancelled' : 'published',
      event: content.event,
      level: content.level,
      headline: content.headline,
      description: content.description,
      instruction: content.instruction,
      en: content.en ?? null,
      regionCodes: content.areas.regionCodes,
      polygons: content.areas.polygons ?? [],
      onset: content.onset,
      expires: content.expires,
      drillId: locked.drill_id,
      previousId: locked.id,
      directiveId: locked.directive_id,
      refs,
      issuerSiteId: actor.siteId,
      issuerSitePath: actor.sitePath,
      importedIdentifier: null,
      importedSender: null,
      createdBy: actor.userId,
    });
    // the original's new state after the new row exists (superseded_by_id points at it);
    // `mark` refuses first when the original is no longer live, rolling all of it back
    await mark(locked);
    await this.warnings.patch(tx, newId, {
      published_by: actor.userId,
      approved_by: actor.userId,
      stamp: ['published_at', 'approved_at'],
    });
    const step = msgType === 'Cancel' ? 'cancelled' : 'updated';
    await this.warnings.insertStep(tx, locked.id, step, actor.userId, reason);
    await this.warnings.insertStep(tx, newId, step, actor.userId, reason);
    return warningChange(actor, newId, `warning.${step}`, locked, {
      identifier,
      references: refs,
      reason,
      content,
    });
  }

  private async lockOrGone(tx: EntityManager, id: string): Promise<WarningRow> {
    const w = await this.warnings.lock(tx, id);
    if (!w) throw new DomainError('not_found', `warning ${id} does not exist`);
    return w;
  }
}
