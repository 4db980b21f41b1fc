import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { AuditStore, createDataSource, EmbeddedPostgres, runMigrations } from '#persistence';
import type { AppConfig } from '#platform';
import { RecipientsRepository } from '../../apps/dispatch/src/directives/recipients/recipients.repository.js';
import { BoardRepository } from '../../apps/dispatch/src/directives/shared/board.repository.js';
import { BoardService } from '../../apps/dispatch/src/directives/shared/board.service.js';
import { DirectiveChanges } from '../../apps/dispatch/src/directives/shared/directive-changes.js';
import { DirectiveEventsRepository } from '../../apps/dispatch/src/directives/shared/directive-events.repository.js';
import { OutboxRepository } from '../../apps/dispatch/src/directives/shared/outbox.repository.js';
import { RealtimeServer } from '../../apps/dispatch/src/directives/shared/realtime.js';
import { RecipientStateService } from '../../apps/dispatch/src/directives/recipients/recipient-state.service.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

/**
 * The recipient state machine (receipts and 签收 in one group commit) against both
 * engines: PostgreSQL (a pool) and embedded PGlite (one session, one connection).
 */
interface Engine {
  ds: DataSource;
  close(): Promise<void>;
}

async function open(kind: 'postgres' | 'pglite'): Promise<Engine> {
  if (kind === 'postgres') {
    const db: TestDatabase = await createTestDatabase();
    const ds = createDataSource({ url: db.url, poolSize: 4, applicationName: 'yihu-int-recipients' });
    await ds.initialize();
    await runMigrations(ds, true);
    return { ds, close: async () => void (await ds.destroy(), await db.drop()) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'yihu-int-recipients-'));
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

describe.each(['postgres', 'pglite'] as const)('recipient state machine on %s', (kind) => {
  let engine: Engine;
  let state: RecipientStateService;
  let board: BoardService;
  let rootId: string;
  let userId: string;
  const towns: string[] = [];

  const directive = async (sites: string[], options: { status?: string; expiresAt?: Date } = {}) => {
    const id = randomUUID();
    await engine.ds.query(
      `INSERT INTO directives (id, serial, title, body, level, status, ack_within_seconds, ack_by, issued_by, issuer_site_id, issuer_site_path, expires_at)
       VALUES ($1, $2, 't', 'b', 'red', $3, 600, now() + interval '10 minutes', $4, $5::uuid, '/' || $5::text || '/', $6)`,
      [id, `T-${id.slice(0, 8)}`, options.status ?? 'issued', userId, rootId, options.expiresAt ?? null],
    );
    await engine.ds.query(
      `INSERT INTO directive_recipients (directive_id, site_id) SELECT $1, unnest($2::uuid[])`,
      [id, sites],
    );
    return id;
  };
  const recipient = async (id: string, site: string) =>
    (
      (await engine.ds.query('SELECT * FROM directive_recipients WHERE directive_id = $1 AND site_id = $2', [
        id,
        site,
      ])) as any[]
    )[0];
  const history = async (id: string) =>
    (await engine.ds.query(
      'SELECT site_id, type, from_state, to_state, via FROM directive_events WHERE directive_id = $1 ORDER BY id',
      [id],
    )) as any[];
  const audit = async (id: string) =>
    (await engine.ds.query('SELECT action, data FROM audit_log WHERE subject_id = $1 ORDER BY seq', [
      id,
    ])) as any[];

  beforeAll(async () => {
    engine = await open(kind);
    rootId = randomUUID();
    userId = randomUUID();
    await engine.ds.query(
      `INSERT INTO sites (id, name, kind, path) VALUES ($1::uuid, 'root', 'command', '/' || $1::text || '/')`,
      [rootId],
    );
    for (let i = 0; i < 300; i += 1) towns.push(randomUUID());
    await engine.ds.query(
      `INSERT INTO sites (id, name, kind, parent_id, path) SELECT t, 'town' || n, 'township', $2::uuid, '/' || $2::text || '/' || t::text || '/'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS x(t, n)`,
      [towns, rootId],
    );
    await engine.ds.query(
      `INSERT INTO users (id, username, password_hash, role, site_id) VALUES ($1, 'u', 'x', 'dispatcher', $2)`,
      [userId, rootId],
    );
    const logger = pino({ level: 'silent' });
    board = new BoardService(
      new BoardRepository(engine.ds),
      new RealtimeServer(),
      { raw: {} } as AppConfig,
      logger,
    );
    const events = new DirectiveEventsRepository();
    const changes = new DirectiveChanges(events, new OutboxRepository(engine.ds), new AuditStore(engine.ds));
    state = new RecipientStateService(engine.ds, new RecipientsRepository(engine.ds), changes, board, logger);
  }, 60_000);

  afterAll(async () => {
    board?.onApplicationShutdown();
    await engine?.close();
  });

  it('folds a receipt and the 签收 right after it into one row, with both steps in history and audit', async () => {
    const site = towns[0]!;
    const id = await directive([site]);
    const [delivered, acked] = await Promise.all([
      state.markDelivered({ directiveId: id, siteId: site, via: 'console' }),
      state.acknowledge({ directiveId: id, siteId: site, actorId: userId, via: 'console' }),
    ]);
    expect(delivered).toBe(true);
    expect(acked).toMatchObject({ ok: true, duplicate: false, state: 'acknowledged' });
    const row = await recipient(id, site);
    expect(row).toMatchObject({
      state: 'acknowledged',
      delivered_via: 'console',
      acknowledged_via: 'console',
      acknowledged_by: userId,
    });
    expect(row.delivered_at).not.toBeNull();
    expect(row.next_escalation_at).toBeNull();
    expect((await history(id)).map((e) => [e.type, e.from_state, e.to_state])).toEqual([
      ['delivered', 'pending', 'delivered'],
      ['acknowledged', 'delivered', 'acknowledged'],
    ]);
    expect((await audit(id)).map((a) => a.action)).toEqual(['directive.delivered', 'directive.ack']);
  });

  it('records a repeated 签收 once, in the same batch and in a later one', async () => {
    const site = towns[1]!;
    const id = await directive([site]);
    const first = await Promise.all(
      [1, 2, 3].map(() =>
        state.acknowledge({ directiveId: id, siteId: site, actorId: userId, via: 'console' }),
      ),
    );
    expect(first.filter((o) => o.ok && !o.duplicate)).toHaveLength(1);
    expect(first.every((o) => o.ok)).toBe(true);
    const later = await state.acknowledge({
      directiveId: id,
      siteId: site,
      actorId: userId,
      via: 'terminal',
      deviceId: 't-1',
    });
    expect(later).toMatchObject({ ok: true, duplicate: true, state: 'acknowledged' });
    // a late receipt changes nothing either
    expect(await state.markDelivered({ directiveId: id, siteId: site, via: 'radio' })).toBe(false);
    expect((await history(id)).map((e) => e.type)).toEqual(['acknowledged']);
    expect((await audit(id)).map((a) => a.action)).toEqual(['directive.ack']);
    expect((await recipient(id, site)).acknowledged_via).toBe('console');
  });

  it('refuses a 签收 for another site, a cancelled or an expired directive, with a reason', async () => {
    const [site, other] = [towns[2]!, towns[3]!];
    const live = await directive([site]);
    const cancelled = await directive([site], { status: 'cancelled' });
    const expired = await directive([site], { expiresAt: new Date(Date.now() - 1000) });
    const ack = (directiveId: string, siteId: string) =>
      state.acknowledge({ directiveId, siteId, actorId: userId, via: 'console' });
    const outcomes = await Promise.all([ack(live, other), ack(cancelled, site), ack(expired, site)]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.message))).toEqual([
      expect.stringMatching(/not addressed to site/),
      expect.stringMatching(/cancelled/),
      expect.stringMatching(/expired/),
    ]);
    expect(await state.markDelivered({ directiveId: expired, siteId: site, via: 'console' })).toBe(false);
    expect((await recipient(expired, site)).state).toBe('pending');
    expect(await audit(expired)).toEqual([]);
  });

  it("takes a device's 签收 pressed before the expiry that arrives after it, and refuses one pressed after", async () => {
    const [inTime, tooLate] = [towns[4]!, towns[5]!];
    const expiresAt = new Date(Date.now() - 5000);
    const id = await directive([inTime, tooLate], { expiresAt });
    await engine.ds.query(`UPDATE directives SET issued_at = now() - interval '1 minute' WHERE id = $1`, [
      id,
    ]);
    await engine.ds.query(`UPDATE directive_recipients SET state = 'expired' WHERE directive_id = $1`, [id]);
    const deviceAck = (siteId: string, pressedAt: Date) =>
      state.acknowledge({
        directiveId: id,
        siteId,
        actorId: null,
        via: 'terminal',
        deviceId: 'T-1',
        device: { pressedAt, receivedAt: new Date() },
      });
    const pressed = new Date(expiresAt.getTime() - 3000);
    const outcomes = await Promise.all([
      deviceAck(inTime, pressed),
      deviceAck(tooLate, new Date(expiresAt.getTime() + 1000)),
    ]);
    expect(outcomes.map((o) => (o.ok ? o.state : o.error.message))).toEqual([
      'acknowledged',
      expect.stringMatching(/expired/),
    ]);
    const row = await recipient(id, inTime);
    expect(row.state).toBe('acknowledged');
    expect(new Date(row.acknowledged_pressed_at).getTime()).toBe(pressed.getTime());
    expect((await recipient(id, tooLate)).state).toBe('expired');
    expect((await history(id)).map((h) => [h.site_id, h.from_state, h.to_state])).toEqual([
      [inTime, 'expired', 'acknowledged'],
    ]);
  });

  it('takes a storm of receipts and acks from 300 sites in a few batches, each recorded once, chain intact', async () => {
    const sites = towns.slice(0, 300);
    const id = await directive(sites);
    const work: Promise<unknown>[] = [];
    for (const site of sites) {
      work.push(state.markDelivered({ directiveId: id, siteId: site, via: 'console' }));
      work.push(state.acknowledge({ directiveId: id, siteId: site, actorId: userId, via: 'console' }));
      work.push(state.acknowledge({ directiveId: id, siteId: site, actorId: userId, via: 'console' }));
    }
    await Promise.all(work);
    const [counts] = (await engine.ds.query(
      `SELECT count(*) FILTER (WHERE state = 'acknowledged')::int AS acked, count(DISTINCT acknowledged_at)::int AS batches
       FROM directive_recipients WHERE directive_id = $1`,
      [id],
    )) as { acked: number; batches: number }[];
    expect(counts!.acked).toBe(300);
    expect(counts!.batches).toBeLessThan(20); // group-committed, not one transaction per ack
    const actions = (await audit(id)).map((a) => a.action);
    expect(actions.filter((a) => a === 'directive.ack')).toHaveLength(300);
    expect(actions.filter((a) => a === 'directive.delivered')).toHaveLength(300);
    expect((await history(id)).length).toBe(600);
    expect(await new AuditStore(engine.ds).verify()).toMatchObject({ ok: true });
  }, 60_000);
});
