import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from '@jest/globals';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { pino } from 'pino';
import WebSocket from 'ws';
import { EmbeddedBroker } from '../../apps/mqtt-bridge/src/broker/embedded-broker.js';
import type { BrokerLimits } from '../../apps/mqtt-bridge/src/broker/connection-limits.js';
import type { RejectReason } from '../../apps/mqtt-bridge/src/bridge/bridge-metrics.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/terminals.js';

/**
 * The embedded broker's limits, from a client speaking raw bytes (node:net, tls, ws): a
 * packet whose fixed header declares more than the cap closes the connection before its
 * body is buffered; unauthenticated sockets are bounded per address and in all, and a
 * socket that sends no CONNECT is closed after the connect timeout.
 */
describe('EmbeddedBroker limits', () => {
  const SECRET = 'device-secret-0123456789';
  const ID = 't0123456789abcdef0123';
  let broker: EmbeddedBroker | undefined;
  const sockets: { destroy(): void }[] = [];
  let rejected: RejectReason[] = [];

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await broker?.stop();
    broker = undefined;
    rejected = [];
  });

  async function start(
    limits: Partial<BrokerLimits> = {},
    extra: { wsPort?: number; tls?: { port: number; certFile: string; keyFile: string } } = {},
  ): Promise<number> {
    const port = await freePort();
    broker = await EmbeddedBroker.start({
      host: '127.0.0.1',
      port,
      ...extra,
      logger: pino({ level: 'silent' }),
      limits,
      gate: {
        authenticate: async (_id, _user, password) =>
          password?.toString() === SECRET ? null : 'auth_failed',
        rejected: (reason) => void rejected.push(reason),
        kindOf: () => 'push',
      },
    });
    return port;
  }

  /** A raw TCP client that records what it is sent and when it is closed. */
  class Raw {
    readonly socket: Socket;
    readonly packets: Packet[] = [];
    closed = false;
    opened: Promise<void>;

    constructor(port: number, localAddress?: string) {
      this.socket = netConnect({ host: '127.0.0.1', port, localAddress });
      sockets.push(this.socket);
      this.opened = new Promise((resolve) => this.socket.once('connect', () => resolve()));
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on('packet', (p: Packet) => this.packets.push(p));
      this.socket.on('data', (chunk: Buffer) => parser.parse(chunk));
      this.socket.on('error', () => undefined);
      this.socket.on('close', () => (this.closed = true));
    }

    write(data: Buffer): Promise<void> {
      return new Promise((resolve) => {
        if (this.closed || this.socket.destroyed) return resolve();
        if (this.socket.write(data)) return resolve();
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.once('drain', done);
        this.socket.once('close', done);
      });
    }

    async connect(): Promise<void> {
      await this.write(connectPacket());
      await waitFor(() => this.packets.find((p) => p.cmd === 'connack'), 'CONNACK');
    }
  }

  /**
   * A new socket the hub closes unasked. The hub counts a socket once it has accepted it,
   * which may lag the client's connect: a socket it did not close is dropped and tried again.
   */
  async function refused(open: () => Raw, what: string): Promise<Raw> {
    const found = await waitFor(async () => {
      const r = open();
      await r.opened;
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (r.closed) return r;
      r.socket.destroy();
      return undefined;
    }, what);
    return found!;
  }

  function connectPacket(): Buffer {
    return mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: ID,
      username: ID,
      password: Buffer.from(SECRET),
      clean: true,
      keepalive: 60,
    });
  }

  /** fixed header byte, then the Remaining Length as the variable byte integer of [MQTT-2.2.3] */
  function fixedHeader(first: number, remaining: number): Buffer {
    const bytes = [first];
    do {
      let byte = remaining % 128;
      remaining = Math.floor(remaining / 128);
      if (remaining > 0) byte |= 0x80;
      bytes.push(byte);
    } while (remaining > 0);
    return Buffer.from(bytes);
  }

  /** memory the hub's process holds in buffers (mqtt-packet's buffer list keeps a packet body there) */
  const bufferMemory = () => {
    const m = process.memoryUsage();
    return m.arrayBuffers + m.heapUsed;
  };

  it('closes a connection whose CONNECT declares 250 MB at once, and buffers none of it', async () => {
    const port = await start();
    const raw = new Raw(port);
    await raw.opened;
    const before = bufferMemory();
    // a CONNECT declaring 250 MB, then its "body" trickled in 64 KB pieces, 32 MB at most
    await raw.write(fixedHeader(0x10, 250 * 1024 * 1024));
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const started = Date.now();
    let sent = 0;
    while (!raw.closed && sent < 32 * 1024 * 1024 && Date.now() - started < 10_000) {
      await raw.write(chunk);
      sent += chunk.length;
    }
    await waitFor(() => raw.closed, 'the hub to close the socket', 3000);
    expect(Date.now() - started).toBeLessThan(5000);
    // the whole 32 MB stayed in the hub without the cap; allow generous noise
    expect(bufferMemory() - before).toBeLessThan(16 * 1024 * 1024);
    expect(rejected).toContain('connect_too_large');
  });

  it('closes an authenticated connection whose PUBLISH declares 64 MB; a 16 KiB payload still goes through', async () => {
    const port = await start();
    const raw = new Raw(port);
    await raw.connect();
    expect(raw.packets.find((p) => p.cmd === 'connack')).toMatchObject({ returnCode: 0 });

    // the device payload limit is 16 KiB: such a PUBLISH (with its topic) fits under the cap
    await raw.write(
      mqttPacket.generate({
        cmd: 'publish',
        topic: `yihu/v1/terminals/${ID}/acks`,
        payload: Buffer.alloc(16 * 1024, 0x20),
        qos: 1,
        messageId: 7,
        retain: false,
        dup: false,
      }),
    );
    await waitFor(() => raw.packets.find((p) => p.cmd === 'puback'), 'PUBACK of a 16 KiB payload');
    expect(raw.closed).toBe(false);

    const topic = Buffer.from(`yihu/v1/terminals/${ID}/acks`);
    const head = Buffer.concat([
      fixedHeader(0x32, 64 * 1024 * 1024),
      Buffer.from([topic.length >> 8, topic.length & 0xff]),
      topic,
      Buffer.from([0, 8]),
    ]);
    await raw.write(Buffer.concat([head, Buffer.alloc(64 * 1024, 0x42)]));
    await waitFor(() => raw.closed, 'the hub to close the socket', 3000);
    expect(rejected).toContain('packet_too_large');
  });

  it('refuses the unauthenticated socket over the bound for its address, not one from another address', async () => {
    const port = await start({ pendingPerAddress: 3 });
    const first = [new Raw(port), new Raw(port), new Raw(port)];
    await Promise.all(first.map((r) => r.opened));
    // the hub accepts asynchronously: the fourth is refused once the three are counted
    const extra = await refused(() => new Raw(port), 'the fourth socket from 127.0.0.1 refused');
    expect(extra.closed).toBe(true);
    expect(first.every((r) => !r.closed)).toBe(true);
    expect(rejected).toContain('too_many_pending_address');

    // another address is not held back
    const elsewhere = new Raw(port, '127.0.0.2');
    await elsewhere.connect();
    expect(elsewhere.packets.find((p) => p.cmd === 'connack')).toMatchObject({ returnCode: 0 });

    // an authenticated socket gives its place back
    await first[0]!.connect();
    const next = new Raw(port);
    await next.connect();
    expect(next.packets.find((p) => p.cmd === 'connack')).toMatchObject({ returnCode: 0 });
  });

  it('refuses unauthenticated sockets over the bound in all', async () => {
    const port = await start({ pendingTotal: 2 });
    const held = [new Raw(port), new Raw(port, '127.0.0.2')];
    await Promise.all(held.map((r) => r.opened));
    const extra = await refused(() => new Raw(port, '127.0.0.3'), 'a third socket refused');
    expect(extra.closed).toBe(true);
    expect(held.every((r) => !r.closed)).toBe(true);
    expect(rejected).toContain('too_many_pending');
  });

  it('closes a socket that sends no CONNECT after the connect timeout', async () => {
    const port = await start({ connectTimeoutMs: 1000 });
    const silent = new Raw(port);
    await silent.opened;
    const opened = Date.now();
    await waitFor(() => silent.closed, 'the silent socket closed', 6000);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
    expect(rejected).toContain('connect_timeout');
  });

  it('WebSocket: closes a CONNECT declaring 250 MB, and a message over the WebSocket cap', async () => {
    const wsPort = await freePort();
    await start({}, { wsPort });
    const open = () => {
      const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/mqtt`, 'mqtt');
      sockets.push({ destroy: () => ws.terminate() });
      let closed = false;
      ws.on('close', () => (closed = true));
      ws.on('error', () => undefined);
      return {
        ws,
        closed: () => closed,
        opened: new Promise<void>((resolve) => ws.once('open', () => resolve())),
      };
    };
    const a = open();
    await a.opened;
    a.ws.send(Buffer.concat([fixedHeader(0x10, 250 * 1024 * 1024), Buffer.alloc(1024)]));
    await waitFor(() => a.closed(), 'the hub to close the WebSocket', 3000);
    expect(rejected).toContain('connect_too_large');

    // one WebSocket message of 4 MB: ws would buffer 100 MiB by default before the parser saw any
    const b = open();
    await b.opened;
    b.ws.send(Buffer.alloc(4 * 1024 * 1024));
    await waitFor(() => b.closed(), 'the hub to close the oversized WebSocket message', 3000);
  });

  it('TLS: closes a CONNECT declaring 250 MB, and a socket that never completes its handshake', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yihu-tls-limits-'));
    const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    const tlsPort = await freePort();
    await start(
      { connectTimeoutMs: 1000, pendingPerAddress: 2 },
      { tls: { port: tlsPort, certFile, keyFile } },
    );

    const secure = tlsConnect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false });
    sockets.push(secure);
    let secureClosed = false;
    secure.on('close', () => (secureClosed = true));
    secure.on('error', () => undefined);
    await new Promise<void>((resolve) => secure.once('secureConnect', () => resolve()));
    secure.write(Buffer.concat([fixedHeader(0x10, 250 * 1024 * 1024), Buffer.alloc(1024)]));
    await waitFor(() => secureClosed, 'the hub to close the TLS socket', 3000);
    expect(rejected).toContain('connect_too_large');

    // TCP only, no ClientHello: it counts against its address and goes at the timeout
    const silent = [new Raw(tlsPort), new Raw(tlsPort)];
    await Promise.all(silent.map((r) => r.opened));
    const third = await refused(() => new Raw(tlsPort), 'a third handshake from one address refused');
    expect(third.closed).toBe(true);
    await waitFor(() => silent.every((r) => r.closed), 'the silent TLS sockets closed at the timeout', 6000);
  });
});
