import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RADIO_EMERGENCY_VIEW, type RadioEmergencyView } from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission } from '#platform';
import { RadioEmergencies } from './radio-emergencies.js';

const uuid = new ParseUUIDPipe();

/** A radio emergency (a gateway's emergency button) awaits a dispatcher's acknowledgement. */
@ApiTags('radio')
@ApiBearerAuth()
@Controller('api/v1/radio/emergencies')
export class RadioEmergenciesController {
  constructor(private readonly emergencies: RadioEmergencies) {}

  @Get()
  @RequirePermission('radio.read')
  @ApiOkResponse({
    description: 'emergencies not yet acknowledged on talkgroups you may use, newest first (at most 100)',
    schema: { type: 'array', items: RADIO_EMERGENCY_VIEW },
  })
  open(@CurrentActor() actor: Actor): Promise<RadioEmergencyView[]> {
    return this.emergencies.open(actor);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @RequirePermission('radio.ack')
  @ApiOkResponse({ description: 'the emergency, acknowledged', schema: RADIO_EMERGENCY_VIEW })
  ack(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<RadioEmergencyView> {
    return this.emergencies.ack(actor, id);
  }
}
