import { Controller, Delete, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  InhibitGatewayRequestSchema,
  PatchTalkgroupRequestSchema,
  TALKGROUP_VIEW,
  TERMINAL_ID_PATTERN,
  type InhibitGatewayRequest,
  type TalkgroupView,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, DomainError, RequirePermission, ValidBody } from '#platform';
import { TalkgroupsService } from './talkgroups.service.js';

const uuid = new ParseUUIDPipe();

function terminalId(id: string): string {
  if (!TERMINAL_ID_PATTERN.test(id))
    throw new DomainError('invalid', `gateway id ${id.slice(0, 32)} is not a terminal id`);
  return id;
}

/** Console actions on a talkgroup's gateways and links: inhibit (遥毙), patch (互通). */
@ApiTags('radio')
@ApiBearerAuth()
@Controller('api/v1/talkgroups/:id')
export class TalkgroupGatewaysController {
  constructor(private readonly talkgroups: TalkgroupsService) {}

  @Post('gateways/:gid/inhibit')
  @HttpCode(200)
  @RequirePermission('radio.manage')
  @ApiOkResponse({
    description: 'the talkgroup, the gateway inhibited (or released) as asked',
    schema: TALKGROUP_VIEW,
  })
  inhibit(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @Param('gid') gid: string,
    @ValidBody(InhibitGatewayRequestSchema) body: InhibitGatewayRequest,
  ): Promise<TalkgroupView> {
    return this.talkgroups.inhibit(actor, id, terminalId(gid), body);
  }

  @Post('patch')
  @HttpCode(200)
  @RequirePermission('radio.manage')
  @ApiOkResponse({ description: 'the talkgroup, patched to the other', schema: TALKGROUP_VIEW })
  patch(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @ValidBody(PatchTalkgroupRequestSchema) body: { with: string },
  ): Promise<TalkgroupView> {
    return this.talkgroups.patch(actor, id, body.with, true);
  }

  @Delete('patch/:otherId')
  @RequirePermission('radio.manage')
  @ApiOkResponse({ description: 'the talkgroup, no longer patched to the other', schema: TALKGROUP_VIEW })
  unpatch(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @Param('otherId', uuid) other: string,
  ): Promise<TalkgroupView> {
    return this.talkgroups.patch(actor, id, other, false);
  }
}
