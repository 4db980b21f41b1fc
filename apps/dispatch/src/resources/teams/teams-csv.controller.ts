import { Controller, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { TEAM_IMPORT_RESULT } from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor } from '#platform';
import { readCsvBody } from '../csv-body.js';
import { CsvExport, CsvImport } from '../csv-endpoints.js';
import { TeamImport } from './team-import.service.js';

/** 应急队伍 as CSV (issue 23): UTF-8 with a BOM and a zh-CN header row; the import reads it back. */
@ApiTags('teams')
@ApiBearerAuth()
@Controller('api/v1')
export class TeamsCsvController {
  constructor(private readonly csv: TeamImport) {}

  @CsvExport('teams.csv', 'teams.csv', 'the teams in your scope as CSV')
  export(@CurrentActor() actor: Actor) {
    return this.csv.exportCsv(actor);
  }

  @CsvImport('teams/import', {
    description:
      'teams created and updated; a wrong header or a bad row is 400 naming its line, nothing imported',
    schema: TEAM_IMPORT_RESULT,
  })
  async import(@CurrentActor() actor: Actor, @Req() req: Request) {
    return this.csv.importCsv(actor, await readCsvBody(req));
  }
}
