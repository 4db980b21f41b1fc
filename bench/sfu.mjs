// SFU benchmark (issue 5, "Performance"). Not a test: it prints figures.
//
//   npm run bench:sfu
//   BENCH_STEP=100 BENCH_WINDOW_MS=3000 BENCH_MAX=3000 npm run bench:sfu   # the defaults
//
// One mediasoup worker, loaded with synthetic RTP producers (4 participants, each an opus
// microphone at 50 packets/s and a VP8 camera at 30 frames/s, ~530 kbit/s) fed into
// PlainTransports by a generator in this process. Consumers are added in steps, each on its
// own PlainTransport sending to a UDP sink here, until more than 1% of the packets the
// consumers should have forwarded are missing, or the worker uses 95% of a core.
// Baseline in the same run: a bare Node.js UDP relay (a child process) forwarding the same
// streams to the same number of destinations, no RTP processing at all.
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as mediasoup from 'mediasoup';

const STEP = Number(process.env.BENCH_STEP ?? 100);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 3000);
const MAX = Number(process.env.BENCH_MAX ?? 3000);
const PARTICIPANTS = 4;
const PUBLISHED = 500; // mediasoup's documentation: "about 500 consumers per worker"
const TICKS = 100; // /proc CPU ticks per second (USER_HZ on Linux)

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
}

/** RTP with a fixed payload; VP8 frames start with a keyframe descriptor so any consumer syncs at once. */
function rtpPacket({ pt, seq, ts, ssrc, marker, payload }) {
  const buf = Buffer.alloc(12 + payload.length);
  buf[0] = 0x80;
  buf[1] = (marker ? 0x80 : 0) | pt;
  buf.writeUInt16BE(seq & 0xffff, 2);
  buf.writeUInt32BE(ts >>> 0, 4);
  buf.writeUInt32BE(ssrc, 8);
  payload.copy(buf, 12);
  return buf;
}

function streams(count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    out.push({ kind: 'audio', pt: 100, ssrc: 1000 + i, pps: 50, seq: 0, ts: 0, sent: 0 });
    out.push({ kind: 'video', pt: 101, ssrc: 2000 + i, pps: 60, seq: 0, ts: 0, sent: 0 });
  }
  return out;
}

const AUDIO = Buffer.alloc(160, 0x55);
// VP8 payload descriptor (RFC 7741 section 4.2) with X and I set and a 15-bit picture id: mediasoup
// 3.8 parses only extended descriptors. The first packet of each frame is a keyframe (P bit 0).
const vp8 = (first, pictureId) =>
  Buffer.concat([
    Buffer.from([first ? 0x90 : 0x80, 0x80, 0x80 | ((pictureId >> 8) & 0x7f), pictureId & 0xff]),
    first ? Buffer.from([0x00, 0x9d, 0x01, 0x2a]) : Buffer.alloc(0),
    Buffer.alloc(1092, 0x33),
  ]);

/** Sends every stream at its rate, in 10 ms ticks, to `target(stream)`. */
function generate(list, socket, target) {
  let tick = 0;
  const timer = setInterval(() => {
    tick += 1;
    for (const s of list) {
      if (s.kind === 'audio' && tick % 2 === 0) {
        s.ts += 960;
        socket.send(
          rtpPacket({ pt: s.pt, seq: s.seq++, ts: s.ts, ssrc: s.ssrc, marker: false, payload: AUDIO }),
          target(s),
          '127.0.0.1',
        );
        s.sent += 1;
      }
      // 30 frames/s, two packets each: ~3.3 ticks per frame
      if (s.kind === 'video' && Math.floor((tick * 30) / 100) !== Math.floor(((tick - 1) * 30) / 100)) {
        s.ts += 3000;
        socket.send(
          rtpPacket({
            pt: s.pt,
            seq: s.seq++,
            ts: s.ts,
            ssrc: s.ssrc,
            marker: false,
            payload: vp8(true, s.ts / 3000),
          }),
          target(s),
          '127.0.0.1',
        );
        socket.send(
          rtpPacket({
            pt: s.pt,
            seq: s.seq++,
            ts: s.ts,
            ssrc: s.ssrc,
            marker: true,
            payload: vp8(false, s.ts / 3000),
          }),
          target(s),
          '127.0.0.1',
        );
        s.sent += 2;
      }
    }
  }, 10);
  return () => clearInterval(timer);
}

async function main() {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    ],
  });
  const list = streams(PARTICIPANTS);
  const producers = [];
  for (const s of list) {
    const transport = await router.createPlainTransport({
      listenIp: { ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: true,
    });
    const codec =
      s.kind === 'audio'
        ? { mimeType: 'audio/opus', payloadType: s.pt, clockRate: 48000, channels: 2 }
        : { mimeType: 'video/VP8', payloadType: s.pt, clockRate: 90000 };
    const producer = await transport.produce({
      kind: s.kind,
      rtpParameters: { codecs: [codec], encodings: [{ ssrc: s.ssrc }] },
    });
    s.port = transport.tuple.localPort;
    producers.push({ producer, stream: s });
  }
  const gen = createSocket('udp4');
  await new Promise((r) => gen.bind(0, '127.0.0.1', r));
  const stop = generate(list, gen, (s) => s.port);

  // the sink counts what each consumer forwards, by the consumer's SSRC; one socket per 25
  // consumers so no single kernel receive buffer (rmem_max) overflows while this process is busy
  const received = new Map();
  const sinks = [];
  const sinkFor = async (i) => {
    const k = Math.floor(i / 25);
    if (!sinks[k]) {
      const sink = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
      await new Promise((r) => sink.bind(0, '127.0.0.1', r));
      sink.on('message', (msg) => {
        if (msg.length < 12 || (msg[1] >= 192 && msg[1] <= 223)) return; // RTCP (RFC 5761 section 4)
        const ssrc = msg.readUInt32BE(8);
        received.set(ssrc, (received.get(ssrc) ?? 0) + 1);
      });
      sinks[k] = sink;
    }
    return sinks[k].address().port;
  };
  const consumers = [];
  const addConsumers = async (n) => {
    for (let i = 0; i < n; i++) {
      const { producer, stream } = producers[consumers.length % producers.length];
      const transport = await router.createPlainTransport({
        listenIp: { ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
      });
      await transport.connect({ ip: '127.0.0.1', port: await sinkFor(consumers.length) });
      const consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: router.rtpCapabilities,
      });
      consumers.push({ consumer, stream, ssrc: consumer.rtpParameters.encodings[0].ssrc });
    }
  };

  /** One measurement window: worker CPU (share of one core) and the loss across all consumers. */
  const measure = async () => {
    await new Promise((r) => setTimeout(r, 1000)); // let new consumers settle
    const sentBefore = new Map(list.map((s) => [s, s.sent]));
    const recvBefore = new Map(consumers.map((c) => [c.ssrc, received.get(c.ssrc) ?? 0]));
    const cpu0 = cpuSeconds(worker.pid);
    const self0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = (cpuSeconds(worker.pid) - cpu0) / secs;
    const self = process.cpuUsage(self0);
    const benchCpu = (self.user + self.system) / 1e6 / secs;
    let expected = 0;
    let got = 0;
    for (const c of consumers) {
      expected += c.stream.sent - sentBefore.get(c.stream);
      got += (received.get(c.ssrc) ?? 0) - recvBefore.get(c.ssrc);
    }
    const loss = expected ? Math.max(0, 1 - got / expected) : 0;
    return { consumers: consumers.length, cpu, loss, pps: got / secs, benchCpu };
  };

  console.log(
    `SFU benchmark: one mediasoup ${mediasoup.version} worker, ${PARTICIPANTS} synthetic participants (opus 50 pkt/s + VP8 60 pkt/s, ~530 kbit/s)`,
  );
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('consumers  worker CPU  forwarded pkt/s  loss    generator+sink CPU (this process)');
  const rows = [await measure()];
  const show = (r) =>
    console.log(
      `${String(r.consumers).padStart(9)}  ${(r.cpu * 100).toFixed(1).padStart(9)}%  ${r.pps.toFixed(0).padStart(15)}  ${(r.loss * 100).toFixed(2).padStart(5)}%  ${(r.benchCpu * 100).toFixed(1)}%`,
    );
  show(rows[0]);
  let limit = 'the step limit (BENCH_MAX)';
  while (consumers.length < MAX) {
    await addConsumers(STEP);
    const r = await measure();
    rows.push(r);
    show(r);
    if (r.loss > 0.01) {
      limit = 'loss above 1%';
      break;
    }
    if (r.cpu > 0.95) {
      limit = 'the worker saturating its core';
      break;
    }
  }
  stop();
  const ok = rows.filter((r) => r.loss <= 0.01 && r.cpu <= 0.95);
  const best = ok.at(-1);
  const last = rows.at(-1);
  const idle = rows[0];
  const perConsumer = (best.cpu - idle.cpu) / best.consumers;
  const avgPps = best.pps / best.consumers;
  worker.close();
  gen.close();
  sinks.forEach((x) => x.close());

  // raw baseline: the same packets relayed to the same number of destinations by bare Node.js
  const raw = await runRelay(best.consumers, list.length);
  const rawPerStream = raw.cpu / best.consumers;

  console.log('');
  console.log(
    `stopped at: ${limit} (at ${last.consumers} consumers; worker ${(last.cpu * 100).toFixed(1)}%, generator+sink ${(last.benchCpu * 100).toFixed(1)}% of a core)`,
  );
  console.log(
    `max consumers per worker (loss <= 1%, CPU <= 95%): ${best.consumers} (mediasoup publishes ~${PUBLISHED}; ratio ${(best.consumers / PUBLISHED).toFixed(2)})`,
  );
  console.log(
    `worker CPU per consumer: ${(perConsumer * 100).toFixed(3)}% of a core (${avgPps.toFixed(0)} pkt/s each); extrapolated to a full core: ${Math.floor((1 - idle.cpu) / perConsumer)} consumers`,
  );
  console.log(
    `raw baseline, bare Node.js UDP relay to ${best.consumers} destinations: ${(raw.cpu * 100).toFixed(1)}% of a core, ${(rawPerStream * 100).toFixed(3)}% per destination, loss ${(raw.loss * 100).toFixed(2)}%`,
  );
  console.log(`ratio mediasoup / raw relay CPU per stream: ${(perConsumer / rawPerStream).toFixed(2)}`);
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  process.exit(0);
}

/** Starts the relay child, feeds it, and measures its CPU and loss over one window. */
async function runRelay(destinations, streamCount) {
  const child = fork(new URL(import.meta.url).pathname, ['relay'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const sink = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  await new Promise((r) => sink.bind(0, '127.0.0.1', r));
  let got = 0;
  sink.on('message', () => (got += 1));
  child.send({ destinations, sinkPort: sink.address().port });
  const port = await new Promise((r) => child.once('message', (m) => r(m.port)));
  const list = streams(PARTICIPANTS).slice(0, streamCount);
  const gen = createSocket('udp4');
  await new Promise((r) => gen.bind(0, '127.0.0.1', r));
  const stop = generate(list, gen, () => port);
  await new Promise((r) => setTimeout(r, 1000));
  const sent0 = list.reduce((n, s) => n + s.sent, 0);
  const got0 = got;
  const cpu0 = cpuSeconds(child.pid);
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = (cpuSeconds(child.pid) - cpu0) / secs;
  const sent = list.reduce((n, s) => n + s.sent, 0) - sent0;
  const received = got - got0;
  stop();
  child.kill();
  gen.close();
  sink.close();
  const want = sent * Math.round(destinations / list.length);
  return { cpu, loss: want ? Math.max(0, 1 - received / want) : 0 };
}

/** The child: fans each incoming packet out to its share of destinations (one UDP socket). */
async function relay() {
  const { destinations, sinkPort } = await new Promise((r) => process.once('message', r));
  const socket = createSocket('udp4');
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  // the consumers were spread evenly over the 2 * PARTICIPANTS streams
  const copies = Math.round(destinations / (2 * PARTICIPANTS));
  socket.on('message', (msg) => {
    for (let i = 0; i < copies; i++) socket.send(msg, sinkPort, '127.0.0.1');
  });
  process.send({ port: socket.address().port });
}

if (process.argv[2] === 'relay') await relay();
else await main();
