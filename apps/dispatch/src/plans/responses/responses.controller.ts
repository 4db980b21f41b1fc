import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  ChangeResponseLevelRequestSchema,
  EndResponseRequestSchema,
  ListResponsesQuerySchema,
  RESPONSE_SUMMARY_VIEW,
  RESPONSE_VIEW,
  START_RESPONSE_VIEW,
  StartResponseRequestSchema,
  type ChangeResponseLevelRequest,
  type EndResponseRequest,
  type ListResponsesQuery,
  type StartResponseRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { ResponsesService } from './responses.service.js';

const id = () => Param('id', new ParseUUIDPipe());

/**
 * 启动响应 (docs/plans.md). The contract is POST /responses, GET /responses/:id,
 * POST /responses/:id/level and /end; the list and POST /responses/:id/retry are additive.
 * Starting, changing and ending are for commanders and admins (checked in the service).
 */
@ApiTags('responses')
@ApiBearerAuth()
@Controller('api/v1/responses')
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  @Post()
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({ description: 'started: every action of the level', schema: START_RESPONSE_VIEW })
  start(@CurrentActor() actor: Actor, @ValidBody(StartResponseRequestSchema) body: StartResponseRequest) {
    return this.responses.start(actor, body);
  }

  @Get()
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: 'responses in your reach, newest first',
    schema: { type: 'array', items: RESPONSE_SUMMARY_VIEW },
  })
  list(@CurrentActor() actor: Actor, @ValidQuery(ListResponsesQuerySchema) query: ListResponsesQuery) {
    return this.responses.list(actor, query);
  }

  @Get(':id')
  @RequirePermission('directive.read')
  @ApiOkResponse({ description: 'the response board', schema: RESPONSE_VIEW })
  get(@CurrentActor() actor: Actor, @id() responseId: string) {
    return this.responses.get(actor, responseId);
  }

  @Post(':id/level')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiOkResponse({ description: '升级/降级: the board after the change', schema: RESPONSE_VIEW })
  level(
    @CurrentActor() actor: Actor,
    @id() responseId: string,
    @ValidBody(ChangeResponseLevelRequestSchema) body: ChangeResponseLevelRequest,
  ) {
    return this.responses.changeLevel(actor, responseId, body);
  }

  @Post(':id/end')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiOkResponse({ description: '终止; 409 when already ended', schema: RESPONSE_VIEW })
  end(
    @CurrentActor() actor: Actor,
    @id() responseId: string,
    @ValidBody(EndResponseRequestSchema) body: EndResponseRequest,
  ) {
    return this.responses.end(actor, responseId, body);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiOkResponse({
    description: 'runs again the actions that failed or were cut short',
    schema: RESPONSE_VIEW,
  })
  retry(@CurrentActor() actor: Actor, @id() responseId: string) {
    return this.responses.retry(actor, responseId);
  }
}
