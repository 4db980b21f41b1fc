import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { EngineProbe, StatementLane } from '#persistence';
import type { AppConfig } from './config/app-config.js';

/** What start-up opened before Nest runs: config, logger and a migrated database. */
export interface Runtime {
  service: string;
  config: AppConfig;
  logger: Logger;
  dataSource: DataSource;
  /** the embedded engine's own-thread batch statements; undefined with DATABASE_URL */
  lane?: StatementLane;
  /** the embedded engine, asked directly whether it is alive (health); undefined with DATABASE_URL */
  engine?: { probe(timeoutMs: number): Promise<EngineProbe> };
  /**
   * Steps that must wait until every port is bound, e.g. creating the first admin and
   * printing its password: if start-up fails on a busy port, that password is not lost.
   */
  afterListen: (() => Promise<void>)[];
  /** false until start-up has finished; health answers 503 "starting" until then */
  ready: boolean;
}

export const LOGGER = 'YIHU_LOGGER';
export const RUNTIME = 'YIHU_RUNTIME';
