import { Controller, Get, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  CreateConcealedFindingRequestSchema,
  FINDING_VIEW,
  FINDINGS_VIEW,
  FindingsQuerySchema,
  PutReportingRulesRequestSchema,
  REPORTING_MONTHLY_VIEW,
  REPORTING_RULES_VIEW,
  ReportingMonthlyQuerySchema,
  type CreateConcealedFindingRequest,
  type FindingsQuery,
  type PutReportingRulesRequest,
  type ReportingMonthlyQuery,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { FindingsService } from './findings.service.js';
import { ReportingRules } from './reporting-rules.service.js';

/** The rule table, findings and the monthly 通报 (docs/reporting.md). Thin: validate, then the services. */
@ApiTags('reporting')
@ApiBearerAuth()
@Controller('api/v1/reporting')
export class ReportingController {
  constructor(
    private readonly rules: ReportingRules,
    private readonly findings: FindingsService,
  ) {}

  @Get('rules')
  @RequirePermission('directive.read')
  @ApiOkResponse({ description: 'the rule table in force', schema: REPORTING_RULES_VIEW })
  getRules() {
    return this.rules.view();
  }

  @Put('rules')
  @RequirePermission('duty.manage')
  @ApiOkResponse({ description: 'the new version (commanders only)', schema: REPORTING_RULES_VIEW })
  putRules(
    @CurrentActor() actor: Actor,
    @ValidBody(PutReportingRulesRequestSchema) body: PutReportingRulesRequest,
  ) {
    return this.rules.put(actor, body);
  }

  @Get('findings')
  @RequirePermission('directive.read')
  @ApiOkResponse({ description: 'findings per site and whether a 约谈 is due', schema: FINDINGS_VIEW })
  listFindings(@CurrentActor() actor: Actor, @ValidQuery(FindingsQuerySchema) query: FindingsQuery) {
    return this.findings.list(actor, query);
  }

  @Post('findings')
  @RequirePermission('duty.manage')
  @ApiCreatedResponse({ description: 'the concealment recorded (commanders only)', schema: FINDING_VIEW })
  conceal(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateConcealedFindingRequestSchema) body: CreateConcealedFindingRequest,
  ) {
    return this.findings.concealed(actor, body);
  }

  @Get('stats/monthly')
  @RequirePermission('site.read')
  @ApiOkResponse({
    description:
      'one row per township; with format=csv the same as text/csv (UTF-8 with a BOM, CRLF, every cell quoted)',
    content: {
      'application/json': { schema: REPORTING_MONTHLY_VIEW },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  async monthly(
    @CurrentActor() actor: Actor,
    @ValidQuery(ReportingMonthlyQuerySchema) query: ReportingMonthlyQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    const view = await this.findings.monthly(actor, query.month, query.includeDrill === 'true');
    if (query.format !== 'csv') return view;
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="reporting-${query.month}.csv"`);
    return this.findings.csv(view);
  }
}
