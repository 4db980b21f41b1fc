import { Module } from '@nestjs/common';
import { StockModule } from '../stock/stock.module.js';
import { ExpertsController } from './experts.controller.js';
import { ExpertsRepository } from './experts.repository.js';
import { ExpertsService } from './experts.service.js';

/** 专家库 (issue 23): experts, their CSV, and invitations to a 视频会商. */
@Module({
  imports: [StockModule],
  controllers: [ExpertsController],
  providers: [ExpertsService, ExpertsRepository],
})
export class ExpertsModule {}
