import { Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  CreatePlanRequestSchema,
  GetPlanQuerySchema,
  ListPlansQuerySchema,
  PLAN_CREATED_VIEW,
  PLAN_SUMMARY_VIEW,
  PLAN_VIEW,
  PlanVersionRequestSchema,
  type CreatePlanRequest,
  type GetPlanQuery,
  type ListPlansQuery,
  type PlanVersionRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { PlansService } from './plans.service.js';

const id = () => Param('id', new ParseUUIDPipe());

/**
 * 预案 (docs/plans.md). The contract is POST /plans, POST /plans/:id/versions and
 * GET /plans/:id; the list and ?version= are additive. Writing is for admins and commanders
 * (checked in the service: no new permission name).
 */
@ApiTags('plans')
@ApiBearerAuth()
@Controller('api/v1/plans')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Post()
  @RequirePermission('directive.read')
  @ApiCreatedResponse({ description: 'the plan and its first version', schema: PLAN_CREATED_VIEW })
  create(@CurrentActor() actor: Actor, @ValidBody(CreatePlanRequestSchema) body: CreatePlanRequest) {
    return this.plans.create(actor, body);
  }

  @Post(':id/versions')
  @RequirePermission('directive.read')
  @ApiCreatedResponse({ description: 'the new version', schema: PLAN_CREATED_VIEW })
  addVersion(
    @CurrentActor() actor: Actor,
    @id() planId: string,
    @ValidBody(PlanVersionRequestSchema) body: PlanVersionRequest,
  ) {
    return this.plans.addVersion(actor, planId, body);
  }

  @Get()
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: 'plans in your reach, latest versions',
    schema: { type: 'array', items: PLAN_SUMMARY_VIEW },
  })
  list(@CurrentActor() actor: Actor, @ValidQuery(ListPlansQuerySchema) query: ListPlansQuery) {
    return this.plans.list(actor, query);
  }

  @Get(':id')
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: 'the latest version (or ?version=) and the list of versions',
    schema: PLAN_VIEW,
  })
  get(
    @CurrentActor() actor: Actor,
    @id() planId: string,
    @ValidQuery(GetPlanQuerySchema) query: GetPlanQuery,
  ) {
    return this.plans.get(actor, planId, query);
  }
}
