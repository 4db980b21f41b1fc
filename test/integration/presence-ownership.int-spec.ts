import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '#persistence';
import { PresenceStore } from '../../apps/mqtt-bridge/src/bridge/presence-store.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

/**
 * Presence ownership in cluster mode (PostgreSQL), where several bridges with their own
 * embedded brokers share the database: a bridge that died leaves its devices `online` for
 * a live one to clear once its heartbeat is stale; one bridge's `offline` does not undo
 * another's newer `online`; with an external broker, an `online` the broker did not
 * announce again since the bridge subscribed is cleared.
 */
describe('PresenceStore (PostgreSQL)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let store: PresenceStore;
  let siteId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource({ url: db.url, poolSize: 2, applicationName: 'yihu-int-presence' });
    await ds.initialize();
    await runMigrations(ds, true);
    store = new PresenceStore(ds);
    siteId = randomUUID();
    await ds.query(`INSERT INTO sites (id, name, kind, path) VALUES ($1, 'root', 'command', $2)`, [
      siteId,
      `/${siteId}/`,
    ]);
  }, 60_000);

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await ds.query('DELETE FROM terminals');
    await ds.query('DELETE FROM bridge_heartbeats');
  });

  let n = 0;
  async function terminal(): Promise<string> {
    const id = `t${(++n).toString(16).padStart(20, '0')}`;
    await ds.query(
      `INSERT INTO terminals (id, name, site_id, kind, secret_hash) VALUES ($1, 'x', $2, 'push', 'h')`,
      [id, siteId],
    );
    return id;
  }
  const presence = async (id: string) =>
    (
      (await ds.query('SELECT presence, presence_owner FROM terminals WHERE id = $1', [id])) as {
        presence: string;
        presence_owner: string | null;
      }[]
    )[0];

  it('a live bridge clears the devices of a bridge whose heartbeat went stale, not those of a live one', async () => {
    const [a, b] = [await terminal(), await terminal()];
    await store.heartbeat('bridge-a');
    await store.heartbeat('bridge-b');
    await store.record([{ terminalId: a, presence: 'online' }], 'bridge-a');
    await store.record([{ terminalId: b, presence: 'online' }], 'bridge-b');
    expect(await presence(a)).toEqual({ presence: 'online', presence_owner: 'bridge-a' });

    expect(await store.orphansOffline('bridge-b', false, 30)).toBe(0);
    // bridge A dies: its heartbeat ages
    await ds.query(
      `UPDATE bridge_heartbeats SET seen_at = now() - interval '31 seconds' WHERE instance = 'bridge-a'`,
    );
    expect(await store.orphansOffline('bridge-b', false, 30)).toBe(1);
    expect(await presence(a)).toEqual({ presence: 'offline', presence_owner: null });
    expect(await presence(b)).toEqual({ presence: 'online', presence_owner: 'bridge-b' });
  });

  it('on the embedded database a starting bridge clears every other owner at once', async () => {
    const a = await terminal();
    await store.heartbeat('old-process');
    await store.record([{ terminalId: a, presence: 'online' }], 'old-process');
    expect(await store.orphansOffline('new-process', true, 30)).toBe(1);
    expect((await presence(a))!.presence).toBe('offline');
  });

  it("one bridge's offline does not undo a device's newer online on another bridge", async () => {
    const a = await terminal();
    await store.record([{ terminalId: a, presence: 'online' }], 'bridge-a');
    // the device moved to bridge B, then A's disconnect is written
    await store.record([{ terminalId: a, presence: 'online' }], 'bridge-b');
    await store.record([{ terminalId: a, presence: 'offline' }], 'bridge-a');
    expect(await presence(a)).toEqual({ presence: 'online', presence_owner: 'bridge-b' });
    await store.record([{ terminalId: a, presence: 'offline' }], 'bridge-b');
    expect((await presence(a))!.presence).toBe('offline');
  });

  it('a graceful stop marks its own devices offline and drops its heartbeat', async () => {
    const [a, b] = [await terminal(), await terminal()];
    await store.heartbeat('bridge-a');
    await store.record([{ terminalId: a, presence: 'online' }], 'bridge-a');
    await store.record([{ terminalId: b, presence: 'online' }], 'bridge-b');
    await store.release('bridge-a');
    expect((await presence(a))!.presence).toBe('offline');
    expect((await presence(b))!.presence).toBe('online');
    expect(await ds.query(`SELECT 1 FROM bridge_heartbeats WHERE instance = 'bridge-a'`)).toEqual([]);
  });

  it('external broker: an online the broker did not announce again since the subscription is cleared', async () => {
    const [stale, fresh] = [await terminal(), await terminal()];
    await store.record(
      [
        { terminalId: stale, presence: 'online' },
        { terminalId: fresh, presence: 'online' },
      ],
      null,
    );
    await ds.query(`UPDATE terminals SET last_seen_at = now() - interval '40 seconds'`);
    // the retained status of `fresh` came again after the subscription
    await store.record([{ terminalId: fresh, presence: 'online' }], null);
    expect(await store.unannouncedOffline(30)).toBe(1);
    expect((await presence(stale))!.presence).toBe('offline');
    expect((await presence(fresh))!.presence).toBe('online');
  });
});
