import { Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  CreateDutyLogRequestSchema,
  DUTY_LOG_ENTRY_VIEW,
  DUTY_LOG_VERIFY_VIEW,
  dutyList,
  DutyLogQuerySchema,
  type CreateDutyLogRequest,
  type DutyLogQuery,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { DutyLogService } from './duty-log.service.js';

/** 值班日志: every role writes and reads the sites in its scope (a duty officer: their own). */
@ApiTags('duty')
@ApiBearerAuth()
@Controller('api/v1/duty/log')
export class DutyLogController {
  constructor(private readonly log: DutyLogService) {}

  @Post()
  @ApiCreatedResponse({ description: 'the entry appended', schema: DUTY_LOG_ENTRY_VIEW })
  @RequirePermission('site.read')
  append(@CurrentActor() actor: Actor, @ValidBody(CreateDutyLogRequestSchema) body: CreateDutyLogRequest) {
    return this.log.append(actor, body);
  }

  @Get()
  @ApiOkResponse({ description: "the site's entries, newest first", schema: dutyList(DUTY_LOG_ENTRY_VIEW) })
  @RequirePermission('site.read')
  list(@CurrentActor() actor: Actor, @ValidQuery(DutyLogQuerySchema) query: DutyLogQuery) {
    return this.log.list(actor, query);
  }

  /** Whole-log check; it names the first broken entry by seq and reason, never its content. */
  @Get('verify')
  @ApiOkResponse({
    description: 'whether the whole log holds, else its first broken entry',
    schema: DUTY_LOG_VERIFY_VIEW,
  })
  @RequirePermission('site.read')
  verify() {
    return this.log.verify();
  }
}
