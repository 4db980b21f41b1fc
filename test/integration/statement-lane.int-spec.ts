import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmbeddedPostgres, type StatementLane } from '#persistence';
import { RECORD_ACKS_SQL } from '../../apps/mqtt-bridge/src/bridge/device-ingest.js';
import { openEngine, tempDir, type OpenEngine } from '../support/engines.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A wire-protocol message: type byte, length, body. */
const message = (type: string, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

/**
 * A raw client of the engine's socket, logged in, that then sends a Parse and nothing
 * more: a request begun and never finished, as from a client that stalls or dies midway.
 */
async function halfRequest(socketDir: string): Promise<Socket> {
  const socket = createConnection(join(socketDir, '.s.PGSQL.5432'));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE(196608, 4); // protocol 3.0
  const ready = new Promise<void>((resolve) => {
    let seen = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      seen = Buffer.concat([seen, d]);
      if (seen.includes(Buffer.from([0x5a, 0, 0, 0, 5]))) resolve(); // ReadyForQuery
    });
  });
  socket.write(Buffer.concat([startup, params]));
  await ready;
  socket.write(message('P', Buffer.from('\0SELECT 1\0\0\0'))); // unnamed statement, no parameter types
  await sleep(100);
  return socket;
}

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

  /** a lane INSERT of `id`, checked to be still waiting 300 ms later (wrapped: an async function would wait for it) */
  async function heldBack(id: number): Promise<{ rows: Promise<unknown[]> }> {
    let ran = false;
    const insert = lane
      .query(`INSERT INTO lane_items (id, label) SELECT unnest($1::int[]), 'lane' RETURNING id`, [[id]])
      .then((rows) => ((ran = true), rows));
    await sleep(300);
    expect(ran).toBe(false);
    return { rows: insert };
  }

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
    const insert = await heldBack(2002);
    await runner.rollbackTransaction();
    await runner.release();
    expect(await insert.rows).toEqual([{ id: 2002 }]);
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

  it('waits while a socket client is inside a request, and goes on once that client is gone', async () => {
    const socketDir = (engine.dataSource.options as { host: string }).host;
    const raw = await halfRequest(socketDir);
    const insert = await heldBack(3001);
    raw.destroy();
    expect(await insert.rows).toEqual([{ id: 3001 }]);
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
    // the device's own time of its 签收 comes with the `acknowledged` only
    const pressedAt = '2026-07-01T03:30:00.000Z';
    const rows = await lane.query<{ state: string }>(RECORD_ACKS_SQL, [
      [id, id],
      ['t00000000000000000001', 't00000000000000000001'],
      [a, b],
      [a, b].map((state) => (state === 'acknowledged' ? pressedAt : null)),
      [300, 300],
    ]);
    expect(rows.map((r) => r.state)).toEqual(['acknowledged']);
    const [stored] = await q(
      `SELECT state, acknowledged_at, acknowledged_device_at FROM terminal_messages WHERE id = $1`,
      [id],
    );
    expect(stored.state).toBe('acknowledged');
    expect(stored.acknowledged_at).not.toBeNull();
    expect(new Date(stored.acknowledged_device_at).toISOString()).toBe(pressedAt);
  });
});

describe('StatementLane when the engine stops', () => {
  it('settles what was waiting, and refuses what comes after with the reason', async () => {
    const dir = tempDir();
    const pg = await EmbeddedPostgres.start(dir);
    try {
      const raw = await halfRequest(pg.socketDir); // holds the lane back until the stop
      const waiting = pg.lane.query(`SELECT unnest($1::int[]) AS v`, [[1]]).then(
        () => 'answered',
        (err: Error) => err.message,
      );
      await sleep(50);
      await pg.stop();
      raw.destroy();
      // answered as the stop released the session, or refused: never left hanging
      expect(await Promise.race([waiting, sleep(5000).then(() => 'hanging')])).toMatch(/answered|stopped/);
      await expect(pg.lane.query(`SELECT 1`, [])).rejects.toThrow(/stopped/);
      const failed: unknown[][] = [];
      const batch = pg.lane.batch<number, unknown>({
        name: 'after-stop',
        sql: `SELECT unnest($1::int[]) AS v`,
        columns: (n) => [n],
        max: 10,
        done: () => undefined,
        failed: (err, items) => void failed.push([err.message, ...items]),
      });
      batch.add(7);
      await batch.drain();
      expect(failed).toEqual([['the embedded database stopped', 7]]);
    } finally {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
