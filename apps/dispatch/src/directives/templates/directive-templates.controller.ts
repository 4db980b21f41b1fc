import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateDirectiveTemplateRequestSchema,
  DIRECTIVE_TEMPLATE_VIEW,
  ISSUE_DIRECTIVE_RESPONSE,
  IssueFromTemplateRequestSchema,
  LIST_PAGE_DEFAULT,
  LIST_PAGE_MAX,
  pageQuerySchema,
  type CreateDirectiveTemplateRequest,
  type DirectiveTemplateView,
  type IssueDirectiveResponse,
  type IssueFromTemplateRequest,
  type PageQuery,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { DirectiveTemplatesService } from './directive-templates.service.js';

const LIST_PAGE_QUERY = pageQuerySchema(LIST_PAGE_DEFAULT, LIST_PAGE_MAX);

/** Saved directives, and issuing one of them. */
@ApiTags('directives')
@ApiBearerAuth()
@Controller('api/v1/directive-templates')
export class DirectiveTemplatesController {
  constructor(private readonly templates: DirectiveTemplatesService) {}

  @Post()
  @RequirePermission('directive.template')
  @ApiCreatedResponse({ description: 'the directive template created', schema: DIRECTIVE_TEMPLATE_VIEW })
  create(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateDirectiveTemplateRequestSchema) body: CreateDirectiveTemplateRequest,
  ): Promise<DirectiveTemplateView> {
    return this.templates.create(actor, body);
  }

  /** `?limit=` (default 100, at most 500) and `?offset=` */
  @Get()
  @RequirePermission('directive.template')
  @ApiOkResponse({
    description: "directive templates in the caller's scope",
    schema: { type: 'array', items: DIRECTIVE_TEMPLATE_VIEW },
  })
  list(
    @CurrentActor() actor: Actor,
    @ValidQuery(LIST_PAGE_QUERY) page: PageQuery,
  ): Promise<DirectiveTemplateView[]> {
    return this.templates.list(actor, page);
  }

  @Get(':id')
  @RequirePermission('directive.template')
  @ApiOkResponse({ description: 'one directive template', schema: DIRECTIVE_TEMPLATE_VIEW })
  get(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<DirectiveTemplateView> {
    return this.templates.get(actor, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('directive.template')
  @ApiNoContentResponse({ description: 'the directive template was deleted' })
  remove(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.templates.delete(actor, id);
  }

  /** Issues a directive from the template; targets given here replace the template's. */
  @Post(':id/issue')
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({
    description: 'the directive issued from the template',
    schema: ISSUE_DIRECTIVE_RESPONSE,
  })
  issue(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(IssueFromTemplateRequestSchema) body: IssueFromTemplateRequest,
  ): Promise<IssueDirectiveResponse> {
    return this.templates.issue(actor, id, body);
  }
}
