import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { connectPacket, describeMqtt, type DeviceContext, mqttInput, type MqttInput } from './mqtt.js';
import type { Prng } from './prng.js';
import { describeRest, restInput, type RestInput, type RestOperation, type TokenSet } from './rest.js';
import { describeSocket, rawFrame, socketInput } from './socket.js';

export type Surface = 'rest' | 'socket.io' | 'raw-frames' | 'mqtt';

export interface Failure {
  surface: Surface | 'hub';
  /** e.g. `500 POST /api/v1/auth/login`, `ack internal error sfu:join` */
  problem: string;
  input: string;
  tags: string[];
  requestId?: string;
}

/** What a run found: counts per surface, and every failure with its input. */
export class FuzzLog {
  readonly failures: Failure[] = [];
  readonly counts: Record<Surface, number> = { rest: 0, 'socket.io': 0, 'raw-frames': 0, mqtt: 0 };
  readonly ms: Record<Surface, number> = { rest: 0, 'socket.io': 0, 'raw-frames': 0, mqtt: 0 };
  /** outcomes that are not failures, by kind (statuses, closes, timeouts), for the printed summary */
  readonly outcomes = new Map<string, number>();

  note(kind: string): void {
    this.outcomes.set(kind, (this.outcomes.get(kind) ?? 0) + 1);
  }

  fail(f: Failure): void {
    this.failures.push(f);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `count` jobs on `concurrency` workers; jobs are generated in order, so a seed replays them. */
async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

/** Every `id` in a 2xx answer joins the pool of path parameters, except the ones the run relies on. */
function harvest(body: unknown, ids: string[], keep: ReadonlySet<string>, rng: Prng): void {
  const items = Array.isArray(body) ? body.slice(0, 20) : [body];
  for (const item of items) {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || keep.has(id) || ids.includes(id)) continue;
    if (ids.length < 300) ids.push(id);
    else ids[rng.int(0, ids.length - 1)] = id;
  }
}

export interface RestRun {
  baseUrl: string;
  ops: RestOperation[];
  count: number;
  concurrency: number;
  ids: string[];
  /** ids the run must not disable or revoke (its own users and terminals) */
  keep: ReadonlySet<string>;
  tokens: TokenSet;
  check(): Promise<void>;
}

// fetch's errors come from Node's own realm, not the test's, so `instanceof Error` is false
// for them under Jest: an error is returned tagged, never told apart by its class
async function send(
  baseUrl: string,
  input: RestInput,
): Promise<{ status: number; body: unknown } | { error: Error }> {
  try {
    const res = await fetch(`${baseUrl}${input.url}`, {
      method: input.method,
      headers: input.headers,
      body: input.body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  } catch (err) {
    return { error: err as Error };
  }
}

export async function fuzzRest(rng: Prng, run: RestRun, log: FuzzLog): Promise<void> {
  const started = Date.now();
  await pool(run.count, run.concurrency, async (i) => {
    const op = i < run.ops.length ? run.ops[i]! : rng.pick(run.ops);
    const input = restInput(rng, i, op, run.ids, run.tokens);
    const result = await send(run.baseUrl, input);
    log.counts.rest++;
    if ('error' in result) {
      const reason = (result.error.cause as Error | undefined)?.message ?? result.error.message;
      // a body beyond the limit may be answered 413 while the client is still writing
      if (input.tags.includes('huge') && !/timeout|aborted/i.test(reason))
        return log.note('rest: closed on a huge body');
      return log.fail({
        surface: 'rest',
        problem: `no answer (${reason}) ${input.op}`,
        input: describeRest(input),
        tags: input.tags,
      });
    }
    log.note(`rest ${result.status}`);
    if (result.status >= 500) {
      log.fail({
        surface: 'rest',
        problem: `${result.status} ${input.op}`,
        input: describeRest(input),
        tags: [...input.tags, `token:${input.token}`],
        requestId: (result.body as { requestId?: string } | null)?.requestId,
      });
    } else if (result.status < 300) harvest(result.body, run.ids, run.keep, rng);
    if (i % 1_000 === 999) await run.check();
  });
  log.ms.rest = Date.now() - started;
}

export interface SocketRun {
  baseUrl: string;
  count: number;
  ids: string[];
  clients: { ns: '/' | '/sfu'; token: string }[];
  /** tokens that must be refused at the handshake, or not crash it */
  badAuth: unknown[];
  check(): Promise<void>;
}

function openSocket(baseUrl: string, ns: string, auth: unknown): Promise<Socket | Error> {
  const socket = io(`${baseUrl}${ns}`, {
    auth: auth as Record<string, unknown>,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err);
    });
  });
}

export async function fuzzSocketIo(rng: Prng, run: SocketRun, log: FuzzLog): Promise<void> {
  const started = Date.now();
  // handshakes: every bad token is refused, none crashes the middleware
  for (const [n, auth] of run.badAuth.entries()) {
    const ns = n % 2 ? '/sfu' : '/';
    const result = await openSocket(run.baseUrl, ns, auth);
    log.counts['socket.io']++;
    if (result instanceof Error) log.note(`socket.io handshake refused: ${result.message.slice(0, 60)}`);
    else {
      result.close();
      log.fail({
        surface: 'socket.io',
        problem: `bad token accepted on ${ns}`,
        input: JSON.stringify(auth).slice(0, 300),
        tags: [],
      });
    }
  }
  const perClient = Math.ceil(run.count / run.clients.length);
  await Promise.all(
    run.clients.map(async ({ ns, token }, c) => {
      const crng = rng.fork(c);
      let socket: Socket | undefined;
      let refused = 0;
      for (let i = 0; i < perClient; i++) {
        if (!socket?.connected) {
          const opened = await openSocket(run.baseUrl, ns, { token });
          if (opened instanceof Error) {
            // a cap on sockets per user (another fix) may refuse a reconnect for a while
            log.note(`socket.io reconnect refused: ${opened.message.slice(0, 60)}`);
            if (++refused > 50)
              return log.fail({
                surface: 'socket.io',
                problem: `cannot reconnect to ${ns}: ${opened.message}`,
                input: '',
                tags: [],
              });
            await sleep(200);
            i--;
            continue;
          }
          socket = opened;
          socket.on('exception', (e: { message?: string }) => {
            if (/internal/i.test(String(e?.message)))
              log.fail({
                surface: 'socket.io',
                problem: `exception event on ${ns}: ${e.message}`,
                input: '(the event before it)',
                tags: [],
              });
          });
        }
        const input = socketInput(crng, i, ns, run.ids);
        log.counts['socket.io']++;
        const s = socket;
        if (!input.withAck || !input.known || input.tags.includes('huge')) {
          s.emit(input.event, ...input.args);
          if (input.tags.includes('huge')) {
            await Promise.race([new Promise((r) => s.once('disconnect', r)), sleep(3_000)]);
            log.note(s.connected ? 'socket.io huge: kept' : 'socket.io huge: disconnected');
          }
          continue;
        }
        const disconnected = new Promise<'disconnected'>((r) =>
          s.once('disconnect', () => r('disconnected')),
        );
        const answer = await Promise.race([
          s
            .timeout(15_000)
            .emitWithAck(input.event, ...input.args)
            .catch(() => 'timeout' as const),
          disconnected,
        ]);
        if (answer === 'disconnected') {
          log.note('socket.io: disconnected by the server');
          continue;
        }
        const shapeOk =
          answer !== null &&
          typeof answer === 'object' &&
          typeof (answer as { ok?: unknown }).ok === 'boolean';
        const err = (answer as { error?: unknown } | null)?.error;
        if (answer === 'timeout')
          log.fail({
            surface: 'socket.io',
            problem: `no ack for ${input.event}`,
            input: describeSocket(ns, input),
            tags: input.tags,
          });
        else if (!shapeOk)
          log.fail({
            surface: 'socket.io',
            problem: `ack not {ok,...} for ${input.event}`,
            input: describeSocket(ns, input),
            tags: input.tags,
          });
        else if ((answer as { ok: boolean }).ok === false && /internal/i.test(String(err)))
          log.fail({
            surface: 'socket.io',
            problem: `ack "${String(err)}" for ${input.event}`,
            input: describeSocket(ns, input),
            tags: input.tags,
          });
        else log.note(`socket.io ack ok=${(answer as { ok: boolean }).ok}`);
        if (i % 500 === 499) await run.check();
      }
      socket?.close();
    }),
  );
  log.ms['socket.io'] = Date.now() - started;
}

export interface RawRun {
  baseUrl: string;
  count: number;
  workers: number;
  ids: string[];
  token: string;
  check(): Promise<void>;
}

function openRaw(baseUrl: string): Promise<WebSocket | Error> {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
  return new Promise((resolve) => {
    ws.once('message', () => resolve(ws));
    ws.once('error', (err) => resolve(err));
    ws.on('message', (data) => {
      // engine.io ping: answered, or the server closes the connection after pingTimeout
      if (data.toString() === '2') ws.send('3');
    });
  });
}

/** Engine.IO polling, where a malformed request is an HTTP request: its status must stay below 500. */
async function rawPolling(rng: Prng, baseUrl: string, log: FuzzLog): Promise<void> {
  const sid = rng.chance(0.5)
    ? (/"sid":"([^"]+)"/.exec(
        await (await fetch(`${baseUrl}/socket.io/?EIO=4&transport=polling`)).text(),
      )?.[1] ?? 'x')
    : rng.pick(['x', '', 'a'.repeat(500), '%00']);
  const query = rng.pick([
    `EIO=4&transport=polling&sid=${sid}`,
    'EIO=3&transport=polling',
    'EIO=5&transport=polling',
    'EIO=4&transport=flash',
    `EIO=4&transport=polling&sid=${sid}&sid=y`,
    'EIO=4&transport=websocket',
    'EIO=%zz',
  ]);
  const body = rng.pick([
    '40',
    '4',
    '42["x"]',
    '\u001e\u001e',
    rng.bytes(64).toString('latin1'),
    'x'.repeat(2_000_000),
    '',
  ]);
  const method = rng.pick(['GET', 'POST', 'POST', 'PUT', 'OPTIONS']);
  try {
    const res = await fetch(`${baseUrl}/socket.io/?${query}`, {
      method,
      body: method === 'GET' || method === 'OPTIONS' ? undefined : body,
      headers: {
        'content-type': rng.pick([
          'text/plain;charset=UTF-8',
          'application/octet-stream',
          'application/json',
        ]),
      },
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    log.note(`raw polling ${res.status}`);
    if (res.status >= 500)
      log.fail({
        surface: 'raw-frames',
        problem: `${res.status} ${method} /socket.io/?${query.slice(0, 40)}`,
        input: JSON.stringify(body.slice(0, 200)),
        tags: [],
      });
  } catch {
    log.note('raw polling: connection closed');
  }
}

export async function fuzzRawFrames(rng: Prng, run: RawRun, log: FuzzLog): Promise<void> {
  const started = Date.now();
  const perWorker = Math.ceil(run.count / run.workers);
  await Promise.all(
    Array.from({ length: run.workers }, async (_, w) => {
      const wrng = rng.fork(100 + w);
      let ws: WebSocket | undefined;
      for (let i = 0; i < perWorker; i++) {
        log.counts['raw-frames']++;
        if (i % 20 === 19) {
          await rawPolling(wrng, run.baseUrl, log);
          continue;
        }
        if (!ws || ws.readyState !== WebSocket.OPEN) {
          const opened = await openRaw(run.baseUrl);
          if (opened instanceof Error) {
            log.fail({
              surface: 'raw-frames',
              problem: `cannot open a WebSocket: ${opened.message}`,
              input: '',
              tags: [],
            });
            return;
          }
          ws = opened;
          ws.send(wrng.chance(0.5) ? `40{"token":"${run.token}"}` : `40/sfu,{"token":"${run.token}"}`);
        }
        const frame = rawFrame(wrng, run.ids, run.token);
        await new Promise<void>((r) => ws!.send(frame, () => r()));
        if (i % 10 === 0) await sleep(1);
        if (i % 500 === 499) await run.check();
      }
      ws?.close();
    }),
  );
  log.ms['raw-frames'] = Date.now() - started;
}

export interface MqttRun {
  host: string;
  port: number;
  count: number;
  /** one device per worker: a session taken over by a second connection would end the first */
  devices: DeviceContext[];
  check(): Promise<void>;
}

interface Conn {
  socket: TcpSocket;
  closed: boolean;
  received: Buffer[];
}

function openTcp(host: string, port: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port }, () => resolve(conn));
    const conn: Conn = { socket, closed: false, received: [] };
    socket.on('data', (d: Buffer) => conn.received.push(d));
    socket.on('close', () => (conn.closed = true));
    socket.on('error', (err) => (conn.closed ? undefined : reject(err)));
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) return false;
    await sleep(2);
  }
  return true;
}

async function deviceConnection(host: string, port: number, d: DeviceContext): Promise<Conn | string> {
  const conn = await openTcp(host, port);
  conn.socket.write(connectPacket({ clientId: d.id, username: d.id, password: d.secret, keepAlive: 60 }));
  if (!(await waitFor(() => Buffer.concat(conn.received).length >= 4 || conn.closed, 10_000)))
    return 'no CONNACK';
  const connack = Buffer.concat(conn.received);
  conn.received.length = 0;
  if (connack[0] !== 0x20 || connack[3] !== 0) {
    conn.socket.destroy();
    return `CONNACK ${connack.subarray(0, 4).toString('hex')}`;
  }
  return conn;
}

function write(conn: Conn, input: MqttInput): void {
  for (const chunk of input.chunks) if (!conn.closed) conn.socket.write(chunk);
}

export async function fuzzMqtt(rng: Prng, run: MqttRun, log: FuzzLog): Promise<void> {
  const started = Date.now();
  const perWorker = Math.ceil(run.count / run.devices.length);
  await Promise.all(
    run.devices.map(async (device, w) => {
      const wrng = rng.fork(200 + w);
      let session: Conn | undefined;
      for (let i = 0; i < perWorker; i++) {
        const input = mqttInput(wrng, i, device);
        log.counts.mqtt++;
        try {
          if (!input.authenticated) {
            const conn = await openTcp(run.host, run.port);
            write(conn, input);
            await waitFor(() => conn.closed, 60);
            log.note(conn.closed ? `mqtt ${input.kind}: closed` : `mqtt ${input.kind}: open`);
            conn.socket.destroy();
            continue;
          }
          if (!session || session.closed) {
            const opened = await deviceConnection(run.host, run.port, device);
            if (typeof opened === 'string') {
              log.fail({
                surface: 'mqtt',
                problem: `a provisioned device cannot connect: ${opened}`,
                input: describeMqtt(input),
                tags: input.tags,
              });
              return;
            }
            session = opened;
          }
          write(session, input);
          await waitFor(() => session!.closed, 15);
          // a truncated packet would swallow the next input's bytes: start afresh
          if (/truncated|bad-remaining-length|random-bytes/.test(input.kind)) session.socket.destroy();
          log.note(session.closed ? `mqtt ${input.kind}: closed` : `mqtt ${input.kind}: kept`);
        } catch (err) {
          log.fail({
            surface: 'mqtt',
            problem: `connection failed: ${(err as Error).message}`,
            input: describeMqtt(input),
            tags: input.tags,
          });
          await sleep(100);
        }
        if (i % 500 === 499) await run.check();
      }
      session?.socket.destroy();
    }),
  );
  log.ms.mqtt = Date.now() - started;
}
