export * from './entities/index.js';
export { MIGRATIONS } from './migrations/index.js';
export { EmbeddedPostgres } from './embedded-postgres.js';
export { StatementLane, LaneBatch, type LaneBatchOptions } from './statement-lane.js';
export { DataDirLock, DataDirInUseError } from './data-dir-lock.js';
export { createDataSource, dataSourceOptions, runMigrations, type DatabaseTarget } from './data-source.js';
export { AuditStore } from './audit-store.js';
