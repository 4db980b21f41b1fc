// Many simulated push terminals in one process (forked by bench/chaos/run.mjs), each a
// mqtt.js client behaving as docs/device-protocol-v1.md asks: persistent session, subscribe,
// retained `online`, Will `offline`, `received` for each new messageId, 签收 after a random
// delay for some, repeats of a messageId dropped. Every display and every 签收 the broker
// took (PUBACK) is appended to a history file, one JSON object a line.
import { appendFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { rng } from './random.mjs';

let history = [];
let file;
const clients = [];
let random;
let config;

const now = () => Date.now();
function record(entry) {
  history.push(JSON.stringify(entry));
}
function flush() {
  if (history.length && file) appendFileSync(file, history.join('\n') + '\n');
  history = [];
}
setInterval(flush, 500).unref();

function topics(id) {
  return {
    directives: `yihu/v1/terminals/${id}/directives`,
    acks: `yihu/v1/terminals/${id}/acks`,
    status: `yihu/v1/terminals/${id}/status`,
  };
}

function startTerminal(t) {
  const tp = topics(t.id);
  /** messageId → the latest ack (duty 3: a duplicate gets it again) */
  const seen = new Map();
  const client = mqtt.connect(config.url, {
    clientId: t.id,
    username: t.id,
    password: t.secret,
    clean: false,
    protocolVersion: 4,
    keepalive: 30,
    reconnectPeriod: 1000 + Math.floor(random() * 4000),
    connectTimeout: 10_000,
    will: { topic: tp.status, payload: Buffer.from('offline'), qos: 1, retain: true },
  });
  const state = { t, client, seen, connectedOnce: false };
  client.on('error', () => undefined);
  client.on('connect', (connack) => {
    state.connectedOnce = true;
    // for a post-mortem: which connection a terminal was on, and whether the broker kept its session
    record({ k: 'conn', t: t.id, sp: connack.sessionPresent, at: now() });
    // a broker that restarted forgot the session: subscribe on every connect, then say online
    client.subscribe(tp.directives, { qos: 1 }, (err, granted) => {
      if (err || granted?.[0]?.qos === 128)
        record({ k: 'subfail', t: t.id, err: String(err ?? 128), at: now() });
      client.publish(tp.status, 'online', { qos: 1, retain: true }, () => undefined);
    });
  });
  client.on('message', (topic, payload) => {
    if (topic !== tp.directives) return;
    let m;
    try {
      m = JSON.parse(payload.toString());
    } catch {
      record({ k: 'bad', t: t.id, at: now() });
      return;
    }
    const latest = seen.get(m.messageId);
    if (latest) {
      record({ k: 'repeat', t: t.id, m: m.messageId, d: m.directiveId, at: now() });
      client.publish(tp.acks, latest, { qos: 1 }, () => undefined);
      return;
    }
    const ack = (state2, at = new Date()) =>
      JSON.stringify({ messageId: m.messageId, state: state2, at: at.toISOString() });
    seen.set(m.messageId, ack('received'));
    record({
      k: 'show',
      t: t.id,
      s: t.siteId,
      m: m.messageId,
      d: m.directiveId,
      exp: m.expiresAt,
      at: now(),
    });
    client.publish(tp.acks, seen.get(m.messageId), { qos: 1 }, () => undefined);
    if (random() < config.ackProbability) {
      const delay = 1000 + Math.floor(random() * config.ackDelayMs);
      setTimeout(() => {
        const sentAt = now();
        seen.set(m.messageId, ack('acknowledged', new Date(sentAt)));
        // the 签收 counts as sent once the broker took it (PUBACK); mqtt.js resends it after a
        // reconnect, and a lost one is healed by the hub's replay and duty 3 above
        client.publish(tp.acks, seen.get(m.messageId), { qos: 1 }, (err) => {
          if (!err)
            record({ k: 'ack', t: t.id, s: t.siteId, m: m.messageId, d: m.directiveId, sentAt, at: now() });
        });
      }, delay).unref();
    }
  });
  clients.push(state);
}

/** a wave: drop a share of the links abruptly (the Will fires), back after `outageMs` */
function drop(fraction, outageMs) {
  let n = 0;
  for (const c of clients) {
    if (random() >= fraction || !c.client.connected) continue;
    n += 1;
    const period = c.client.options.reconnectPeriod;
    c.client.options.reconnectPeriod = outageMs + Math.floor(random() * 2000);
    c.client.stream.destroy();
    setTimeout(() => (c.client.options.reconnectPeriod = period), outageMs + 3000).unref();
  }
  return n;
}

process.on('message', async (msg) => {
  if (msg.cmd === 'start') {
    config = msg;
    file = msg.file;
    random = rng(msg.seed);
    for (let i = 0; i < msg.terminals.length; i++) {
      startTerminal(msg.terminals[i]);
      // spread the CONNECTs: Mosquitto and the bridges' presence batches take them better
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
    }
    process.send({ id: msg.id, ok: true });
  } else if (msg.cmd === 'drop') {
    process.send({ id: msg.id, dropped: drop(msg.fraction, msg.outageMs) });
  } else if (msg.cmd === 'status') {
    flush();
    process.send({ id: msg.id, connected: clients.filter((c) => c.client.connected).length });
  } else if (msg.cmd === 'stop') {
    flush();
    await Promise.all(clients.map((c) => c.client.endAsync(true).catch(() => undefined)));
    flush();
    process.send({ id: msg.id, ok: true });
    process.exit(0);
  }
});
