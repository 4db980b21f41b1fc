import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '#persistence';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

interface DbColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  character_maximum_length: number | null;
}

/** information_schema's name for a TypeORM column type, as the migrations create it. */
function dbType(type: string, enumName: string | undefined, isArray: boolean): string {
  if (isArray) return `_${type}`;
  if (type === 'enum') return enumName!;
  const names: Record<string, string> = {
    varchar: 'varchar',
    text: 'text',
    uuid: 'uuid',
    boolean: 'bool',
    jsonb: 'jsonb',
    timestamptz: 'timestamptz',
    'double precision': 'float8',
  };
  return names[type] ?? `unmapped:${type}`;
}

/**
 * Every entity matches the table the migrations made: each column exists with its type,
 * length and nullability, and the entity leaves none of the table's columns out (a stale
 * entity, one a migration outgrew, fails here rather than in a repository call).
 */
describe('TypeORM entities against the migrated schema', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let columns: DbColumn[];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource({ url: db.url, poolSize: 2, applicationName: 'yihu-int-entities' });
    await ds.initialize();
    await runMigrations(ds, true);
    columns = (await ds.query(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable, character_maximum_length
         FROM information_schema.columns WHERE table_schema = 'public'`,
    )) as DbColumn[];
  });

  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('has every entity column in its table, with the same type, length and nullability', () => {
    const mismatches: string[] = [];
    for (const entity of ds.entityMetadatas) {
      for (const column of entity.columns) {
        const name = `${entity.tableName}.${column.databaseName}`;
        const found = columns.find(
          (c) => c.table_name === entity.tableName && c.column_name === column.databaseName,
        );
        if (!found) {
          mismatches.push(`${name}: no such column`);
          continue;
        }
        const type = dbType(String(column.type), column.enumName, column.isArray);
        if (found.udt_name !== type) mismatches.push(`${name}: entity ${type}, table ${found.udt_name}`);
        if ((found.is_nullable === 'YES') !== column.isNullable)
          mismatches.push(`${name}: entity nullable ${column.isNullable}, table ${found.is_nullable}`);
        if (column.length && Number(column.length) !== found.character_maximum_length)
          mismatches.push(`${name}: entity length ${column.length}, table ${found.character_maximum_length}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('leaves out no column of its table', () => {
    const missing: string[] = [];
    for (const entity of ds.entityMetadatas) {
      const known = new Set(entity.columns.map((c) => c.databaseName));
      for (const c of columns.filter((x) => x.table_name === entity.tableName)) {
        if (!known.has(c.column_name)) missing.push(`${c.table_name}.${c.column_name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('maps only tables that exist', () => {
    const tables = new Set(columns.map((c) => c.table_name));
    expect(ds.entityMetadatas.map((e) => e.tableName).filter((t) => !tables.has(t))).toEqual([]);
  });
});
