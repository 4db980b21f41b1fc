import { Controller, Get, Param, ParseUUIDPipe, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  CreateExpertRequestSchema,
  EXPERT_INVITATION_VIEW,
  EXPERT_VIEW,
  InviteExpertsRequestSchema,
  ListExpertsQuerySchema,
  UpdateExpertRequestSchema,
  type CreateExpertRequest,
  type InviteExpertsRequest,
  type ListExpertsQuery,
  type UpdateExpertRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { readCsvBody } from '../csv-body.js';
import { CsvExport, CsvImport, IMPORTED } from '../csv-endpoints.js';
import { ExpertsService } from './experts.service.js';

/**
 * 专家库 (docs/stock-and-experts.md). The contract is POST /experts, GET /experts and
 * the CSV pair; PATCH and the invitations are additive. Kept by admins and commanders
 * (site.update); invited by a consultation's moderators (consultation.create).
 */
@ApiTags('experts')
@ApiBearerAuth()
@Controller('api/v1')
export class ExpertsController {
  constructor(private readonly experts: ExpertsService) {}

  @Post('experts')
  @RequirePermission('site.update')
  @ApiCreatedResponse({ description: 'the expert', schema: EXPERT_VIEW })
  create(@CurrentActor() actor: Actor, @ValidBody(CreateExpertRequestSchema) body: CreateExpertRequest) {
    return this.experts.create(actor, body);
  }

  @Get('experts')
  @RequirePermission('site.read')
  @ApiOkResponse({
    description: 'experts of your scope, by category and name',
    schema: { type: 'array', items: EXPERT_VIEW },
  })
  list(@CurrentActor() actor: Actor, @ValidQuery(ListExpertsQuerySchema) query: ListExpertsQuery) {
    return this.experts.list(actor, query);
  }

  @CsvExport('experts.csv', 'experts.csv', 'experts of your scope, UTF-8 with a BOM, zh header')
  csv(@CurrentActor() actor: Actor) {
    return this.experts.csv(actor);
  }

  @CsvImport('experts/import', IMPORTED, '专家库.csv as exported (UTF-8, zh header), at most 2 MiB')
  async import(@CurrentActor() actor: Actor, @Req() req: Request) {
    return this.experts.importCsv(actor, await readCsvBody(req));
  }

  @Post('experts/invitations')
  @RequirePermission('consultation.create')
  @ApiCreatedResponse({
    description: 'the invitations, each with the expert’s name and phones to call',
    schema: { type: 'array', items: EXPERT_INVITATION_VIEW },
  })
  invite(@CurrentActor() actor: Actor, @ValidBody(InviteExpertsRequestSchema) body: InviteExpertsRequest) {
    return this.experts.invite(actor, body);
  }

  @Patch('experts/:id')
  @RequirePermission('site.update')
  @ApiOkResponse({ description: 'the expert', schema: EXPERT_VIEW })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(UpdateExpertRequestSchema) body: UpdateExpertRequest,
  ) {
    return this.experts.update(actor, id, body);
  }
}
