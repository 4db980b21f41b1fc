import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { QueryFailedError, type DataSource } from 'typeorm';
import type { Actor } from '#domain';
import { createDataSource, EmbeddedPostgres, runMigrations } from '#persistence';
import { DomainError, type AppConfig } from '#platform';
import type { ConsultationsService } from '../../apps/sfu/src/consultations/consultations.service.js';
import type { SfuRealtime } from '../../apps/sfu/src/realtime.js';
import { RecordingsService } from '../../apps/sfu/src/recording/recordings.service.js';
import type { RoomsService } from '../../apps/sfu/src/room/rooms.service.js';
import { createTestDatabase } from '../support/services.js';

/**
 * Starting a recording: only the one-active-recording index makes it "already recording";
 * any other failure of the insert stays the error it is. Both engines, since the embedded
 * one reports constraint violations through its own socket server.
 */
async function open(kind: 'postgres' | 'pglite'): Promise<{ ds: DataSource; close(): Promise<void> }> {
  if (kind === 'postgres') {
    const db = await createTestDatabase();
    const ds = createDataSource({ url: db.url, poolSize: 2, applicationName: 'yihu-int-recordings' });
    await ds.initialize();
    await runMigrations(ds, true);
    return { ds, close: async () => void (await ds.destroy(), await db.drop()) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'yihu-int-recordings-'));
  const pg = await EmbeddedPostgres.start(dir);
  const ds = createDataSource({ socketDir: pg.socketDir, poolSize: 1 });
  await ds.initialize();
  await runMigrations(ds, false);
  return {
    ds,
    close: async () => {
      await ds.destroy();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.each(['postgres', 'pglite'] as const)('starting a recording on %s', (kind) => {
  let engine: { ds: DataSource; close(): Promise<void> };
  let recordings: RecordingsService;
  let actor: Actor;
  let consultationId: string;

  beforeAll(async () => {
    engine = await open(kind);
    const siteId = randomUUID();
    actor = { userId: randomUUID(), role: 'commander', siteId, sitePath: `/${siteId}/` };
    consultationId = randomUUID();
    await engine.ds.query(
      `INSERT INTO sites (id, name, kind, path) VALUES ($1::uuid, 'root', 'command', '/' || $1::text || '/')`,
      [siteId],
    );
    await engine.ds.query(
      `INSERT INTO users (id, username, password_hash, role, site_id) VALUES ($1, 'u', 'x', 'commander', $2)`,
      [actor.userId, siteId],
    );
    await engine.ds.query(
      `INSERT INTO consultations (id, title, state, host_site_id, created_by, site_ids) VALUES ($1, 't', 'live', $2, $3, ARRAY[$2]::uuid[])`,
      [consultationId, siteId, actor.userId],
    );
    // the room exists on this instance; the insert fails before any media is touched
    const rooms = { require: () => ({}) } as unknown as RoomsService;
    const consultations = { record: async () => undefined } as unknown as ConsultationsService;
    recordings = new RecordingsService(
      { dataDir: tmpdir(), raw: {} } as unknown as AppConfig,
      pino({ level: 'silent' }),
      engine.ds,
      rooms,
      {} as SfuRealtime,
      consultations,
    );
  });

  afterAll(async () => {
    await engine.close();
  });

  it('answers "already recording" when another instance recorded the consultation first', async () => {
    await engine.ds.query(
      `INSERT INTO consultation_recordings (id, consultation_id, state, started_by) VALUES ($1, $2, 'recording', $3)`,
      [randomUUID(), consultationId, actor.userId],
    );
    const refused = await recordings.start(actor, consultationId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'conflict', message: 'already recording' });
  });

  it('lets any other failure of the insert through as itself', async () => {
    // no such consultation: a foreign key violation, not a recording in progress
    const failed = await recordings.start(actor, randomUUID()).catch((e: unknown) => e);
    expect(failed).not.toBeInstanceOf(DomainError);
    expect(failed).toBeInstanceOf(QueryFailedError);
    expect((failed as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('23503');
  });
});
