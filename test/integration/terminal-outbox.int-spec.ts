import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventBus } from '#platform';
import { TerminalOutbox } from '../../apps/mqtt-bridge/src/terminals/terminal-outbox.js';
import { openEngine, type OpenEngine } from '../support/engines.js';

// The embedded engine serves one session: device acks wait while a directive is written to
// the outbox (DeviceIngest awaits writesDone), so its chunks are not queued behind them.
describe('TerminalOutbox.writesDone on PGlite', () => {
  let engine: OpenEngine;
  let outbox: TerminalOutbox;
  let siteId: string;
  const TERMINALS = 3000;

  beforeAll(async () => {
    engine = await openEngine('pglite');
    const q = (sql: string, params?: unknown[]) => engine.dataSource.query(sql, params);
    siteId = randomUUID();
    await q(`INSERT INTO sites (id, name, kind, path) VALUES ($1, '沙河镇', 'township', '/s/')`, [siteId]);
    await q(
      `INSERT INTO terminals (id, name, site_id, kind, secret_hash)
       SELECT 't' || lpad(g::text, 20, '0'), 'terminal ' || g, $1, 'push', 'x' FROM generate_series(1, $2::int) g`,
      [siteId, TERMINALS],
    );
    // notify() is not called by enqueue: the bus is never used here
    outbox = new TerminalOutbox(engine.dataSource, {} as EventBus);
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
  });

  const directive = () => ({
    directiveId: randomUUID(),
    serial: 'ZL-1',
    title: '防汛',
    body: '转移',
    level: 'red',
    issuedAt: new Date(),
    expiresAt: null,
    drill: false,
  });
  const tick = () => new Promise((r) => setImmediate(r));

  it('resolves at once when nothing is being written', async () => {
    const result = await Promise.race([
      outbox.writesDone(10_000).then(() => 'done'),
      new Promise((r) => setTimeout(() => r('waited'), 500)),
    ]);
    expect(result).toBe('done');
  });

  it('resolves only once every chunk of a directive is committed, counting from its first statement', async () => {
    let settled = false;
    let chunks = 0;
    const writing = outbox
      .enqueue(directive(), [siteId], { onCommitted: () => chunks++ })
      .finally(() => (settled = true));
    // called before the target list is even read: the write already counts
    await outbox.writesDone(10_000);
    await tick();
    expect(settled).toBe(true);
    expect(await writing).toBe(TERMINALS);
    await tick();
    expect(chunks).toBeGreaterThan(1); // several chunks, so there were gaps to fall into
  });

  it('gives up after maxMs, so acks are never held for long', async () => {
    let settled = false;
    const writing = outbox.enqueue(directive(), [siteId]).finally(() => (settled = true));
    await outbox.writesDone(1);
    expect(settled).toBe(false);
    expect(await writing).toBe(TERMINALS);
  });
});
