import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  CreateHandoverRequestSchema,
  dutyList,
  HANDOVER_VIEW,
  HandoverListQuerySchema,
  type CreateHandoverRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { HandoversService } from './handovers.service.js';

/** 交接班: anyone on duty in scope hands over; only the incoming officer confirms. */
@ApiTags('duty')
@ApiBearerAuth()
@Controller('api/v1/duty/handovers')
export class HandoversController {
  constructor(private readonly handovers: HandoversService) {}

  @Post()
  @ApiCreatedResponse({
    description: 'the handover, its open items and when it must be confirmed',
    schema: HANDOVER_VIEW,
  })
  @RequirePermission('site.read')
  create(@CurrentActor() actor: Actor, @ValidBody(CreateHandoverRequestSchema) body: CreateHandoverRequest) {
    return this.handovers.create(actor, body);
  }

  @Get()
  @ApiOkResponse({
    description: "the site's recent handovers, newest first",
    schema: dutyList(HANDOVER_VIEW),
  })
  @RequirePermission('site.read')
  list(
    @CurrentActor() actor: Actor,
    @ValidQuery(HandoverListQuerySchema) query: z.infer<typeof HandoverListQuerySchema>,
  ) {
    return this.handovers.list(actor, query.siteId);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @ApiOkResponse({ description: 'the handover, confirmed', schema: HANDOVER_VIEW })
  @RequirePermission('site.read')
  confirm(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.handovers.confirm(actor, id);
  }
}
