// Simulated radio gateways for bench/radio.mjs's capacity ramp, in their own process so the
// bench process is not what limits the hub: the agent's RadioSimulator (real MQTT to the
// hub's broker, real RTP/UDP to the SFU). Driven over IPC:
//   {cmd: 'start', url, groups: [{talker: {id, secret}, listeners: [{id, secret}…]}…]} → {ready}
//   {cmd: 'talk', count, ms, fromMs, toMs} → the first `count` groups' talkers transmit a
//     1 kHz tone for `ms`; between fromMs and toMs after the start the talkers' sent packets
//     and the listeners' received ones are counted → {sent, received, cpuMs, wallMs}
//   {cmd: 'stop'}
import { sine } from '../dist/libs/radio/src/index.js';
import { RadioSimulator } from '../dist/gateways/radio-agent/src/simulator.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let sim;
let groups = [];
const byId = new Map();
/** per listener while a window is open: packets received and the extended sequence range */
const seen = new Map();
let windowOpen = false;

/**
 * Loss as RTP receivers count it (RFC 3550 §6.4.1): expected = highest − first sequence + 1
 * within the window, so packets in flight at its edges do not count as lost or extra.
 */
function track(gw) {
  const tx = gw.agent.tx; // the agent's transmitter: every RTP packet the hub sent it, after checks
  const rtp = tx.rtp.bind(tx);
  tx.rtp = (packet) => {
    if (windowOpen) {
      const s = seen.get(gw.id) ?? { count: 0, first: null, last: 0 };
      const ext =
        s.first === null ? packet.sequence : s.last + ((((packet.sequence - s.last) & 0xffff) << 16) >> 16);
      if (s.first === null) s.first = ext;
      s.last = Math.max(s.last, ext);
      s.count++;
      seen.set(gw.id, s);
    }
    rtp(packet);
  };
}

function counts(list) {
  let sent = 0;
  let received = 0;
  for (const g of list) {
    sent += byId.get(g.talker.id).stats.media.sent;
    for (const l of g.listeners) received += byId.get(l.id).stats.media.received;
  }
  return { sent, received };
}

process.on('message', async (m) => {
  try {
    if (m.cmd === 'start') {
      groups = m.groups;
      const all = groups.flatMap((g) => [g.talker, ...g.listeners]);
      sim = new RadioSimulator({ url: m.url, gateways: all, timing: { txDelayMs: 0 } });
      await sim.start(20);
      for (const gw of sim.gateways) {
        gw.audio.maxHeard = 50; // keep a second of played audio, not ten minutes
        byId.set(gw.id, gw);
        track(gw);
      }
      // every join makes a PlainTransport, a producer and consumers to and from the others
      const deadline = Date.now() + 300_000;
      const waiting = () => sim.gateways.filter((g) => !g.events.some((e) => e.type === 'media'));
      while (waiting().length) {
        if (Date.now() > deadline)
          throw new Error(`${waiting().length} gateways got no media command within 300 s`);
        await sleep(200);
      }
      process.send({ ready: sim.gateways.length });
    } else if (m.cmd === 'talk') {
      const list = groups.slice(0, m.count);
      const tone = sine(1000, m.ms);
      const t0 = Date.now();
      const done = Promise.all(list.map((g) => byId.get(g.talker.id).transmit(tone)));
      await sleep(m.fromMs);
      seen.clear();
      windowOpen = true;
      const a = counts(list);
      const cpuA = process.cpuUsage();
      const wallA = Date.now();
      await sleep(Math.max(0, m.toMs - (Date.now() - t0)));
      const b = counts(list);
      windowOpen = false;
      const cpu = process.cpuUsage(cpuA);
      let expected = 0;
      let got = 0;
      for (const l of list.flatMap((g) => g.listeners)) {
        const x = seen.get(l.id);
        if (!x) continue;
        expected += x.last - x.first + 1;
        got += x.count;
      }
      const wallMs = Date.now() - wallA;
      await done;
      // listeners that got nothing in the window: a leg that is not working, not loss under load
      const silent = list
        .flatMap((g) => g.listeners)
        .filter((l) => !seen.has(l.id))
        .map((l) => byId.get(l.id))
        .map(
          (gw) =>
            `${gw.id} media=${gw.events.filter((e) => e.type === 'media').length} hellos=${gw.stats.media.hellos}`,
        );
      process.send({
        silent,
        expected,
        got,
        sent: b.sent - a.sent,
        received: b.received - a.received,
        listeners: list.reduce((n, g) => n + g.listeners.length, 0),
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs,
      });
    } else if (m.cmd === 'stop') {
      await sim?.stop();
      process.exit(0);
    }
  } catch (e) {
    process.send({ error: String(e?.stack ?? e) });
  }
});
