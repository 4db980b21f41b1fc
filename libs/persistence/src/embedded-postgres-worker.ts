/**
 * The thread that runs PGlite and its socket server (see EmbeddedPostgres). Plain
 * JavaScript in a string, evaluated by `new Worker(..., { eval: true })`: the same text
 * runs from the build and from the TypeScript sources under jest, where a worker file
 * path would name a .ts file that Node cannot load. It requires PGlite's CommonJS builds
 * by the absolute paths the parent resolved.
 *
 * parent → worker: workerData {pglite, socket, dataPath, socketPath}; then 'stop'.
 * worker → parent: {ready: true} | {error: message} | {stopped: true}.
 */
export const EMBEDDED_POSTGRES_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
const { PGLiteSocketServer } = require(workerData.socket);
let db;
let server;
(async () => {
  db = await PGlite.create(workerData.dataPath);
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
