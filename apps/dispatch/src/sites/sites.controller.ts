import { Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SITE_VIEW } from '#contracts';
import {
  CreateSiteRequestSchema,
  pageQuerySchema,
  SITES_PAGE_MAX,
  type CreateSiteRequest,
  type PageQuery,
  type SiteView,
  type UpdateSiteRequest,
  UpdateSiteRequestSchema,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { SitesService } from './sites.service.js';

// every site by default (the console's tree needs the whole tree), up to a hard cap
const SITES_PAGE_QUERY = pageQuerySchema(SITES_PAGE_MAX, SITES_PAGE_MAX);

@ApiTags('sites')
@ApiBearerAuth()
@Controller('api/v1/sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @RequirePermission('site.create')
  @ApiCreatedResponse({ description: 'the site created', schema: SITE_VIEW })
  create(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateSiteRequestSchema) body: CreateSiteRequest,
  ): Promise<SiteView> {
    return this.sites.create(actor, body);
  }

  /**
   * The actor's own site and everything below it (every site, for an admin), in tree order;
   * `?limit=` (default and at most 10,000) and `?offset=` page through it.
   */
  @Get()
  @RequirePermission('site.read')
  @ApiOkResponse({ description: "sites in the caller's scope", schema: { type: 'array', items: SITE_VIEW } })
  list(@CurrentActor() actor: Actor, @ValidQuery(SITES_PAGE_QUERY) page: PageQuery): Promise<SiteView[]> {
    return this.sites.list(actor, page);
  }

  @Get(':id')
  @RequirePermission('site.read')
  @ApiOkResponse({ description: 'one site', schema: SITE_VIEW })
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<SiteView> {
    return this.sites.get(actor, id);
  }

  /** Rename a site, place it on the map (lat/lng, null clears both) or set its duty phone; audited. */
  @Patch(':id')
  @RequirePermission('site.update')
  @ApiOkResponse({ description: 'the site as changed', schema: SITE_VIEW })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(UpdateSiteRequestSchema) body: UpdateSiteRequest,
  ): Promise<SiteView> {
    return this.sites.update(actor, id, body);
  }
}
