import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  AckDirectiveRequestSchema,
  CancelDirectiveRequestSchema,
  CreateDirectiveTemplateRequestSchema,
  CreateSiteGroupRequestSchema,
  DirectiveUpdateRequestSchema,
  FeedbackRequestSchema,
  IssueDirectiveRequestSchema,
  IssueFromTemplateRequestSchema,
  ListDirectivesQuerySchema,
  SetLeaderOnDutyRequestSchema,
  type AckDirectiveRequest,
  type AckResponse,
  type CancelDirectiveRequest,
  type CreateDirectiveTemplateRequest,
  type CreateSiteGroupRequest,
  type DirectiveSummaryView,
  type DirectiveTemplateView,
  type DirectiveUpdateRequest,
  type DirectiveView,
  type FeedbackRequest,
  type IssueDirectiveRequest,
  type IssueDirectiveResponse,
  type IssueFromTemplateRequest,
  type ListDirectivesQuery,
  type SetLeaderOnDutyRequest,
  type SiteGroupView,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, DomainError, RequirePermission, ZodPipe } from '#platform';
import { DirectivesService } from './directives.service.js';
import { TargetingService } from './targeting.service.js';

const schema = (s: z.ZodType) => ({ schema: z.toJSONSchema(s, { unrepresentable: 'any' }) as object });

@ApiTags('directives')
@ApiBearerAuth()
@Controller('api/v1/directives')
export class DirectivesController {
  constructor(private readonly directives: DirectivesService) {}

  @Post()
  @RequirePermission('directive.issue')
  @ApiBody(schema(IssueDirectiveRequestSchema))
  issue(
    @CurrentActor() actor: Actor,
    @Body(new ZodPipe(IssueDirectiveRequestSchema)) body: IssueDirectiveRequest,
  ): Promise<IssueDirectiveResponse> {
    return this.directives.issue(actor, body);
  }

  @Get()
  @RequirePermission('directive.read')
  list(
    @CurrentActor() actor: Actor,
    @Query(new ZodPipe(ListDirectivesQuerySchema)) query: ListDirectivesQuery,
  ): Promise<DirectiveSummaryView[]> {
    return this.directives.list(actor, query);
  }

  @Get(':id')
  @RequirePermission('directive.read')
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<DirectiveView> {
    return this.directives.get(actor, id);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @RequirePermission('directive.ack')
  @ApiBody(schema(AckDirectiveRequestSchema))
  ack(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(AckDirectiveRequestSchema)) body: AckDirectiveRequest,
  ): Promise<AckResponse> {
    return this.directives.acknowledge(actor, id, body);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @RequirePermission('directive.ack')
  @ApiBody(schema(FeedbackRequestSchema))
  feedback(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(FeedbackRequestSchema)) body: FeedbackRequest,
  ) {
    return this.directives.feedback(actor, id, body);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequirePermission('directive.cancel')
  @ApiBody(schema(CancelDirectiveRequestSchema))
  cancel(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(CancelDirectiveRequestSchema)) body: CancelDirectiveRequest,
  ): Promise<DirectiveView> {
    return this.directives.cancel(actor, id, body);
  }

  /** 续发: a linked update; the original text stays as sent. */
  @Post(':id/updates')
  @HttpCode(201)
  @RequirePermission('directive.issue')
  @ApiBody(schema(DirectiveUpdateRequestSchema))
  update(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(DirectiveUpdateRequestSchema)) body: DirectiveUpdateRequest,
  ): Promise<DirectiveView> {
    return this.directives.update(actor, id, body.text);
  }
}

@ApiTags('directives')
@ApiBearerAuth()
@Controller('api/v1/site-groups')
export class SiteGroupsController {
  constructor(private readonly targeting: TargetingService) {}

  @Post()
  @RequirePermission('directive.template')
  @ApiBody(schema(CreateSiteGroupRequestSchema))
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodPipe(CreateSiteGroupRequestSchema)) body: CreateSiteGroupRequest,
  ): Promise<SiteGroupView> {
    return this.targeting.createGroup(actor, body);
  }

  @Get()
  @RequirePermission('directive.template')
  list(@CurrentActor() actor: Actor): Promise<SiteGroupView[]> {
    return this.targeting.listGroups(actor);
  }

  @Get(':id')
  @RequirePermission('directive.template')
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<SiteGroupView> {
    return this.targeting.getGroup(actor, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('directive.template')
  remove(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.targeting.deleteGroup(actor, id);
  }
}

@ApiTags('directives')
@ApiBearerAuth()
@Controller('api/v1/directive-templates')
export class DirectiveTemplatesController {
  constructor(
    private readonly targeting: TargetingService,
    private readonly directives: DirectivesService,
  ) {}

  @Post()
  @RequirePermission('directive.template')
  @ApiBody(schema(CreateDirectiveTemplateRequestSchema))
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodPipe(CreateDirectiveTemplateRequestSchema)) body: CreateDirectiveTemplateRequest,
  ): Promise<DirectiveTemplateView> {
    return this.targeting.createTemplate(actor, body);
  }

  @Get()
  @RequirePermission('directive.template')
  list(@CurrentActor() actor: Actor): Promise<DirectiveTemplateView[]> {
    return this.targeting.listTemplates(actor);
  }

  @Get(':id')
  @RequirePermission('directive.template')
  get(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<DirectiveTemplateView> {
    return this.targeting.getTemplate(actor, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('directive.template')
  remove(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.targeting.deleteTemplate(actor, id);
  }

  /** Issues a directive from the template; targets given here replace the template's. */
  @Post(':id/issue')
  @RequirePermission('directive.issue')
  @ApiBody(schema(IssueFromTemplateRequestSchema))
  async issue(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(IssueFromTemplateRequestSchema)) body: IssueFromTemplateRequest,
  ): Promise<IssueDirectiveResponse> {
    const t = await this.targeting.getTemplate(actor, id);
    const targets = body.targets ?? t.targets;
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
        drill: body.drill,
      },
      t.id,
    );
  }
}

/** 领导带班: the leader on duty at a site is notified when the site misses a deadline. */
@ApiTags('directives')
@ApiBearerAuth()
@Controller('api/v1/sites/:siteId/leader-on-duty')
export class LeaderOnDutyController {
  constructor(private readonly targeting: TargetingService) {}

  @Put()
  @RequirePermission('duty.manage')
  @ApiBody(schema(SetLeaderOnDutyRequestSchema))
  set(
    @CurrentActor() actor: Actor,
    @Param('siteId', new ParseUUIDPipe()) siteId: string,
    @Body(new ZodPipe(SetLeaderOnDutyRequestSchema)) body: SetLeaderOnDutyRequest,
  ) {
    return this.targeting.setLeaderOnDuty(actor, siteId, body.userId);
  }

  @Get()
  @RequirePermission('site.read')
  get(@CurrentActor() actor: Actor, @Param('siteId', new ParseUUIDPipe()) siteId: string) {
    return this.targeting.getLeaderOnDuty(actor, siteId);
  }
}
