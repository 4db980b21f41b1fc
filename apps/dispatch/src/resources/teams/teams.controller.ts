import { Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  AlertTeamRequestSchema,
  CreateTeamRequestSchema,
  ListTeamsQuerySchema,
  TEAM_ALERT_RESULT,
  TEAM_VIEW,
  UpdateTeamRequestSchema,
  type AlertTeamRequest,
  type CreateTeamRequest,
  type ListTeamsQuery,
  type UpdateTeamRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { TeamAlertsService } from './team-alerts.service.js';
import { TeamsService } from './teams.service.js';

const id = () => Param('id', new ParseUUIDPipe());

/**
 * 应急队伍 (docs/resources.md). The contract is POST, GET (status, kind) and PATCH;
 * the siteId filter, paging, the single team and the hand alert are additive. Thin: validate,
 * then the service. site.read: every role reads (within scope); site.update: admins and
 * commanders write; directive.issue: whoever may issue a directive alerts.
 */
@ApiTags('teams')
@ApiBearerAuth()
@Controller('api/v1/teams')
export class TeamsController {
  constructor(
    private readonly teams: TeamsService,
    private readonly alerts: TeamAlertsService,
  ) {}

  @Post()
  @RequirePermission('site.update')
  @ApiCreatedResponse({ description: 'the team', schema: TEAM_VIEW })
  create(@CurrentActor() actor: Actor, @ValidBody(CreateTeamRequestSchema) body: CreateTeamRequest) {
    return this.teams.create(actor, body);
  }

  @Get()
  @RequirePermission('site.read')
  @ApiOkResponse({
    description: 'teams of the sites in your scope',
    schema: { type: 'array', items: TEAM_VIEW },
  })
  list(@CurrentActor() actor: Actor, @ValidQuery(ListTeamsQuerySchema) query: ListTeamsQuery) {
    return this.teams.list(actor, query);
  }

  @Get(':id')
  @RequirePermission('site.read')
  @ApiOkResponse({ description: 'the team', schema: TEAM_VIEW })
  get(@CurrentActor() actor: Actor, @id() teamId: string) {
    return this.teams.get(actor, teamId);
  }

  @Patch(':id')
  @RequirePermission('site.update')
  @ApiOkResponse({ description: 'the team after the change', schema: TEAM_VIEW })
  update(
    @CurrentActor() actor: Actor,
    @id() teamId: string,
    @ValidBody(UpdateTeamRequestSchema) body: UpdateTeamRequest,
  ) {
    return this.teams.update(actor, teamId, body);
  }

  @Post(':id/alert')
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({
    description: 'the directive sent to the team; 409 when unavailable',
    schema: TEAM_ALERT_RESULT,
  })
  async alert(
    @CurrentActor() actor: Actor,
    @id() teamId: string,
    @ValidBody(AlertTeamRequestSchema) body: AlertTeamRequest,
  ) {
    const [result] = await this.alerts.alert(actor, [teamId], body);
    return result;
  }
}
