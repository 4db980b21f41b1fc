import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventBus, Runtime } from '#platform';
import { TerminalOutbox, TerminalOutboxRepository, type TerminalMessageRow } from '#terminals';
import { openEngine, type OpenEngine } from '../support/engines.js';

// On the embedded engine a directive's outbox chunks are written on the engine's own
// thread (its statement lane), all posted at once and handed to the bridge in order.
describe('TerminalOutbox on PGlite, through the statement lane', () => {
  let engine: OpenEngine;
  let outbox: TerminalOutbox;
  let siteId: string;
  const TERMINALS = 3000;
  const q = (sql: string, params?: unknown[]) => engine.dataSource.query(sql, params);

  beforeAll(async () => {
    engine = await openEngine('pglite');
    siteId = randomUUID();
    await q(`INSERT INTO sites (id, name, kind, path) VALUES ($1, '沙河镇', 'township', '/s/')`, [siteId]);
    await q(
      `INSERT INTO terminals (id, name, site_id, kind, secret_hash)
       SELECT 't' || lpad(g::text, 20, '0'), 'terminal ' || g, $1, 'push', 'x' FROM generate_series(1, $2::int) g`,
      [siteId, TERMINALS],
    );
    // notify() is not called by enqueue: the bus is never used here
    outbox = new TerminalOutbox(
      engine.dataSource,
      new TerminalOutboxRepository(),
      {} as EventBus,
      { lane: engine.lane } as Runtime,
    );
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
  });

  const directive = (expiresAt: Date | null = null) => ({
    directiveId: randomUUID(),
    serial: 'ZL-1',
    title: '防汛 "紧急"',
    body: '转移 \\ 群众',
    level: 'red',
    issuedAt: new Date(),
    expiresAt,
    drill: false,
  });

  it('hands every chunk over in order, each already committed, and stores what it sends', async () => {
    const input = directive(new Date(Date.now() + 3600_000));
    const chunks: TerminalMessageRow[][] = [];
    const counts: number[] = [];
    const added = await outbox.enqueue(input, [siteId], {
      sourceId: input.directiveId,
      onCommitted: (rows) => {
        chunks.push(rows);
        counts.push(rows.length);
      },
    });
    expect(added).toBe(TERMINALS);
    expect(counts).toEqual([250, 500, 1000, 1250]);
    const sent = chunks.flat();
    expect(sent.map((r) => r.terminal_id)).toEqual(
      Array.from({ length: TERMINALS }, (_, i) => `t${String(i + 1).padStart(20, '0')}`),
    );
    const stored = await q(
      `SELECT id, payload, expires_at FROM terminal_messages WHERE directive_id = $1 ORDER BY terminal_id`,
      [input.directiveId],
    );
    expect(stored).toHaveLength(TERMINALS);
    expect(stored[0].payload).toBe(sent[0]!.payload);
    expect(JSON.parse(sent[0]!.payload)).toMatchObject({
      messageId: sent[0]!.id,
      title: '防汛 "紧急"',
      body: '转移 \\ 群众',
      expiresAt: input.expiresAt!.toISOString(),
    });
    expect(stored[0].expires_at.toISOString()).toBe(input.expiresAt!.toISOString());
  });

  it('adds nothing when the same job runs again', async () => {
    const input = directive();
    expect(await outbox.enqueue(input, [siteId], { sourceId: 'job-1' })).toBe(TERMINALS);
    let handed = 0;
    expect(
      await outbox.enqueue(input, [siteId], { sourceId: 'job-1', onCommitted: (r) => (handed += r.length) }),
    ).toBe(0);
    expect(handed).toBe(0);
  });

  it('fails the job, not the process, when a chunk cannot be written', async () => {
    const input = { ...directive(), directiveId: 'x'.repeat(10) };
    await q(`ALTER TABLE terminal_messages ADD CONSTRAINT test_no_x CHECK (directive_id <> 'xxxxxxxxxx')`);
    try {
      await expect(outbox.enqueue(input, [siteId], { sourceId: 'job-x' })).rejects.toThrow(/test_no_x/);
    } finally {
      await q(`ALTER TABLE terminal_messages DROP CONSTRAINT test_no_x`);
    }
  });
});
