import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AnnounceRequestSchema } from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody } from '#platform';
import { AnnounceService } from './announce.service.js';

const uuid = new ParseUUIDPipe();

/** A typed announcement spoken into a talkgroup (speech synthesis, then on air at rank `dispatcher`). */
@ApiTags('talkgroups')
@ApiBearerAuth()
@Controller('api/v1/talkgroups')
export class AnnounceController {
  constructor(private readonly announcements: AnnounceService) {}

  /**
   * 202 once the floor is granted: the audio is still playing. 400 empty or longer than
   * MAX_ANNOUNCE_CHARS, 403 out of scope, 404 no such talkgroup, 409 `radio_busy` while a
   * higher or equal rank holds the floor, 429 over RADIO_ANNOUNCE_PER_MINUTE, 503 no speech.
   */
  @Post(':id/announce')
  @HttpCode(202)
  @RequirePermission('radio.read')
  @ApiAcceptedResponse({
    description: 'the announcement is on air',
    schema: {
      type: 'object',
      properties: { transmissionId: { type: 'string' } },
      required: ['transmissionId'],
    },
  })
  announce(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @ValidBody(AnnounceRequestSchema) body: { text: string },
  ): Promise<{ transmissionId: string }> {
    return this.announcements.announce(actor, id, body.text);
  }
}
