// Duty consoles (socket.io-client on /, one duty officer per site) in one process, forked by
// bench/chaos/run.mjs. Each answers the delivery receipt and 签收s some directives after a
// random delay; a 签收 the hub answered {ok: true} is appended to the history file.
import { appendFileSync } from 'node:fs';
import { io } from 'socket.io-client';
import { rng } from './random.mjs';

let history = [];
let file;
let random;
const sockets = [];
const record = (e) => history.push(JSON.stringify(e));
const flush = () => {
  if (history.length && file) appendFileSync(file, history.join('\n') + '\n');
  history = [];
};
setInterval(flush, 500).unref();

function startConsole(c, url, cfg) {
  const s = io(url, {
    auth: { token: c.token },
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: 500 + Math.floor(random() * 1500),
    reconnectionDelayMax: 5000,
    forceNew: true,
  });
  const seen = new Set();
  s.on('directive', (payload, cb) => {
    cb?.({ received: true });
    if (seen.has(payload.id)) return;
    seen.add(payload.id);
    record({ k: 'cshow', s: c.siteId, d: payload.id, at: Date.now() });
    if (random() >= cfg.ackProbability) return;
    setTimeout(
      () => {
        const sentAt = Date.now();
        s.timeout(30_000).emit('directive.ack', { directiveId: payload.id }, (err, answer) => {
          if (err) record({ k: 'cack?', s: c.siteId, d: payload.id, sentAt });
          else if (answer?.ok) record({ k: 'cack', s: c.siteId, d: payload.id, sentAt, at: Date.now() });
          else record({ k: 'cack-refused', s: c.siteId, d: payload.id, error: answer?.error, sentAt });
        });
      },
      1000 + Math.floor(random() * cfg.ackDelayMs),
    ).unref();
  });
  sockets.push(s);
}

process.on('message', async (msg) => {
  if (msg.cmd === 'start') {
    file = msg.file;
    random = rng(msg.seed);
    for (let i = 0; i < msg.consoles.length; i++) {
      startConsole(msg.consoles[i], msg.urls[i % msg.urls.length], msg);
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 50));
    }
    process.send({ id: msg.id, ok: true });
  } else if (msg.cmd === 'status') {
    flush();
    process.send({ id: msg.id, connected: sockets.filter((s) => s.connected).length });
  } else if (msg.cmd === 'stop') {
    for (const s of sockets) s.close();
    flush();
    process.send({ id: msg.id, ok: true });
    process.exit(0);
  }
});
