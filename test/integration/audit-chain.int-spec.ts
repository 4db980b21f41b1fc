import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditHash, auditMac, type AuditContent } from '#domain';
import { AuditAnchorFile, AuditStore } from '#persistence';
import { ENGINES, openEngine, tempDir, type OpenEngine } from '../support/engines.js';

const KEY = Buffer.from('audit-chain-int-spec-key-0123456789abcdef');

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

interface DbRow {
  seq: string;
  at: Date;
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  data: Record<string, unknown>;
  prev_hash: string;
}

/**
 * The attack the chain must catch: rewrite one row's actor, then recompute every hash from
 * there on with `hash` (the published SHA-256, or HMAC under a guessed key), in raw SQL.
 */
async function rewriteActorAndRehash(
  ds: DataSource,
  fromSeq: number,
  actorId: string,
  hash: (content: AuditContent, prevHash: string) => string,
  version?: number,
): Promise<void> {
  await asPrivileged(ds, 'UPDATE audit_log SET actor_id = $1 WHERE seq = $2', [actorId, fromSeq]);
  const rows = (await ds.query('SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq', [fromSeq])) as DbRow[];
  let prev = rows[0]!.prev_hash;
  for (const r of rows) {
    const content: AuditContent = {
      seq: Number(r.seq),
      at: r.at.toISOString(),
      actorId: r.actor_id,
      action: r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      data: r.data,
    };
    const h = hash(content, prev);
    await asPrivileged(
      ds,
      'UPDATE audit_log SET prev_hash = $1, hash = $2, hash_version = coalesce($3, hash_version) WHERE seq = $4',
      [prev, h, version ?? null, r.seq],
    );
    prev = h;
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
  let dir: string;

  beforeAll(async () => {
    engine = await openEngine(kind);
    ds = engine.dataSource;
    dir = tempDir('yihu-audit-');
    store = new AuditStore(ds, { key: KEY, anchor: new AuditAnchorFile(join(dir, 'audit-anchor.json')) });
  });
  afterAll(async () => {
    await engine?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  // every test starts from an empty log and no anchor
  beforeEach(async () => {
    await asPrivileged(ds, 'DELETE FROM audit_log');
    rmSync(join(dir, 'audit-anchor.json'), { force: true });
  });

  it('appends linked, gap-free entries that verify', async () => {
    await appendMany(store, 5);
    expect(await seqs(ds)).toEqual([1, 2, 3, 4, 5]);
    const rows = await store.list({ limit: 10 });
    expect(rows.map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(rows[4]!.prevHash).toBe('0'.repeat(64));
    for (let i = 0; i < 4; i += 1) expect(rows[i]!.prevHash).toBe(rows[i + 1]!.hash);
    expect(rows[0]!.data).toEqual({ name: '站点 5', nested: { z: 5, a: [1, 'two', null] } });

    expect(await store.verify()).toMatchObject({ ok: true, checked: 5 });
    // paging through the chain gives the same answer
    expect(await store.verify(2)).toMatchObject({ ok: true, checked: 5 });
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
    expect(await store.verify()).toMatchObject({ ok: true, checked: 5 });
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
    expect(await store.verify()).toMatchObject({ ok: true, checked: 5 });
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
    expect(await store.verify()).toMatchObject({ ok: true, checked: 22 });
    expect(await store.verify(5)).toMatchObject({ ok: true, checked: 22 });
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
    expect(await store.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  describe('against someone who can write the database', () => {
    const ACTORS = [randomUUID(), randomUUID(), randomUUID()];

    async function thirty(): Promise<void> {
      for (let i = 1; i <= 30; i += 1) {
        await store.append({
          actorId: ACTORS[i % 3]!,
          action: 'directive.issue',
          subjectType: 'directive',
          subjectId: `d-${i}`,
          data: { title: `指令 ${i}`, body: `正文 ${i}` },
        });
      }
      expect(await store.anchorHead()).toMatchObject({ kind: 'anchored', head: { seq: 30 } });
    }

    it('verifies an untouched chain against its anchored head', async () => {
      await thirty();
      expect(await store.verify()).toEqual({
        ok: true,
        checked: 30,
        anchor: { seq: 30, at: expect.any(String) },
      });
      // appends after the anchor are fine; the next anchor moves on
      await appendMany(store, 3, 'later');
      expect(await store.verify(7)).toMatchObject({ ok: true, checked: 33, anchor: { seq: 30 } });
      expect(await store.anchorHead()).toMatchObject({ kind: 'anchored', head: { seq: 33 } });
      expect(await store.anchorHead()).toEqual({ kind: 'unchanged' });
      expect(await store.verify()).toMatchObject({ ok: true, checked: 33, anchor: { seq: 33 } });
    });

    it('finds an actor rewritten and every later row re-hashed with plain SHA-256, at that row', async () => {
      await thirty();
      await rewriteActorAndRehash(ds, 10, randomUUID(), (content, prev) => auditHash(content, prev));
      expect((await store.verify()).brokenAt).toEqual({ seq: 10, reason: 'content does not match its hash' });
      expect((await store.verify(4)).brokenAt?.seq).toBe(10);
      // the anchor writer checks only what is new since its last anchor: it sees the anchored row changed
      expect(await store.anchorHead()).toMatchObject({ kind: 'refused', seq: 30 });
    });

    it('finds the same re-hash when the rows also claim to be unkeyed (version 1)', async () => {
      await thirty();
      await rewriteActorAndRehash(ds, 10, randomUUID(), (content, prev) => auditHash(content, prev), 1);
      expect((await store.verify()).brokenAt).toEqual({
        seq: 10,
        reason: 'an unkeyed row after the keyed part began at row 1',
      });
    });

    it('finds the whole chain rewritten as unkeyed rows, against the anchored head', async () => {
      await thirty();
      await rewriteActorAndRehash(ds, 1, randomUUID(), (content, prev) => auditHash(content, prev), 1);
      const check = await store.verify();
      expect(check.ok).toBe(false);
      expect(check.brokenAt).toEqual({
        seq: 30,
        reason: expect.stringMatching(/does not match the anchored head/),
      });
    });

    it('finds a re-hash with HMAC under a wrong key, at that row', async () => {
      await thirty();
      const wrong = Buffer.from('not-the-audit-key-but-just-as-long-000000');
      await rewriteActorAndRehash(ds, 10, randomUUID(), (content, prev) => auditMac(content, prev, wrong));
      expect((await store.verify()).brokenAt).toEqual({ seq: 10, reason: 'content does not match its hash' });
    });

    it('finds the newest 5 rows deleted (a cut tail), against the anchored head', async () => {
      await thirty();
      await asPrivileged(ds, 'DELETE FROM audit_log WHERE seq > 25');
      const check = await store.verify();
      expect(check).toMatchObject({ ok: false, checked: 25, anchor: { seq: 30 } });
      expect(check.brokenAt).toEqual({
        seq: 26,
        reason: expect.stringMatching(/^rows 26-30 are missing: the chain ends before its anchored head/),
      });
      // and the anchor keeps the evidence: it is not moved back to the cut head
      expect(await store.anchorHead()).toMatchObject({ kind: 'refused', seq: 26 });
      expect((await store.verify()).brokenAt?.seq).toBe(26);
      // new appends on the cut chain do not hide it either
      await appendMany(store, 10, 'after-cut');
      expect(await store.verify()).toMatchObject({ ok: false, brokenAt: { seq: 30 } });
    });

    it('refuses an anchor file that the audit key did not sign', async () => {
      await thirty();
      const file = join(dir, 'audit-anchor.json');
      const head = JSON.parse(readFileSync(file, 'utf8')) as { seq: number };
      writeFileSync(file, JSON.stringify({ ...head, seq: 25 }));
      expect((await store.verify()).brokenAt).toEqual({
        seq: 25,
        reason: 'the anchored head is not signed with the audit key',
      });
    });

    it('pages backwards through 250 entries to seq 1 with beforeSeq', async () => {
      await appendMany(store, 250, 'page');
      const seen: number[] = [];
      let before: number | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await store.list({ limit: 100, beforeSeq: before });
        if (page.length === 0) break;
        seen.push(...page.map((r) => r.seq));
        before = page.at(-1)!.seq;
      }
      expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => 250 - i));
      // afterSeq still bounds from below
      expect((await store.list({ limit: 100, afterSeq: 245 })).map((r) => r.seq)).toEqual([
        250, 249, 248, 247, 246,
      ]);
      expect(
        (await store.list({ limit: 2, beforeSeq: 100, subjectId: 'page-50' })).map((r) => r.seq),
      ).toEqual([50]);
    });
  });

  it('verifies a 40,000-entry chain a page at a time, and finds an edit deep in it', async () => {
    for (let batch = 0; batch < 40; batch += 1) {
      await ds.transaction((tx) =>
        store.appendMany(
          Array.from({ length: 1000 }, (_, i) => ({
            actorId: null,
            action: 'directive.ack',
            subjectType: 'directive',
            subjectId: `big-${batch}`,
            data: { siteId: `site-${i}`, via: 'terminal', at: new Date().toISOString() },
          })),
          tx,
        ),
      );
    }
    expect(await store.anchorHead()).toMatchObject({ kind: 'anchored', head: { seq: 40_000 } });
    const started = performance.now();
    const check = await store.verify();
    const ms = Math.round(performance.now() - started);
    // the figure for docs/audit.md; no bound on it here (the machine is shared)
    process.stdout.write(`audit verify of 40,000 entries on ${kind}: ${ms} ms\n`);
    expect(check).toMatchObject({ ok: true, checked: 40_000, anchor: { seq: 40_000 } });

    await asPrivileged(
      ds,
      `UPDATE audit_log SET data = jsonb_set(data, '{via}', '"console"') WHERE seq = 1001`,
    );
    expect((await store.verify()).brokenAt).toEqual({ seq: 1001, reason: 'content does not match its hash' });
  }, 180_000);
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
    expect(await a.verify()).toMatchObject({ ok: true, checked: 40 });
  });
});

describe.each(ENGINES)('an audit chain written before it was keyed, on %s', (kind) => {
  let engine: OpenEngine;
  let ds: DataSource;
  let store: AuditStore;
  let dir: string;

  beforeAll(async () => {
    engine = await openEngine(kind);
    ds = engine.dataSource;
    dir = tempDir('yihu-audit-legacy-');
    // back to the schema before the keyed chain, where three rows are written as the old code did
    const keyed = () => ds.query(`SELECT 1 FROM schema_migrations WHERE name = 'AuditKeyed1795001600000'`);
    while (((await keyed()) as unknown[]).length) await ds.undoLastMigration({ transaction: 'each' });
    let prev = '0'.repeat(64);
    for (let seq = 1; seq <= 3; seq += 1) {
      const content: AuditContent = {
        seq,
        at: new Date(Date.UTC(2026, 0, seq)).toISOString(),
        actorId: null,
        action: 'site.create',
        subjectType: 'site',
        subjectId: `legacy-${seq}`,
        data: { name: `站点 ${seq}` },
      };
      const hash = auditHash(content, prev);
      await ds.query(
        `INSERT INTO audit_log (seq, at, actor_id, action, subject_type, subject_id, data, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          seq,
          content.at,
          null,
          content.action,
          content.subjectType,
          content.subjectId,
          JSON.stringify(content.data),
          prev,
          hash,
        ],
      );
      prev = hash;
    }
    await ds.runMigrations({ transaction: 'each' });
    store = new AuditStore(ds, { key: KEY, anchor: new AuditAnchorFile(join(dir, 'audit-anchor.json')) });
  });
  afterAll(async () => {
    await engine?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('verifies the old rows with the legacy hash and starts the keyed part with audit.rekeyed', async () => {
    expect(await store.verify()).toMatchObject({ ok: true, checked: 3, anchor: null });
    await appendMany(store, 2, 'new');
    const rows = (await store.list({ limit: 10 })).reverse();
    expect(rows.map((r) => [r.seq, r.version, r.action])).toEqual([
      [1, 1, 'site.create'],
      [2, 1, 'site.create'],
      [3, 1, 'site.create'],
      [4, 2, 'audit.rekeyed'],
      [5, 2, 'site.create'],
      [6, 2, 'site.create'],
    ]);
    expect(rows[3]!.data).toEqual({ legacyRows: 3, legacyHead: rows[2]!.hash });
    expect(await store.anchorHead()).toMatchObject({ kind: 'anchored', head: { seq: 6, keyedFrom: 4 } });
    expect(await store.verify()).toMatchObject({ ok: true, checked: 6, anchor: { seq: 6 } });
  });

  it('catches a legacy row rewritten and re-hashed, at the keyed entry that links to it', async () => {
    await rewriteActorAndRehash(ds, 2, randomUUID(), (content, prev) => auditHash(content, prev));
    // rows 2-6 re-hashed with SHA-256: 2 and 3 pass as legacy rows, the keyed marker does not
    const check = await store.verify();
    expect(check).toMatchObject({ ok: false, brokenAt: { seq: 4 } });
  });
});
