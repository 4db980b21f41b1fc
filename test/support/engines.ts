import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource, EmbeddedPostgres, runMigrations, type StatementLane } from '#persistence';
import { createTestDatabase, type TestDatabase } from './services.js';

/** The two database engines yihu runs on. */
export type EngineKind = 'postgres' | 'pglite';
export const ENGINES: EngineKind[] = ['postgres', 'pglite'];

export interface OpenEngine {
  kind: EngineKind;
  dataSource: DataSource;
  /** the temp DATA_DIR (pglite only) */
  dataDir?: string;
  /** the test database (postgres only) */
  database?: TestDatabase;
  /** statements on the engine's own thread (pglite only, as the app gets it) */
  lane?: StatementLane;
  /** another data source on the same database (postgres only; PGlite has one session) */
  extraDataSource(poolSize?: number): Promise<DataSource>;
  /** destroys every data source, stops the engine and deletes the database / data dir */
  close(): Promise<void>;
}

export interface OpenEngineOptions {
  /** pool size for the postgres data source; PGlite always gets 1, as in the app */
  poolSize?: number;
  /** run the migrations (serialised on postgres, as the app does); default true */
  migrate?: boolean;
}

export function tempDir(prefix = 'yihu-int-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A fresh, initialised database on the given engine: a new PostgreSQL database on the
 * local server, or an embedded PGlite in a new temp DATA_DIR, wired exactly as
 * bootstrap.ts wires them.
 */
export async function openEngine(kind: EngineKind, options: OpenEngineOptions = {}): Promise<OpenEngine> {
  const sources: DataSource[] = [];
  const destroyAll = async () => {
    for (const ds of sources.splice(0)) if (ds.isInitialized) await ds.destroy().catch(() => undefined);
  };

  if (kind === 'postgres') {
    const database = await createTestDatabase();
    const open = async (poolSize = options.poolSize ?? 4) => {
      const ds = createDataSource({ url: database.url, poolSize, applicationName: 'yihu-int' });
      sources.push(ds);
      await ds.initialize();
      return ds;
    };
    try {
      const dataSource = await open();
      if (options.migrate !== false) await runMigrations(dataSource, true);
      return {
        kind,
        dataSource,
        database,
        extraDataSource: open,
        close: async () => {
          await destroyAll();
          await database.drop();
        },
      };
    } catch (err) {
      await destroyAll();
      await database.drop();
      throw err;
    }
  }

  const dataDir = tempDir();
  const embedded = await EmbeddedPostgres.start(dataDir);
  const close = async () => {
    await destroyAll();
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const dataSource = createDataSource({
      socketDir: embedded.socketDir,
      poolSize: 1,
      applicationName: 'yihu-int',
    });
    sources.push(dataSource);
    await dataSource.initialize();
    if (options.migrate !== false) await runMigrations(dataSource, false);
    return {
      kind,
      dataSource,
      dataDir,
      lane: embedded.lane,
      extraDataSource: async () => {
        throw new Error('PGlite serves one session: use the one data source');
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
