import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import {
  CreateRotationRequestSchema,
  DUTY_GAP_VIEW,
  DUTY_NOW_VIEW,
  DUTY_SHIFT_VIEW,
  dutyList,
  CreateShiftRequestSchema,
  DutyNowQuerySchema,
  DutyWindowQuerySchema,
  type CreateRotationRequest,
  type CreateShiftRequest,
  type DutyWindowQuery,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { DutyRoster } from './duty-roster.service.js';

/**
 * 值班表. Shifts are written by those who run duty (`duty.manage`: admin, commander,
 * dispatcher) for sites in their scope; everyone reads the sites in their scope (a duty
 * officer: their own site).
 */
@ApiTags('duty')
@ApiBearerAuth()
@Controller('api/v1/duty')
export class DutyRosterController {
  constructor(private readonly roster: DutyRoster) {}

  @Post('shifts')
  @ApiCreatedResponse({ description: 'the shift created', schema: DUTY_SHIFT_VIEW })
  @RequirePermission('duty.manage')
  createShift(@CurrentActor() actor: Actor, @ValidBody(CreateShiftRequestSchema) body: CreateShiftRequest) {
    return this.roster.createShift(actor, body);
  }

  @Get('shifts')
  @ApiOkResponse({ description: "the site's shifts touching [from, to)", schema: dutyList(DUTY_SHIFT_VIEW) })
  @RequirePermission('site.read')
  listShifts(@CurrentActor() actor: Actor, @ValidQuery(DutyWindowQuerySchema) query: DutyWindowQuery) {
    return this.roster.list(actor, query);
  }

  @Delete('shifts/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the shift was removed' })
  @RequirePermission('duty.manage')
  deleteShift(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.roster.deleteShift(actor, id);
  }

  @Post('rotations')
  @ApiCreatedResponse({ description: 'the shifts generated', schema: dutyList(DUTY_SHIFT_VIEW) })
  @RequirePermission('duty.manage')
  createRotation(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateRotationRequestSchema) body: CreateRotationRequest,
  ) {
    return this.roster.createRotation(actor, body);
  }

  @Get('now')
  @ApiOkResponse({ description: 'who is on duty at the site now', schema: DUTY_NOW_VIEW })
  @RequirePermission('site.read')
  now(
    @CurrentActor() actor: Actor,
    @ValidQuery(DutyNowQuerySchema) query: z.infer<typeof DutyNowQuerySchema>,
  ) {
    return this.roster.now(actor, query.siteId);
  }

  @Get('gaps')
  @ApiOkResponse({
    description: 'stretches without a leader or with too few officers',
    schema: dutyList(DUTY_GAP_VIEW),
  })
  @RequirePermission('site.read')
  gaps(@CurrentActor() actor: Actor, @ValidQuery(DutyWindowQuerySchema) query: DutyWindowQuery) {
    return this.roster.gaps(actor, query);
  }
}
