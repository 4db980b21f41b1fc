import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  CreateDrillRequestSchema,
  DRILL_REPORT_VIEW,
  DRILL_VIEW,
  ListDrillsQuerySchema,
  type CreateDrillRequest,
  type ListDrillsQuery,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { DrillsService } from './drills.service.js';

const id = () => Param('id', new ParseUUIDPipe());

/**
 * 演练 (docs/drills.md). The contract is POST /drills and GET /drills/:id/report;
 * the list, the single drill and the early end are additive. Thin: validate, then the service.
 */
@ApiTags('drills')
@ApiBearerAuth()
@Controller('api/v1/drills')
export class DrillsController {
  constructor(private readonly drills: DrillsService) {}

  @Post()
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({ description: 'the drill', schema: DRILL_VIEW })
  create(@CurrentActor() actor: Actor, @ValidBody(CreateDrillRequestSchema) body: CreateDrillRequest) {
    return this.drills.create(actor, body);
  }

  @Get()
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: 'drills in your scope or reaching a site in it, newest first',
    schema: { type: 'array', items: DRILL_VIEW },
  })
  list(@CurrentActor() actor: Actor, @ValidQuery(ListDrillsQuerySchema) query: ListDrillsQuery) {
    return this.drills.list(actor, query);
  }

  @Get(':id')
  @RequirePermission('directive.read')
  @ApiOkResponse({ description: 'the drill', schema: DRILL_VIEW })
  get(@CurrentActor() actor: Actor, @id() drillId: string) {
    return this.drills.get(actor, drillId);
  }

  @Get(':id/report')
  @RequirePermission('directive.read')
  @ApiOkResponse({ description: 'the after-action report, per site and in total', schema: DRILL_REPORT_VIEW })
  report(@CurrentActor() actor: Actor, @id() drillId: string) {
    return this.drills.report(actor, drillId);
  }

  @Post(':id/end')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiOkResponse({ description: 'ended early; 409 when already ended', schema: DRILL_VIEW })
  end(@CurrentActor() actor: Actor, @id() drillId: string) {
    return this.drills.end(actor, drillId);
  }
}
