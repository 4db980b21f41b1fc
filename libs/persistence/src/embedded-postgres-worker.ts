/**
 * The thread that runs PGlite and its socket server (see EmbeddedPostgres). Plain
 * JavaScript in a string, evaluated by `new Worker(..., { eval: true })`: the same text
 * runs from the build and from the TypeScript sources under jest, where a worker file
 * path would name a .ts file that Node cannot load. It requires PGlite's CommonJS builds
 * by the absolute paths the parent resolved.
 *
 * parent → worker: workerData {pglite, socket, dataPath, socketPath, warmUp}; then 'stop'.
 * worker → parent: {ready: true} | {error: message} | {stopped: true}.
 */
export const EMBEDDED_POSTGRES_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const { PGLiteSocketServer } = require(workerData.socket);
let db;
let server;
// Before anyone connects, the engine runs the statements a county-wide directive makes
// (thousands of rows written through unique and partial indexes, updated, read back) on a
// table created and dropped by a rolled-back transaction. WebAssembly is compiled lazily,
// hot code again later: without this the first directive after a start (a restart after a
// power cut, say) paid ~1 s of that compilation on the same two cores as its fan-out.
async function warmUp(db) {
  const ids = [];
  const terminals = [];
  const { randomUUID } = require('node:crypto');
  for (let i = 0; i < 4000; i++) {
    ids.push(randomUUID());
    terminals.push('t' + String(i).padStart(20, '0'));
  }
  for (let round = 0; round < 3; round++) {
    await db.exec(\`BEGIN;
      CREATE TABLE yihu_warm_up (id uuid PRIMARY KEY, seq bigserial, terminal_id varchar(23) NOT NULL,
        source_id text NOT NULL, state text NOT NULL DEFAULT 'queued', payload text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(), received_at timestamptz, acknowledged_at timestamptz);
      CREATE UNIQUE INDEX ON yihu_warm_up (terminal_id, source_id);
      CREATE INDEX ON yihu_warm_up (terminal_id, seq) WHERE state IN ('queued', 'sent', 'received');\`);
    try {
      await db.query(
        \`INSERT INTO yihu_warm_up (id, terminal_id, source_id, payload)
         SELECT v.id, v.terminal_id, 's', '{"messageId":"' || v.id || '",' || $3
         FROM unnest($1::uuid[], $2::text[]) AS v(id, terminal_id)
         ON CONFLICT (terminal_id, source_id) DO NOTHING RETURNING id, terminal_id\`,
        [ids, terminals, '"title":"warm-up"}'],
      );
      await db.query(
        \`UPDATE yihu_warm_up m SET state = 'acknowledged', received_at = coalesce(m.received_at, now()),
           acknowledged_at = clock_timestamp()
         FROM unnest($1::uuid[], $2::text[]) AS v(id, sender)
         WHERE m.id = v.id AND m.terminal_id = v.sender AND m.state IN ('queued', 'sent', 'received')
         RETURNING m.id, m.terminal_id, m.state, m.received_at = now() AS first, m.acknowledged_at\`,
        [ids, terminals],
      );
      await db.query(
        \`SELECT id, terminal_id, payload FROM yihu_warm_up
         WHERE terminal_id = ANY($1::text[]) AND state IN ('queued', 'sent', 'received') ORDER BY terminal_id, seq\`,
        [terminals],
      );
    } finally {
      await db.exec('ROLLBACK');
    }
  }
}
(async () => {
  db = await PGlite.create(workerData.dataPath);
  if (workerData.warmUp) await warmUp(db);
  server = new PGLiteSocketServer({ db, path: workerData.socketPath, maxConnections: 4 });
  await server.start();
  parentPort.postMessage({ ready: true });
})().catch((err) => parentPort.postMessage({ error: String((err && err.message) || err) }));
parentPort.on('message', (msg) => {
  if (msg !== 'stop') return;
  (async () => {
    try {
      if (server) await server.stop();
    } finally {
      if (db) await db.close();
    }
  })().then(
    () => parentPort.postMessage({ stopped: true }),
    (err) => parentPort.postMessage({ stopped: true, error: String((err && err.message) || err) }),
  );
});
`;
