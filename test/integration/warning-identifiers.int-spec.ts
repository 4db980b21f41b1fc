import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WarningsRepository } from '../../apps/dispatch/src/warnings/warnings.repository.js';
import { ENGINES, openEngine, type OpenEngine } from '../support/engines.js';

/**
 * The sequence digit N of GB/T 35965.1 identifiers: one counter row per (region, org,
 * second), counted in a transaction on both engines, and rows of seconds long past pruned
 * (they grew by one row per warning, forever).
 */
describe.each(ENGINES)('warning identifier sequence on %s', (kind) => {
  let engine: OpenEngine;
  let repo: WarningsRepository;
  const take = (prefix: string) => engine.dataSource.transaction((tx) => repo.takeSequence(tx, prefix));
  const prefixes = async () =>
    (
      (await engine.dataSource.query('SELECT prefix FROM warning_identifier_seq ORDER BY prefix')) as {
        prefix: string;
      }[]
    ).map((r) => r.prefix);

  beforeAll(async () => {
    engine = await openEngine(kind);
    repo = new WarningsRepository(engine.dataSource);
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
  });

  it('counts 0, 1, 2 within a second and starts again at 0 for the next', async () => {
    expect([await take('330106000000_20261207120000'), await take('330106000000_20261207120000')]).toEqual([
      0, 1,
    ]);
    expect(await take('330106000000_20261207120000')).toBe(2);
    expect(await take('330106000000_20261207120001')).toBe(0);
  });

  it('prunes rows older than ten minutes as it takes a new one, keeping recent ones', async () => {
    await engine.dataSource.query(
      `INSERT INTO warning_identifier_seq (prefix, last_value, taken_at)
       VALUES ('330106000000_20261207090000', 3, now() - interval '1 hour'),
              ('330106000000_20261207115500', 0, now() - interval '5 minutes')`,
    );
    await take('330106000000_20261207120002');
    const left = await prefixes();
    expect(left).not.toContain('330106000000_20261207090000');
    expect(left).toEqual(
      expect.arrayContaining(['330106000000_20261207115500', '330106000000_20261207120002']),
    );
  });
});
