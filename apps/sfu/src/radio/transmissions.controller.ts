import { createReadStream, statSync } from 'node:fs';
import { Controller, Get, Param, ParseUUIDPipe, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#domain';
import { CurrentActor, DomainError, RequirePermission } from '#platform';
import { RecordingShare, recordingType } from './recording-share.js';
import { TalkgroupsService } from './talkgroups.service.js';

const uuid = new ParseUUIDPipe();

/**
 * A transmission's recording as written while it happened: WAV (A-law, 8 kHz, mono) on a
 * PCMA talkgroup, Ogg Opus (the packets as they came, RFC 7845) on an Opus one. Served by
 * any instance: one without the file asks the instance that recorded it (RecordingShare).
 */
@ApiTags('radio')
@ApiBearerAuth()
@Controller('api/v1/transmissions')
export class TransmissionsController {
  constructor(
    private readonly talkgroups: TalkgroupsService,
    private readonly share: RecordingShare,
  ) {}

  @Get(':id/audio')
  @RequirePermission('radio.read')
  @ApiOkResponse({
    description: 'the recording: audio/wav (A-law, 8 kHz, mono) or audio/ogg (Opus)',
    content: {
      'audio/wav': { schema: { type: 'string', format: 'binary' } },
      'audio/ogg': { schema: { type: 'string', format: 'binary' } },
    },
  })
  async audio(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<StreamableFile> {
    const { path } = await this.talkgroups.audio(actor, id);
    const file = this.share.localFile(path);
    const ext = path.endsWith('.opus') ? 'opus' : 'wav';
    const disposition = `inline; filename="${id}.${ext}"`;
    if (file)
      return new StreamableFile(createReadStream(file), {
        type: recordingType(file),
        length: statSync(file).size,
        disposition,
      });
    const remote = await this.share.fetch(id);
    if (!remote)
      throw new DomainError(
        'not_found',
        `transmission ${id}: its recording file is gone, or the instance that recorded it does not answer`,
      );
    return new StreamableFile(remote.body, {
      type: remote.contentType,
      length: remote.body.length,
      disposition,
    });
  }
}
