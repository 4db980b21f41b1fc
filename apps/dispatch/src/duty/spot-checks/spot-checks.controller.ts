import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  dutyList,
  MONTHLY_STATS_VIEW,
  MonthlyStatsQuerySchema,
  SPOT_CHECK_ANSWER_VIEW,
  SPOT_CHECK_SCHEDULE_VIEW,
  SPOT_CHECK_STARTED_VIEW,
  SPOT_CHECK_VIEW,
  SpotCheckScheduleRequestSchema,
  StartSpotCheckRequestSchema,
  type MonthlyStatsQuery,
  type SpotCheckScheduleRequest,
  type StartSpotCheckRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { MonthlyStatsService } from './monthly-stats.service.js';
import { SpotCheckAnswers } from './spot-check-answers.js';
import { SpotCheckSchedules } from './spot-check-schedules.service.js';
import { SpotChecksService } from './spot-checks.service.js';

/** 查岗 (docs/spot-checks.md). Thin: validate, then the services. */
@ApiTags('duty')
@ApiBearerAuth()
@Controller('api/v1/spot-checks')
export class SpotChecksController {
  constructor(
    private readonly checks: SpotChecksService,
    private readonly answers: SpotCheckAnswers,
    private readonly schedules: SpotCheckSchedules,
  ) {}

  @Post()
  @RequirePermission('duty.manage')
  @ApiCreatedResponse({
    description: 'the check started, every target pending',
    schema: SPOT_CHECK_STARTED_VIEW,
  })
  start(@CurrentActor() actor: Actor, @ValidBody(StartSpotCheckRequestSchema) body: StartSpotCheckRequest) {
    return this.checks.start(actor, body);
  }

  @Post('schedules')
  @RequirePermission('duty.manage')
  @ApiCreatedResponse({ description: 'the schedule created', schema: SPOT_CHECK_SCHEDULE_VIEW })
  schedule(
    @CurrentActor() actor: Actor,
    @ValidBody(SpotCheckScheduleRequestSchema) body: SpotCheckScheduleRequest,
  ) {
    return this.schedules.create(actor, body);
  }

  @Get('schedules')
  @RequirePermission('duty.manage')
  @ApiOkResponse({ description: 'the schedules in scope', schema: dutyList(SPOT_CHECK_SCHEDULE_VIEW) })
  listSchedules(@CurrentActor() actor: Actor) {
    return this.schedules.list(actor);
  }

  @Post('schedules/:id/disable')
  @HttpCode(200)
  @RequirePermission('duty.manage')
  @ApiOkResponse({
    description: 'the schedule, disabled (active: false): it fires no more',
    schema: SPOT_CHECK_SCHEDULE_VIEW,
  })
  disableSchedule(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.schedules.disable(actor, id);
  }

  @Get(':id')
  @RequirePermission('directive.read')
  @ApiOkResponse({ description: 'the check and the targets in scope', schema: SPOT_CHECK_VIEW })
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.checks.get(actor, id);
  }

  /** The REST twin of `spotcheck.answer`: a duty officer answering for their own site. */
  @Post(':id/answer')
  @HttpCode(200)
  @RequirePermission('directive.ack')
  @ApiOkResponse({
    description: 'what is recorded for the site (the first answer stands)',
    schema: SPOT_CHECK_ANSWER_VIEW,
  })
  answer(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.answers.byPerson(actor, id, 'console');
  }
}

/** The monthly 通报 of spot checks, as JSON or as CSV for Excel. */
@ApiTags('duty')
@ApiBearerAuth()
@Controller('api/v1/duty/stats')
export class DutyStatsController {
  constructor(private readonly stats: MonthlyStatsService) {}

  @Get('monthly')
  @RequirePermission('site.read')
  @ApiOkResponse({
    description: 'one row per township; with format=csv the same as text/csv (UTF-8 with a BOM)',
    content: {
      'application/json': { schema: MONTHLY_STATS_VIEW },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async monthly(
    @CurrentActor() actor: Actor,
    @ValidQuery(MonthlyStatsQuerySchema) query: MonthlyStatsQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const view = await this.stats.monthly(actor, query.month, query.includeDrill === 'true');
    if (query.format !== 'csv') return view;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="spot-checks-${query.month}.csv"`);
    return this.stats.csv(view);
  }
}
