import { createReadStream, existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Controller, Get, Inject, Param, ParseUUIDPipe, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#domain';
import { AppConfig, CurrentActor, DomainError, RequirePermission } from '#platform';
import { TalkgroupsService } from './talkgroups.service.js';

const uuid = new ParseUUIDPipe();

/**
 * A transmission's recording as written while it happened: WAV (A-law, 8 kHz, mono) on a
 * PCMA talkgroup, Ogg Opus (the packets as they came, RFC 7845) on an Opus one.
 */
@ApiTags('radio')
@ApiBearerAuth()
@Controller('api/v1/transmissions')
export class TransmissionsController {
  constructor(
    private readonly talkgroups: TalkgroupsService,
    @Inject(AppConfig) private readonly config: AppConfig,
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
    const file = resolve(this.config.dataDir, path);
    const rel = relative(this.config.dataDir, file);
    if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(file))
      throw new DomainError('not_found', `transmission ${id}: its recording file is gone`);
    const opus = file.endsWith('.opus');
    return new StreamableFile(createReadStream(file), {
      type: opus ? 'audio/ogg; codecs=opus' : 'audio/wav',
      length: statSync(file).size,
      disposition: `inline; filename="${id}.${opus ? 'opus' : 'wav'}"`,
    });
  }
}
