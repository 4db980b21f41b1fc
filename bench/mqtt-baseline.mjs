// Raw baseline for bench/mqtt.mjs, run as its own process (as the hub is): a bare aedes
// broker (no auth, no database) when BASELINE_BROKER_PORT is set, and one bare mqtt.js
// publisher that sends each terminal the payload on its directives topic (QoS 1) and
// records when that terminal's `acknowledged` ack comes back.
//   parent → {cmd: 'publish', ids: [...], payload: {...}}   child → {started, acks: [ms...]}
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';

const brokerPort = Number(process.env.BASELINE_BROKER_PORT ?? 0);
const url = process.env.BASELINE_URL;
let server;
if (brokerPort) {
  const aedes = await Aedes.createBroker();
  server = createServer(aedes.handle);
  await new Promise((r) => server.listen(brokerPort, '127.0.0.1', r));
}
const publisher = mqtt.connect(url, {
  clientId: `baseline-${randomUUID().slice(0, 8)}`,
  username: process.env.BASELINE_USERNAME,
  password: process.env.BASELINE_PASSWORD,
  protocolVersion: 4,
  clean: true,
  reconnectPeriod: 1000,
});
await new Promise((resolve, reject) => {
  publisher.once('connect', resolve);
  publisher.once('error', reject);
});
await publisher.subscribeAsync('yihu/v1/terminals/+/acks', { qos: 1 });
let started = 0;
let expected = 0;
const acks = [];
const waiting = new Set();
publisher.on('message', (_topic, payload) => {
  const ack = JSON.parse(payload.toString());
  if (ack.state !== 'acknowledged' || !waiting.delete(ack.messageId)) return;
  acks.push(Date.now() - started);
  if (acks.length === expected) process.send({ started, acks });
});
process.send({ ready: true });
process.on('message', (msg) => {
  if (msg.cmd !== 'publish') return;
  expected = msg.ids.length;
  started = Date.now();
  for (const id of msg.ids) {
    const messageId = randomUUID();
    waiting.add(messageId);
    publisher.publish(`yihu/v1/terminals/${id}/directives`, JSON.stringify({ ...msg.payload, messageId }), {
      qos: 1,
    });
  }
});
// a clean exit on SIGTERM, so --cpu-prof (BENCH_PROFILE) writes its profile
process.on('SIGTERM', () => process.exit(0));
