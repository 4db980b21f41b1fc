import { Module } from '@nestjs/common';
import { DrillLinks } from './drill-links.js';
import { DrillsRepository } from './drills.repository.js';

/** What the areas whose items join drills (directives, 查岗, 信息报送, warnings, 视频会商) import. */
@Module({ providers: [DrillsRepository, DrillLinks], exports: [DrillsRepository, DrillLinks] })
export class DrillLinksModule {}
