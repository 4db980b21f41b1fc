import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource, EmbeddedPostgres, runMigrations } from '#persistence';
import { RadioVoiceRepository } from '../../apps/sfu/src/radio/voice/radio-voice.repository.js';
import { createTestDatabase } from '../support/services.js';

/**
 * The radio voice's SQL on both engines (the embedded one is a township laptop's): which
 * sites still wait and have radios, the broadcast claim and its lease, the directives a
 * DTMF code may name.
 */
async function open(kind: 'postgres' | 'pglite'): Promise<{ ds: DataSource; close(): Promise<void> }> {
  if (kind === 'postgres') {
    const db = await createTestDatabase();
    const ds = createDataSource({ url: db.url, poolSize: 2, applicationName: 'yihu-int-radio-voice' });
    await ds.initialize();
    await runMigrations(ds, true);
    return { ds, close: async () => void (await ds.destroy(), await db.drop()) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'yihu-int-radio-voice-'));
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

describe.each(['postgres', 'pglite'] as const)('radio voice repository on %s', (kind) => {
  let engine: { ds: DataSource; close(): Promise<void> };
  let repo: RadioVoiceRepository;
  const root = randomUUID();
  const townA = randomUUID();
  const townB = randomUUID();
  const user = randomUUID();

  const directive = async (
    serial: string,
    sites: string[],
    o: { status?: string; expiresAt?: Date } = {},
  ) => {
    const id = randomUUID();
    await engine.ds.query(
      `INSERT INTO directives (id, serial, title, body, level, status, ack_within_seconds, ack_by, issued_by, issuer_site_id, issuer_site_path, expires_at)
       VALUES ($1, $2, 't', 'b', 'red', $3, 600, now() + interval '10 minutes', $4, $5::uuid, '/' || $5::text || '/', $6)`,
      [id, serial, o.status ?? 'issued', user, root, o.expiresAt ?? null],
    );
    await engine.ds.query(
      `INSERT INTO directive_recipients (directive_id, site_id) SELECT $1, unnest($2::uuid[])`,
      [id, sites],
    );
    return id;
  };

  beforeAll(async () => {
    engine = await open(kind);
    repo = new RadioVoiceRepository(engine.ds);
    await engine.ds.query(
      `INSERT INTO sites (id, name, kind, path) VALUES ($1::uuid, 'root', 'command', '/' || $1::text || '/')`,
      [root],
    );
    for (const [id, name] of [
      [townA, 'a'],
      [townB, 'b'],
    ])
      await engine.ds.query(
        `INSERT INTO sites (id, name, kind, parent_id, path) VALUES ($1::uuid, $2, 'township', $3::uuid, '/' || $3::text || '/' || $1::text || '/')`,
        [id, name, root],
      );
    await engine.ds.query(
      `INSERT INTO users (id, username, display_name, password_hash, role, site_id) VALUES ($1, 'disp', '调度员', 'x', 'dispatcher', $2)`,
      [user, root],
    );
    await engine.ds.query(
      `INSERT INTO terminals (id, name, site_id, kind, secret_hash) VALUES ('t0000000000000000000a', 'gw', $1, 'radio', 'x'),
         ('t0000000000000000000b', 'push', $2, 'push', 'x')`,
      [townA, townB],
    );
  }, 60_000);

  afterAll(async () => {
    await engine.close();
  });

  it('finds the sites still waiting, and those with radio gateways', async () => {
    const d = await directive('2026-0001', [townA, townB]);
    await engine.ds.query(`UPDATE directive_recipients SET state = 'acknowledged' WHERE site_id = $1`, [
      townB,
    ]);
    expect(await repo.waitingSites(d, [townA, townB])).toEqual([townA]);
    const gone = await directive('2026-0002', [townA], { expiresAt: new Date(Date.now() - 1000) });
    expect(await repo.waitingSites(gone, [townA])).toEqual([]);
    expect(await repo.sitesWithRadios([townA, townB])).toEqual([townA]);
    expect(await repo.userName(user)).toBe('调度员');
  });

  it('claims a broadcast once per lease, counts tries, and hands back one whose lease ran out', async () => {
    const d = await directive('2026-0003', [townA]);
    const b = {
      messageId: randomUUID(),
      talkgroupId: randomUUID(),
      directiveId: d,
      siteIds: [townA],
      job: { x: 1 },
    };
    expect(await repo.claim(b, 60)).toEqual({ attempts: 1, transmissionIds: [] });
    // held: a second worker gets nothing
    expect(await repo.claim(b, 60)).toBeNull();
    await repo.addTransmission(b.messageId, b.talkgroupId, 'tx-1');
    await repo.settle(b.messageId, b.talkgroupId, 'waiting', 'busy');
    expect(await repo.claim(b, 60)).toEqual({ attempts: 2, transmissionIds: ['tx-1'] });
    expect(await repo.takeExpiredLeases(10)).toEqual([]);
    await engine.ds.query(
      `UPDATE radio_broadcasts SET claimed_until = now() - interval '1 second' WHERE message_id = $1`,
      [b.messageId],
    );
    expect(await repo.takeExpiredLeases(10)).toEqual([
      { talkgroupId: b.talkgroupId, attempts: 2, job: { x: 1 } },
    ]);
    expect(await repo.takeExpiredLeases(10)).toEqual([]);
    await repo.settle(b.messageId, b.talkgroupId, 'sent', null);
    // done: never again
    expect(await repo.claim(b, 60)).toBeNull();
    expect(await repo.broadcast(b.messageId, b.talkgroupId)).toEqual({
      state: 'sent',
      attempts: 2,
      reason: null,
      transmissionIds: ['tx-1'],
    });
  });

  it('lists the directives a code names, with the gateway site as a recipient or not', async () => {
    const mine = await directive('2026-0042', [townA]);
    const old = await directive('2025-0042', [townB], { status: 'cancelled' });
    const found = await repo.dtmfCandidates(['2026-0042', '2025-0042'], townA);
    const byId = new Map(found.map((c) => [c.directiveId, c]));
    expect(byId.get(mine)).toMatchObject({
      serial: '2026-0042',
      status: 'issued',
      recipientState: 'pending',
    });
    expect(byId.get(old)).toMatchObject({ serial: '2025-0042', status: 'cancelled', recipientState: null });
    expect(byId.get(mine)!.issuedAt).toBeInstanceOf(Date);
    expect(await repo.dtmfCandidates(['2026-0043'], townA)).toEqual([]);
  });
});
