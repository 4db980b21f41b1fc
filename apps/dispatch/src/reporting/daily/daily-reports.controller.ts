import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  DAILY_REPORT_LIST,
  DAILY_REPORT_PUT_VIEW,
  DAILY_ROUND_VIEW,
  DailyReportQuerySchema,
  DATE_PATTERN,
  OpenDailyRoundRequestSchema,
  PutDailyReportRequestSchema,
  type DailyReportQuery,
  type OpenDailyRoundRequest,
  type PutDailyReportRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, DomainError, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { DailyReportsService } from './daily-reports.service.js';
import { DailyRoundsService } from './daily-rounds.service.js';

const dateParam = (value: string): string => {
  if (!DATE_PATTERN.test(value))
    throw new DomainError('invalid', 'date: must be a date, YYYY-MM-DD', [
      { path: 'date', message: 'must be a date, YYYY-MM-DD' },
    ]);
  return value;
};

/** 日报告/零报告 (docs/reporting-daily.md). Thin: validate, then the services. */
@ApiTags('reporting')
@ApiBearerAuth()
@Controller('api/v1/daily-reports')
export class DailyReportsController {
  constructor(
    private readonly rounds: DailyRoundsService,
    private readonly reports: DailyReportsService,
  ) {}

  @Post('rounds')
  @RequirePermission('duty.manage')
  @ApiCreatedResponse({ description: 'the round opened, every site pending', schema: DAILY_ROUND_VIEW })
  open(@CurrentActor() actor: Actor, @ValidBody(OpenDailyRoundRequestSchema) body: OpenDailyRoundRequest) {
    return this.rounds.open(actor, body);
  }

  @Put(':siteId/:date')
  @HttpCode(200)
  @RequirePermission('directive.ack')
  @ApiOkResponse({ description: 'the version recorded (never an overwrite)', schema: DAILY_REPORT_PUT_VIEW })
  put(
    @CurrentActor() actor: Actor,
    @Param('siteId', new ParseUUIDPipe()) siteId: string,
    @Param('date') date: string,
    @ValidBody(PutDailyReportRequestSchema) body: PutDailyReportRequest,
  ) {
    return this.reports.put(actor, siteId, dateParam(date), body);
  }

  @Get()
  @RequirePermission('site.read')
  @ApiOkResponse({ description: 'per site in scope with a round of the date', schema: DAILY_REPORT_LIST })
  list(@CurrentActor() actor: Actor, @ValidQuery(DailyReportQuerySchema) query: DailyReportQuery) {
    return this.reports.list(actor, query);
  }
}
