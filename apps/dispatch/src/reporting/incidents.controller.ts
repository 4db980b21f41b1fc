import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExcludeEndpoint,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateIncidentRequestSchema,
  CreateReportRequestSchema,
  INCIDENT_CREATED_VIEW,
  INCIDENT_SUMMARY_LIST,
  INCIDENT_VIEW,
  IncidentListQuerySchema,
  RegisterExternalIncidentRequestSchema,
  REPORT_VIEW,
  type CreateIncidentRequest,
  type CreateReportRequest,
  type IncidentListQuery,
  type RegisterExternalIncidentRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { ExternalRegistrations } from './external-registrations.js';
import { IncidentReports } from './incident-reports.service.js';
import { IncidentsService } from './incidents.service.js';

/** Incidents and their reports (docs/reporting.md). Thin: validate, then the services. */
@ApiTags('reporting')
@ApiBearerAuth()
@Controller('api/v1/incidents')
export class IncidentsController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly reports: IncidentReports,
    private readonly external: ExternalRegistrations,
  ) {}

  @Post()
  @RequirePermission('directive.ack')
  @ApiCreatedResponse({ description: 'the incident opened and its deadlines', schema: INCIDENT_CREATED_VIEW })
  create(@CurrentActor() actor: Actor, @ValidBody(CreateIncidentRequestSchema) body: CreateIncidentRequest) {
    return this.incidents.create(actor, body);
  }

  @Get()
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: 'incidents in scope, newest first (the county board)',
    schema: INCIDENT_SUMMARY_LIST,
  })
  list(@CurrentActor() actor: Actor, @ValidQuery(IncidentListQuerySchema) query: IncidentListQuery) {
    return this.incidents.list(actor, query);
  }

  @Post('register-external')
  @RequirePermission('duty.manage')
  @ApiCreatedResponse({
    description: 'the incident registered; a 漏报 check runs at its deadline',
    schema: INCIDENT_CREATED_VIEW,
  })
  registerExternal(
    @CurrentActor() actor: Actor,
    @ValidBody(RegisterExternalIncidentRequestSchema) body: RegisterExternalIncidentRequest,
  ) {
    return this.external.register(actor, body);
  }

  @Get(':id')
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: 'the incident, its reports, deadlines, findings and timeline',
    schema: INCIDENT_VIEW,
  })
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string) {
    return this.incidents.get(actor, id);
  }

  @Post(':id/reports')
  @RequirePermission('directive.ack')
  @ApiCreatedResponse({
    description: 'the report as a new version; lateBySeconds 0 when on time',
    schema: REPORT_VIEW,
  })
  submit(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(CreateReportRequestSchema) body: CreateReportRequest,
  ) {
    return this.reports.submit(actor, id, body);
  }

  @Post(':id/reports/:reportId/sign')
  @HttpCode(200)
  @RequirePermission('directive.ack')
  @ApiOkResponse({ description: "签发 by the site's leader on duty or a commander", schema: REPORT_VIEW })
  sign(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('reportId', new ParseUUIDPipe()) reportId: string,
  ) {
    return this.reports.sign(actor, id, reportId);
  }

  /**
   * Reports are append-only: an edit is refused with 409 and the reason (a correction is a
   * new report), rather than a bare 404. Not an operation of the API, so not in its document.
   */
  @Put(':id/reports/:reportId')
  @RequirePermission('directive.ack')
  @ApiExcludeEndpoint()
  replace(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('reportId', new ParseUUIDPipe()) reportId: string,
  ) {
    return this.reports.edit(actor, id, reportId);
  }

  @Patch(':id/reports/:reportId')
  @RequirePermission('directive.ack')
  @ApiExcludeEndpoint()
  patch(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('reportId', new ParseUUIDPipe()) reportId: string,
  ) {
    return this.reports.edit(actor, id, reportId);
  }
}
