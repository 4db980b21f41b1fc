import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { AuditStore } from '#persistence';
import { ENGINES, openEngine, type OpenEngine } from '../support/engines.js';

const TRIGGER = 'audit_log_append_only';

/** What a privileged operator (or attacker with DDL rights) can do: bypass the trigger. */
async function asPrivileged(ds: DataSource, sql: string, params: unknown[] = []): Promise<void> {
  await ds.query(`ALTER TABLE audit_log DISABLE TRIGGER ${TRIGGER}`);
  try {
    await ds.query(sql, params);
  } finally {
    await ds.query(`ALTER TABLE audit_log ENABLE TRIGGER ${TRIGGER}`);
  }
}

async function appendMany(store: AuditStore, n: number, tag = 'e'): Promise<void> {
  for (let i = 1; i <= n; i += 1) {
    await store.append({
      actorId: null,
      action: 'site.create',
      subjectType: 'site',
      subjectId: `${tag}-${i}`,
      data: { name: `站点 ${i}`, nested: { z: i, a: [1, 'two', null] } },
    });
  }
}

async function seqs(ds: DataSource): Promise<number[]> {
  const rows = (await ds.query('SELECT seq FROM audit_log ORDER BY seq')) as { seq: string }[];
  return rows.map((r) => Number(r.seq));
}

describe.each(ENGINES)('audit chain on %s', (kind) => {
  let engine: OpenEngine;
  let ds: DataSource;
  let store: AuditStore;

  beforeAll(async () => {
    engine = await openEngine(kind);
    ds = engine.dataSource;
    store = new AuditStore(ds);
  });
  afterAll(async () => {
    await engine?.close();
  });
  // every test starts from an empty log
  beforeEach(async () => {
    await asPrivileged(ds, 'DELETE FROM audit_log');
  });

  it('appends linked, gap-free entries that verify', async () => {
    await appendMany(store, 5);
    expect(await seqs(ds)).toEqual([1, 2, 3, 4, 5]);
    const rows = await store.list({ limit: 10 });
    expect(rows.map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(rows[4]!.prevHash).toBe('0'.repeat(64));
    for (let i = 0; i < 4; i += 1) expect(rows[i]!.prevHash).toBe(rows[i + 1]!.hash);
    expect(rows[0]!.data).toEqual({ name: '站点 5', nested: { z: 5, a: [1, 'two', null] } });

    expect(await store.verify()).toEqual({ ok: true, checked: 5 });
    // paging through the chain gives the same answer
    expect(await store.verify(2)).toEqual({ ok: true, checked: 5 });
  });

  it('refuses UPDATE and DELETE through the append-only trigger', async () => {
    await appendMany(store, 5);
    await expect(ds.query(`UPDATE audit_log SET data = '{"x":1}' WHERE seq = 2`)).rejects.toThrow(
      /append-only/,
    );
    await expect(ds.query('DELETE FROM audit_log WHERE seq = 5')).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(ds.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    expect(await seqs(ds)).toEqual([1, 2, 3, 4, 5]);
    expect(await store.verify()).toEqual({ ok: true, checked: 5 });
  });

  it('detects a row edited with the trigger disabled, at that row', async () => {
    await appendMany(store, 5);
    const [{ data: original }] = (await ds.query('SELECT data FROM audit_log WHERE seq = 3')) as {
      data: unknown;
    }[];

    await asPrivileged(ds, `UPDATE audit_log SET data = jsonb_set(data, '{name}', '"forged"') WHERE seq = 3`);
    const check = await store.verify();
    expect(check.ok).toBe(false);
    expect(check.brokenAt).toEqual({ seq: 3, reason: 'content does not match its hash' });
    expect(check.checked).toBe(2);
    // a small page size finds the same row
    expect((await store.verify(2)).brokenAt?.seq).toBe(3);

    // putting the original content back makes the chain whole again: the hash covers content
    await asPrivileged(ds, 'UPDATE audit_log SET data = $1 WHERE seq = 3', [JSON.stringify(original)]);
    expect(await store.verify()).toEqual({ ok: true, checked: 5 });
  });

  it('detects a forged row whose own hash was recomputed, at the next link', async () => {
    await appendMany(store, 5);
    await asPrivileged(ds, `UPDATE audit_log SET hash = repeat('a', 64) WHERE seq = 2`);
    const check = await store.verify();
    expect(check.ok).toBe(false);
    // row 2 no longer matches its hash; had the forger fixed that, row 3's link would break
    expect(check.brokenAt?.seq).toBe(2);
  });

  it('detects a deleted middle row', async () => {
    await appendMany(store, 5);
    await asPrivileged(ds, 'DELETE FROM audit_log WHERE seq = 3');
    expect(await seqs(ds)).toEqual([1, 2, 4, 5]);
    const check = await store.verify();
    expect(check).toMatchObject({ ok: false, checked: 2, brokenAt: { seq: 4, reason: 'row 3 is missing' } });
    expect((await store.verify(3)).brokenAt).toEqual({ seq: 4, reason: 'row 3 is missing' });
  });

  it('keeps the chain gap-free and verifying under 20 concurrent appends', async () => {
    await appendMany(store, 2, 'before');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.append({
          actorId: null,
          action: 'user.login',
          subjectType: 'user',
          subjectId: `u${i}`,
          data: { i },
        }),
      ),
    );
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 3),
    );
    expect(await seqs(ds)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(await store.verify()).toEqual({ ok: true, checked: 22 });
    expect(await store.verify(5)).toEqual({ ok: true, checked: 22 });
  });

  it('rolls the entry back with the change it records', async () => {
    await appendMany(store, 1);
    await expect(
      ds.transaction(async (tx) => {
        await store.append(
          { actorId: null, action: 'site.delete', subjectType: 'site', subjectId: 's', data: {} },
          tx,
        );
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await seqs(ds)).toEqual([1]);
    await store.append({
      actorId: null,
      action: 'site.delete',
      subjectType: 'site',
      subjectId: 's',
      data: {},
    });
    expect(await seqs(ds)).toEqual([1, 2]);
    expect(await store.verify()).toEqual({ ok: true, checked: 2 });
  });
});

describe('audit chain with several instances on one PostgreSQL', () => {
  let engine: OpenEngine;
  beforeAll(async () => {
    engine = await openEngine('postgres', { poolSize: 8 });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('serialises appends from two pools (two app instances) into one verifying chain', async () => {
    const a = new AuditStore(engine.dataSource);
    const b = new AuditStore(await engine.extraDataSource(8));
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).append({
          actorId: null,
          action: 'x',
          subjectType: 't',
          subjectId: String(i),
          data: { i },
        }),
      ),
    );
    expect(await seqs(engine.dataSource)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await a.verify()).toEqual({ ok: true, checked: 40 });
  });
});
