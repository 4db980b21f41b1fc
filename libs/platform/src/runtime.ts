import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { AppConfig } from './config/app-config.js';

/** What start-up opened before Nest runs: config, logger and a migrated database. */
export interface Runtime {
  service: string;
  config: AppConfig;
  logger: Logger;
  dataSource: DataSource;
}

export const LOGGER = 'YIHU_LOGGER';
export const RUNTIME = 'YIHU_RUNTIME';
