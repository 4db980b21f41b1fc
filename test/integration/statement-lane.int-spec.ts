import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StatementLane } from '#persistence';
import { RECORD_ACKS_SQL } from '../../apps/mqtt-bridge/src/bridge/device-ingest.js';
import { openEngine, type OpenEngine } from '../support/engines.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The lane runs statements on PGlite's own thread, on the one session that the socket's
// client (TypeORM) also uses: these tests are about sharing that session safely.
describe('StatementLane on PGlite', () => {
  let engine: OpenEngine;
  let lane: StatementLane;
  const q = (sql: string, params?: unknown[]) => engine.dataSource.query(sql, params);

  beforeAll(async () => {
    engine = await openEngine('pglite');
    lane = engine.lane!;
    await q(`CREATE TABLE lane_items (id int PRIMARY KEY, label text)`);
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
  });

  it('runs a batch in order and hands each statement its rows and the items it covered', async () => {
    const seen: { rows: number; items: number[] }[] = [];
    const batch = lane.batch<number, { id: number }>({
      name: 'test-insert',
      sql: `INSERT INTO lane_items (id, label) SELECT * FROM unnest($1::int[], $2::text[]) RETURNING id`,
      columns: (n) => [n, `item "${n}", \\ quoted`],
      max: 400,
      done: (rows, items) => void seen.push({ rows: rows.length, items }),
      failed: (err) => {
        throw err;
      },
    });
    for (let i = 1; i <= 1000; i++) batch.add(i);
    await batch.drain();
    expect(seen.flatMap((s) => s.items)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    for (const s of seen) expect(s.rows).toBe(s.items.length);
    expect(Math.max(...seen.map((s) => s.items.length))).toBeLessThanOrEqual(400);
    const [row] = await q(`SELECT label FROM lane_items WHERE id = 7`);
    expect(row.label).toBe('item "7", \\ quoted');
  });

  it('waits for a transaction of the socket client to end, and is not part of it', async () => {
    const runner = engine.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(`INSERT INTO lane_items (id, label) VALUES (2001, 'rolled back')`);
    let ran = false;
    const insert = lane
      .query(`INSERT INTO lane_items (id, label) SELECT unnest($1::int[]), 'lane' RETURNING id`, [[2002]])
      .then((rows) => ((ran = true), rows));
    await sleep(300);
    expect(ran).toBe(false);
    await runner.rollbackTransaction();
    await runner.release();
    expect(await insert).toEqual([{ id: 2002 }]);
    const rows = await q(`SELECT id FROM lane_items WHERE id IN (2001, 2002) ORDER BY id`);
    expect(rows).toEqual([{ id: 2002 }]);
  });

  it('never splits a socket request: parameterised queries and lane statements run side by side', async () => {
    // lane statements back to back for as long as the socket client is busy, so that one
    // is always waiting for the engine while a request of the socket is half sent
    let busy = true;
    let laned = 0;
    const laneLoop = (async () => {
      while (busy) {
        const rows = await lane.query<{ v: number }>(`SELECT unnest($1::int[]) AS v`, [[laned]]);
        expect(rows).toEqual([{ v: laned }]);
        laned++;
      }
    })();
    // requests bigger than a socket read: they reach the engine in pieces, Parse first
    const big = 'x'.repeat(300_000);
    for (let i = 0; i < 100; i++)
      expect(await q(`SELECT $1::int AS v, length($2::text) AS n`, [i, big])).toEqual([
        { v: i, n: big.length },
      ]);
    busy = false;
    await laneLoop;
    expect(laned).toBeGreaterThan(10);
  });

  it('rejects a failing statement with its reason and goes on', async () => {
    await expect(lane.query(`SELECT 1 / unnest($1::int[])`, [[0]])).rejects.toThrow(/division by zero/);
    expect(await lane.query(`SELECT unnest($1::int[]) + 1 AS v`, [[41]])).toEqual([{ v: 42 }]);
    // and the socket client's session is not left in an aborted state
    expect(await q(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
  });

  it('binds scalars after the columns, nulls included', async () => {
    const rows = await lane.query<{ v: number; s: string | null; t: string }>(
      `SELECT unnest($1::int[]) AS v, $2::text AS s, $3 AS t`,
      [[1, 2]],
      [null, 'x'],
    );
    expect(rows).toEqual([
      { v: 1, s: null, t: 'x' },
      { v: 2, s: null, t: 'x' },
    ]);
  });

  // Acks posted apart may meet in one statement: `received` and then 签收 of one message
  it.each([
    ['received', 'acknowledged'],
    ['acknowledged', 'received'],
  ])('records a message acked twice in one statement (%s, %s) at its highest state', async (a, b) => {
    const id = randomUUID();
    await q(
      `INSERT INTO terminal_messages (id, terminal_id, directive_id, source_id, topic, payload)
       VALUES ($1::uuid, 't00000000000000000001', 'd', $1::text, 'directives', '{}')`,
      [id],
    );
    const rows = await lane.query<{ state: string }>(RECORD_ACKS_SQL, [
      [id, id],
      ['t00000000000000000001', 't00000000000000000001'],
      [a, b],
    ]);
    expect(rows.map((r) => r.state)).toEqual(['acknowledged']);
    const [stored] = await q(`SELECT state, acknowledged_at FROM terminal_messages WHERE id = $1`, [id]);
    expect(stored.state).toBe('acknowledged');
    expect(stored.acknowledged_at).not.toBeNull();
  });
});
