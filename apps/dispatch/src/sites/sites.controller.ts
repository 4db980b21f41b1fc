import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CreateSiteRequestSchema, type CreateSiteRequest, type SiteView } from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ZodPipe } from '#platform';
import { SitesService } from './sites.service.js';

@ApiTags('sites')
@ApiBearerAuth()
@Controller('api/v1/sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @RequirePermission('site.create')
  @ApiBody({ schema: z.toJSONSchema(CreateSiteRequestSchema) as object })
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodPipe(CreateSiteRequestSchema)) body: CreateSiteRequest,
  ): Promise<SiteView> {
    return this.sites.create(actor, body);
  }

  /** The actor's own site and everything below it (every site, for an admin). */
  @Get()
  @RequirePermission('site.read')
  list(@CurrentActor() actor: Actor): Promise<SiteView[]> {
    return this.sites.list(actor);
  }

  @Get(':id')
  @RequirePermission('site.read')
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<SiteView> {
    return this.sites.get(actor, id);
  }
}
