import { createReadStream, existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Controller, Get, Inject, Param, ParseUUIDPipe, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#domain';
import { AppConfig, CurrentActor, DomainError, RequirePermission } from '#platform';
import { TalkgroupsService } from './talkgroups.service.js';

const uuid = new ParseUUIDPipe();

/** A transmission's recording: the WAV as written while it happened (A-law, 8 kHz, mono). */
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
    description: 'the recording, audio/wav (A-law, 8 kHz, mono)',
    content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
  })
  async audio(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<StreamableFile> {
    const { path } = await this.talkgroups.audio(actor, id);
    const file = resolve(this.config.dataDir, path);
    const rel = relative(this.config.dataDir, file);
    if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(file))
      throw new DomainError('not_found', `transmission ${id}: its recording file is gone`);
    return new StreamableFile(createReadStream(file), {
      type: 'audio/wav',
      length: statSync(file).size,
      disposition: `inline; filename="${id}.wav"`,
    });
  }
}
