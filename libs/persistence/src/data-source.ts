import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

export interface DatabaseTarget {
  /** postgres://... for a server; undefined with socketDir for the embedded engine */
  url?: string;
  socketDir?: string;
  poolSize: number;
  applicationName?: string;
}

export function dataSourceOptions(target: DatabaseTarget): DataSourceOptions {
  const connection = target.url
    ? { url: target.url }
    : { host: target.socketDir, port: 5432, username: 'postgres', database: 'postgres' };
  return {
    type: 'postgres',
    ...connection,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // PGlite has no uuid-ossp; gen_random_uuid() is built into PostgreSQL 13+.
    uuidExtension: 'pgcrypto',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: target.poolSize,
    applicationName: target.applicationName ?? 'yihu',
    connectTimeoutMS: 5000,
    extra: {
      // A caller that cannot get a connection gets an error, not an endless wait.
      connectionTimeoutMillis: 30000,
    },
  };
}

export function createDataSource(target: DatabaseTarget): DataSource {
  return new DataSource(dataSourceOptions(target));
}

const MIGRATION_LOCK_KEY = 7_144_001;

/**
 * Runs pending migrations. With several instances starting at once against one server,
 * a session advisory lock makes the others wait instead of racing on DDL.
 */
export async function runMigrations(dataSource: DataSource, serialise: boolean): Promise<string[]> {
  if (!serialise) {
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  }
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockRunner.release();
  }
}
