/**
 * The thread that runs PGlite and its socket server (see EmbeddedPostgres). Plain
 * JavaScript in a string, evaluated by `new Worker(..., { eval: true })`: the same text
 * runs from the build and from the TypeScript sources under jest, where a worker file
 * path would name a .ts file that Node cannot load. It requires PGlite's CommonJS builds
 * by the absolute paths the parent resolved.
 *
 * parent → worker: workerData {pglite, socket, dataPath, socketPath, warmUp, trace, lanePort}; then 'stop';
 * {ping: n} at any time (EmbeddedPostgres.probe).
 * worker → parent: {ready: true} | {error: message} | {stopped: true} | {pong: n, answered, inRequest}.
 * On lanePort (see StatementLane): parent → worker {name, sql, max, columns, scalars?}; worker →
 * parent {name, count, rows} | {name, count, error}.
 */
export const EMBEDDED_POSTGRES_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite, protocol, parse } = require(workerData.pglite);
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
// --- the statement lane -------------------------------------------------------------------
// Columnar batch statements posted by the main thread run here, back to back, without a
// round trip through the main thread's event loop per statement: during a fan-out that
// loop takes hundreds of milliseconds a turn (10,000 device sockets), and every statement
// of the socket path waited for a turn to be read and for another to send the next.
// What is posted while a statement runs is merged into the next one of its name.
//
// The engine is one session shared with the socket's clients, so a lane statement runs
// only between their requests: never inside a transaction block, and never between the
// Parse and the Sync of an extended-protocol request (its unnamed statement and portal
// would be replaced; a request bigger than a socket read reaches the engine in pieces).
// The socket's queue runs each protocol message under runExclusive; so does the lane,
// checking both first. A client is in a request from its first message until a message
// whose answer ends with ReadyForQuery (after Sync, a simple query, the startup), or
// until it disconnects.
const lane = { pending: new Map(), running: false, wake: undefined };
const inRequest = new Set();
let answered = 0;
function wakeLane() {
  if (lane.wake) lane.wake();
}
// ReadyForQuery: 'Z', length 5, the transaction status
const endsWithReady = (data) =>
  data.length >= 6 && data[data.length - 6] === 0x5a && data[data.length - 5] === 0 &&
  data[data.length - 4] === 0 && data[data.length - 3] === 0 && data[data.length - 2] === 5;
function watchSocketRequests(server) {
  const queue = server.queryQueue;
  // pglite-socket's own queue (pinned in package.json): an upgrade that changes it fails here, loudly
  if (!queue || typeof queue.enqueue !== 'function' || typeof queue.clearQueueForHandler !== 'function')
    throw new Error('@electric-sql/pglite-socket has no query queue to share the session with');
  const enqueue = queue.enqueue.bind(queue);
  queue.enqueue = (handlerId, message, onData) => {
    // marked before the engine sees the message: the lane never reads a stale "between"
    inRequest.add(handlerId);
    let ready = false;
    return enqueue(handlerId, message, (data) => {
      if (data.length) ready = endsWithReady(data);
      onData(data);
    }).finally(() => {
      if (!ready) return;
      answered++;
      inRequest.delete(handlerId);
      wakeLane();
    });
  };
  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId) => {
    inRequest.delete(handlerId);
    wakeLane();
    return clear(handlerId);
  };
}
function arrayLiteral(values) {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) out += ',';
    out += v === null || v === undefined ? 'NULL' : '"' + String(v).replace(/[\\\\"]/g, '\\\\$&') + '"';
  }
  return out + '}';
}
async function laneStatement(sql, params) {
  const S = protocol.serialize;
  const messages = [];
  // the stream form: it points the engine's output at this call (the socket's last one would get it)
  const exec = async (m) => messages.push(...(await db.execProtocolStream(m, { syncToFs: false })));
  try {
    await exec(S.parse({ text: sql }));
    await exec(S.bind({ values: params }));
    await exec(S.describe({ type: 'P' }));
    await exec(S.execute({}));
  } finally {
    await exec(S.sync());
  }
  await db.syncToFs();
  return parse.parseResults(messages, db.parsers)[0].rows;
}
// YIHU_TRACE=1 (the bridge's fan-out timeline): a lane statement that waited for the socket's client
const TRACE = workerData.trace === true;
async function laneExecute(sql, params) {
  let waited;
  for (;;) {
    const done = await db.runExclusive(async () => {
      if (inRequest.size || db.isInTransaction()) {
        if (TRACE && !waited) waited = { since: Date.now(), why: inRequest.size ? 'request' : 'transaction' };
        return undefined;
      }
      if (waited) console.log('yihu-trace ' + Date.now() + ' lane.waited ' + JSON.stringify({ ms: Date.now() - waited.since, why: waited.why }));
      return { rows: await laneStatement(sql, params) };
    });
    if (done) return done.rows;
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 20);
      lane.wake = () => {
        lane.wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
function laneTake(m) {
  let p = lane.pending.get(m.name);
  if (!p)
    lane.pending.set(
      m.name,
      (p = { sql: m.sql, max: m.max, scalars: m.scalars || [], columns: m.columns.map(() => []), count: 0 }),
    );
  for (let c = 0; c < m.columns.length; c++) for (const v of m.columns[c]) p.columns[c].push(v);
  p.count += m.columns.length ? m.columns[0].length : 0;
  // not at once: the other posts already waiting on the port join this statement
  if (!lane.running) {
    lane.running = true;
    setImmediate(laneRun);
  }
}
async function laneRun() {
  try {
    while (lane.pending.size) {
      const [name, p] = lane.pending.entries().next().value;
      lane.pending.delete(name);
      const count = Math.min(p.count, p.max);
      const params = p.columns.map((c) => arrayLiteral(c.splice(0, count))).concat(p.scalars);
      p.count -= count;
      // the rest waits behind other names' statements, in arrival order
      if (p.count) lane.pending.set(name, p);
      let reply;
      try {
        reply = { name, count, rows: await laneExecute(p.sql, params) };
      } catch (err) {
        reply = { name, count, error: String((err && err.message) || err) };
      }
      workerData.lanePort.postMessage(reply);
    }
  } finally {
    lane.running = false;
  }
}

(async () => {
  db = await PGlite.create(workerData.dataPath);
  if (workerData.warmUp) await warmUp(db);
  server = new PGLiteSocketServer({ db, path: workerData.socketPath, maxConnections: 4 });
  watchSocketRequests(server);
  workerData.lanePort.on('message', laneTake);
  await server.start();
  parentPort.postMessage({ ready: true });
})().catch((err) => parentPort.postMessage({ error: String((err && err.message) || err) }));
parentPort.on('message', (msg) => {
  if (msg && msg.ping !== undefined) {
    parentPort.postMessage({ pong: msg.ping, answered, inRequest: inRequest.size });
    return;
  }
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
