import { Module } from '@nestjs/common';
import { StockBudget } from './stock-budget.js';
import { StockController } from './stock.controller.js';
import { StockRepository } from './stock.repository.js';
import { StockService } from './stock.service.js';

/** 应急物资 (issue 23): depots, items, 调拨 and their CSV. */
@Module({
  controllers: [StockController],
  providers: [StockService, StockRepository, StockBudget],
  exports: [StockBudget],
})
export class StockModule {}
