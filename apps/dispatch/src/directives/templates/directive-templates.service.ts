import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CreateDirectiveTemplateRequest,
  DirectiveTemplateView,
  IssueDirectiveResponse,
  IssueFromTemplateRequest,
  PageQuery,
} from '#contracts';
import { isInScope, scopePrefix, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { DirectivesService } from '../issue/directives.service.js';
import { TargetingService } from '../targeting/targeting.service.js';
import {
  DirectiveTemplatesRepository,
  toDirectiveTemplateView,
  type DirectiveTemplateRow,
} from './directive-templates.repository.js';

/** Saved directives (title, body, level, deadline, targets) issued again with one request. */
@Injectable()
export class DirectiveTemplatesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly templates: DirectiveTemplatesRepository,
    private readonly targeting: TargetingService,
    private readonly directives: DirectivesService,
  ) {}

  async create(actor: Actor, req: CreateDirectiveTemplateRequest): Promise<DirectiveTemplateView> {
    // saved targets must be ones the actor could issue to today
    if (req.targets) await this.targeting.resolve(actor, req.targets);
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await this.templates.insert(tx, {
        id,
        name: req.name,
        title: req.title,
        body: req.body,
        level: req.level,
        ackWithinSeconds: req.ackWithinSeconds ?? null,
        targets: req.targets ?? null,
        ownerSiteId: actor.siteId,
        ownerSitePath: actor.sitePath,
        createdBy: actor.userId,
      });
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive_template.create',
          subjectType: 'directive_template',
          subjectId: id,
          data: { name: req.name },
        },
        tx,
      );
    });
    return this.get(actor, id);
  }

  async list(actor: Actor, page: PageQuery): Promise<DirectiveTemplateView[]> {
    return (await this.templates.page(scopePrefix(actor), page)).map(toDirectiveTemplateView);
  }

  async get(actor: Actor, id: string): Promise<DirectiveTemplateView> {
    return toDirectiveTemplateView(await this.visible(actor, id));
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.visible(actor, id);
    await this.dataSource.transaction(async (tx) => {
      await this.templates.delete(tx, id);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive_template.delete',
          subjectType: 'directive_template',
          subjectId: id,
        },
        tx,
      );
    });
  }

  /** Issues a directive from the template; targets given here replace the template's. */
  async issue(actor: Actor, id: string, req: IssueFromTemplateRequest): Promise<IssueDirectiveResponse> {
    const t = await this.get(actor, id);
    const targets = req.targets ?? t.targets;
    if (!targets) {
      throw new DomainError('invalid', 'targets: the template has no targets; give them', [
        { path: 'targets', message: 'required' },
      ]);
    }
    return this.directives.issue(
      actor,
      {
        title: t.title,
        body: t.body,
        level: t.level,
        targets,
        ackWithinSeconds: t.ackWithinSeconds ?? undefined,
        drill: req.drill,
      },
      t.id,
    );
  }

  private async visible(actor: Actor, id: string): Promise<DirectiveTemplateRow> {
    const row = await this.templates.find(id);
    if (!row) throw new DomainError('not_found', `directive template ${id} does not exist`);
    if (!isInScope(actor, row.owner_site_path))
      throw new DomainError('forbidden', `directive template ${id} is outside your scope`);
    return row;
  }
}
