import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateSiteGroupRequestSchema,
  LIST_PAGE_DEFAULT,
  LIST_PAGE_MAX,
  pageQuerySchema,
  SITE_GROUP_VIEW,
  type CreateSiteGroupRequest,
  type PageQuery,
  type SiteGroupView,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { SiteGroupsService } from './site-groups.service.js';

const LIST_PAGE_QUERY = pageQuerySchema(LIST_PAGE_DEFAULT, LIST_PAGE_MAX);

/** Saved groups of sites, named as a directive's targets. */
@ApiTags('directives')
@ApiBearerAuth()
@Controller('api/v1/site-groups')
export class SiteGroupsController {
  constructor(private readonly groups: SiteGroupsService) {}

  @Post()
  @RequirePermission('directive.template')
  @ApiCreatedResponse({ description: 'the site group created', schema: SITE_GROUP_VIEW })
  create(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateSiteGroupRequestSchema) body: CreateSiteGroupRequest,
  ): Promise<SiteGroupView> {
    return this.groups.create(actor, body);
  }

  /** `?limit=` (default 100, at most 500) and `?offset=`: groups carry their member lists */
  @Get()
  @RequirePermission('directive.template')
  @ApiOkResponse({
    description: "site groups in the caller's scope",
    schema: { type: 'array', items: SITE_GROUP_VIEW },
  })
  list(@CurrentActor() actor: Actor, @ValidQuery(LIST_PAGE_QUERY) page: PageQuery): Promise<SiteGroupView[]> {
    return this.groups.list(actor, page);
  }

  @Get(':id')
  @RequirePermission('directive.template')
  @ApiOkResponse({ description: 'one site group', schema: SITE_GROUP_VIEW })
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<SiteGroupView> {
    return this.groups.get(actor, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('directive.template')
  @ApiNoContentResponse({ description: 'the site group was deleted' })
  remove(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.groups.delete(actor, id);
  }
}
