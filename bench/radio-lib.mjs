// Helpers for bench/radio.mjs: provisioning over REST, CPU of a process tree, percentiles,
// and the bare baseline (a bare aedes for control and a plain Node UDP relay for the audio).
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import { api } from './http.mjs';
import { freePort } from './hub.mjs';

export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
};
export const fmt = (v) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
export const p50p95 = (xs) => `p50 ${fmt(pct(xs, 50))}, p95 ${fmt(pct(xs, 95))} (n=${xs.length})`;
export const ratio = (a, b) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : 'n/a';

/** utime + stime of a process and all its descendants (mediasoup workers), in ms */
export function treeCpuMs(rootPid) {
  const procs = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone meanwhile
    }
  }
  let ticks = 0;
  const todo = [rootPid];
  while (todo.length) {
    const pid = todo.pop();
    ticks += procs.get(pid)?.ticks ?? 0;
    for (const [child, p] of procs) if (p.ppid === pid) todo.push(child);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** the machine's busy and total CPU time so far (all cores), in ms */
export function machineCpuMs() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = f[3] + (f[4] ?? 0);
  return { busy: (total - idle) * 10, total: total * 10 };
}

/** radio terminals provisioned over REST, `parallel` at a time */
export async function provisionRadios(base, token, siteId, count, prefix, parallel = 6) {
  const out = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t = await api(base, 'POST', '/api/v1/terminals', token, {
        name: `${prefix}-${i}`,
        siteId,
        kind: 'radio',
      });
      out[i] = { id: t.id, secret: t.secret };
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return out;
}

export async function talkgroup(base, token, name, siteId, gatewayIds) {
  return (await api(base, 'POST', '/api/v1/talkgroups', token, { name, siteId, gatewayIds })).id;
}

const cmdTopic = (id) => `yihu/v1/terminals/${id}/radio/cmd`;

/**
 * The bare baseline: what a minimal "hub" does for one talker and one listener. A bare aedes
 * (no auth, no database) answers each join with a `media` command pointing at one plain UDP
 * socket, which forwards every packet from `talker` to `listener`; the talker's COR up/down
 * keys/unkeys the listener at once (no floor rules, no bus, no SFU).
 */
export async function startBareBaseline() {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  const relay = createSocket('udp4');
  await new Promise((r) => relay.bind(0, '127.0.0.1', r));
  const relayPort = relay.address().port;
  const pair = { talker: null, listener: null };
  const addr = new Map();
  let txn = 0;
  const cmd = (id, body) =>
    aedes.publish(
      {
        cmd: 'publish',
        topic: cmdTopic(id),
        payload: Buffer.from(JSON.stringify(body)),
        qos: 1,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
  relay.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    const from = [...addr.entries()].find(([, a]) => a === key)?.[0];
    if (from !== pair.talker || !addr.has(pair.listener)) return;
    const [host, p] = addr.get(pair.listener).split(':');
    relay.send(msg, Number(p), host);
  });
  aedes.on('publish', (packet, client) => {
    if (!client) return;
    const m = /^yihu\/v1\/terminals\/([^/]+)\/radio\/(join|state)$/.exec(packet.topic);
    if (!m) return;
    const [, id, leaf] = m;
    if (leaf === 'join')
      return cmd(id, {
        type: 'media',
        host: '127.0.0.1',
        port: relayPort,
        codec: 'PCMA',
        payloadType: 8,
        clockRate: 8000,
      });
    if (id !== pair.talker || !pair.listener) return;
    const { cor } = JSON.parse(packet.payload.toString());
    if (cor)
      cmd(pair.listener, {
        type: 'key',
        transmissionId: `bare-${++txn}`,
        talker: { kind: 'gateway', name: 'A' },
      });
    else cmd(pair.listener, { type: 'unkey', transmissionId: `bare-${txn}`, reason: 'ended' });
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    /** the relay learns each gateway's RTP address from its local port */
    connect(talkerId, talkerPort, listenerId, listenerPort) {
      pair.talker = talkerId;
      pair.listener = listenerId;
      addr.set(talkerId, `127.0.0.1:${talkerPort}`);
      addr.set(listenerId, `127.0.0.1:${listenerPort}`);
    },
    async stop() {
      relay.close();
      await new Promise((r) => aedes.close(r));
      await new Promise((r) => server.close(r));
    },
  };
}
