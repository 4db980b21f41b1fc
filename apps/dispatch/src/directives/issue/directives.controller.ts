import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  ACK_RESPONSE,
  AckDirectiveRequestSchema,
  CancelDirectiveRequestSchema,
  DIRECTIVE_SUMMARY_VIEW,
  DIRECTIVE_VIEW,
  DirectiveUpdateRequestSchema,
  FeedbackRequestSchema,
  ISSUE_DIRECTIVE_RESPONSE,
  IssueDirectiveRequestSchema,
  ListDirectivesQuerySchema,
  type AckDirectiveRequest,
  type AckResponse,
  type CancelDirectiveRequest,
  type DirectiveSummaryView,
  type DirectiveUpdateRequest,
  type DirectiveView,
  type FeedbackRequest,
  type IssueDirectiveRequest,
  type IssueDirectiveResponse,
  type ListDirectivesQuery,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { RecipientReplies } from '../recipients/recipient-replies.service.js';
import { DirectivesService } from './directives.service.js';

/** The directive itself: issue, read, 签收, 反馈, cancel, 续发. */
@ApiTags('directives')
@ApiBearerAuth()
@Controller('api/v1/directives')
export class DirectivesController {
  constructor(
    private readonly directives: DirectivesService,
    private readonly replies: RecipientReplies,
  ) {}

  @Post()
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({
    description: 'the directive issued: id, serial and its recipients',
    schema: ISSUE_DIRECTIVE_RESPONSE,
  })
  issue(
    @CurrentActor() actor: Actor,
    @ValidBody(IssueDirectiveRequestSchema) body: IssueDirectiveRequest,
  ): Promise<IssueDirectiveResponse> {
    return this.directives.issue(actor, body);
  }

  @Get()
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: "directives in the caller's scope, newest first, with recipient counts",
    schema: { type: 'array', items: DIRECTIVE_SUMMARY_VIEW },
  })
  list(
    @CurrentActor() actor: Actor,
    @ValidQuery(ListDirectivesQuerySchema) query: ListDirectivesQuery,
  ): Promise<DirectiveSummaryView[]> {
    return this.directives.list(actor, query);
  }

  @Get(':id')
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: "the directive with its messages and every recipient's state",
    schema: DIRECTIVE_VIEW,
  })
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<DirectiveView> {
    return this.directives.get(actor, id);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @RequirePermission('directive.ack')
  @ApiOkResponse({
    description: "the site's 签收 (duplicate: true if it had already acknowledged)",
    schema: ACK_RESPONSE,
  })
  ack(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(AckDirectiveRequestSchema) body: AckDirectiveRequest,
  ): Promise<AckResponse> {
    return this.replies.acknowledge(actor, id, body);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @RequirePermission('directive.ack')
  @ApiOkResponse({
    description: "the site's completion with feedback, and the directive's status after it",
    schema: {
      allOf: [ACK_RESPONSE, { type: 'object', properties: { directiveStatus: { type: 'string' } } }],
    },
  })
  feedback(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(FeedbackRequestSchema) body: FeedbackRequest,
  ) {
    return this.replies.feedback(actor, id, body);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequirePermission('directive.cancel')
  @ApiOkResponse({ description: 'the cancelled directive', schema: DIRECTIVE_VIEW })
  cancel(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(CancelDirectiveRequestSchema) body: CancelDirectiveRequest,
  ): Promise<DirectiveView> {
    return this.directives.cancel(actor, id, body);
  }

  /** 续发: a linked update; the original text stays as sent. */
  @Post(':id/updates')
  @HttpCode(201)
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({
    description: 'the directive with the new linked update (续发)',
    schema: DIRECTIVE_VIEW,
  })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(DirectiveUpdateRequestSchema) body: DirectiveUpdateRequest,
  ): Promise<DirectiveView> {
    return this.directives.update(actor, id, body.text);
  }
}
