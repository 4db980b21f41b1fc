import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateTalkgroupRequestSchema,
  ListTransmissionsQuerySchema,
  TALKGROUP_VIEW,
  TRANSMISSION_VIEW,
  UpdateTalkgroupRequestSchema,
  type CreateTalkgroupRequest,
  type ListTransmissionsQuery,
  type TalkgroupView,
  type TransmissionView,
  type UpdateTalkgroupRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { TalkgroupsService } from './talkgroups.service.js';

const uuid = new ParseUUIDPipe();

/** 无线对讲 talkgroups: radio gateways that hear each other, with their floor and transmissions. */
@ApiTags('radio')
@ApiBearerAuth()
@Controller('api/v1/talkgroups')
export class TalkgroupsController {
  constructor(private readonly talkgroups: TalkgroupsService) {}

  @Post()
  @RequirePermission('radio.manage')
  @ApiCreatedResponse({ description: 'the talkgroup created', schema: TALKGROUP_VIEW })
  create(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateTalkgroupRequestSchema) body: CreateTalkgroupRequest,
  ): Promise<TalkgroupView> {
    return this.talkgroups.create(actor, body);
  }

  @Get()
  @RequirePermission('radio.read')
  @ApiOkResponse({
    description: 'talkgroups the caller may use',
    schema: { type: 'array', items: TALKGROUP_VIEW },
  })
  list(@CurrentActor() actor: Actor): Promise<TalkgroupView[]> {
    return this.talkgroups.list(actor);
  }

  @Get(':id')
  @RequirePermission('radio.read')
  @ApiOkResponse({ description: 'the talkgroup with its gateways and floor', schema: TALKGROUP_VIEW })
  get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<TalkgroupView> {
    return this.talkgroups.view(actor, id);
  }

  @Patch(':id')
  @RequirePermission('radio.manage')
  @ApiOkResponse({ description: 'the talkgroup changed', schema: TALKGROUP_VIEW })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @ValidBody(UpdateTalkgroupRequestSchema) body: UpdateTalkgroupRequest,
  ): Promise<TalkgroupView> {
    return this.talkgroups.update(actor, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('radio.manage')
  @ApiNoContentResponse({ description: 'the talkgroup was deleted (its transmissions are kept)' })
  async remove(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<void> {
    await this.talkgroups.remove(actor, id);
  }

  @Get(':id/transmissions')
  @RequirePermission('radio.read')
  @ApiOkResponse({
    description: 'transmissions, newest first',
    schema: { type: 'array', items: TRANSMISSION_VIEW },
  })
  transmissions(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @ValidQuery(ListTransmissionsQuerySchema) query: ListTransmissionsQuery,
  ): Promise<TransmissionView[]> {
    return this.talkgroups.transmissions(actor, id, query.limit);
  }
}
