import { Controller, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { LEADER_ON_DUTY_VIEW, SetLeaderOnDutyRequestSchema, type SetLeaderOnDutyRequest } from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody } from '#platform';
import { LeaderOnDutyService } from './leader-on-duty.service.js';

/** 领导带班: the leader on duty at a site is notified when the site misses a deadline. */
@ApiTags('directives')
@ApiBearerAuth()
@Controller('api/v1/sites/:siteId/leader-on-duty')
export class LeaderOnDutyController {
  constructor(private readonly leaders: LeaderOnDutyService) {}

  @Put()
  @RequirePermission('duty.manage')
  @ApiOkResponse({ description: "the site's leader on duty after the change", schema: LEADER_ON_DUTY_VIEW })
  set(
    @CurrentActor() actor: Actor,
    @Param('siteId', new ParseUUIDPipe()) siteId: string,
    @ValidBody(SetLeaderOnDutyRequestSchema) body: SetLeaderOnDutyRequest,
  ) {
    return this.leaders.set(actor, siteId, body.userId);
  }

  @Get()
  @RequirePermission('site.read')
  @ApiOkResponse({
    description: "the site's leader on duty (userId null: none) and since when",
    schema: LEADER_ON_DUTY_VIEW,
  })
  get(@CurrentActor() actor: Actor, @Param('siteId', new ParseUUIDPipe()) siteId: string) {
    return this.leaders.get(actor, siteId);
  }
}
