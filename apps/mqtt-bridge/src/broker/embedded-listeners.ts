import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { StartupError } from '#platform';
import type { BrokerLimits, PendingConnections } from './connection-limits.js';
import type { DeviceGate } from './embedded-hooks.js';

export type Closable = { close(cb: () => void): unknown };

/** Where the embedded broker listens: TCP always, WebSocket and mqtts when set. */
export interface ListenerOptions {
  host: string;
  port: number;
  wsPort?: number;
  tls?: { port: number; certFile: string; keyFile: string };
}

export interface ListenerDeps {
  limits: BrokerLimits;
  pending: PendingConnections;
  gate: Pick<DeviceGate, 'rejected'>;
  logger: Logger;
  /** hands an admitted connection to aedes; `release` gives up its unauthenticated place */
  handle(conn: Duplex, req: unknown, release: () => void): void;
  /** each server as soon as it exists, so that a failed start closes what was opened */
  servers: Closable[];
}

function listen(server: Server | WebSocketServer, port: number, host: string, name: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          err.code === 'EADDRINUSE'
            ? `port ${port} is in use (${name}); set ${name} to a free port, or MQTT_URL to use the broker already listening there`
            : `cannot listen on port ${port} (${name}): ${err.message}`,
        ),
      );
    if (server instanceof WebSocketServer) {
      server.once('error', onError);
      server.once('listening', () => resolve());
    } else {
      server.once('error', onError);
      server.listen(port, host, () => resolve());
    }
  });
}

/** Opens the broker's TCP, WebSocket and TLS listeners; rejects with a StartupError. */
export async function openListeners(options: ListenerOptions, deps: ListenerDeps): Promise<void> {
  const { limits, pending, gate, logger, handle, servers } = deps;
  /**
   * A socket from the moment it is accepted (TLS and WebSocket: before the handshake or
   * upgrade, which cost the hub too) counts as unauthenticated until its CONNECT is
   * accepted or it closes; over the bounds it is closed at once.
   */
  const admit = (raw: Socket): (() => void) | undefined => {
    const admitted = pending.admit(raw.remoteAddress);
    if (typeof admitted === 'function') {
      raw.once('close', admitted);
      return admitted;
    }
    gate.rejected(admitted === 'address' ? 'too_many_pending_address' : 'too_many_pending', null);
    raw.destroy();
    return undefined;
  };

  const tcp = createServer((socket) => {
    const release = admit(socket);
    if (release) handle(socket, undefined, release);
  });
  servers.push(tcp);
  await listen(tcp, options.port, options.host, 'MQTT_PORT');
  if (options.wsPort) {
    // ws' default maxPayload is 100 MiB, buffered before the stream sees a byte of it.
    // One WebSocket message may carry more than one MQTT packet, so two packets' worth.
    const http = createHttpServer();
    http.headersTimeout = http.requestTimeout = limits.connectTimeoutMs;
    const ws = new WebSocketServer({ server: http, maxPayload: 2 * limits.maxPacketBytes });
    const releases = new WeakMap<Socket, () => void>();
    http.on('connection', (raw: Socket) => {
      const release = admit(raw);
      if (release) releases.set(raw, release);
    });
    ws.on('connection', (socket, req) => {
      const release = releases.get(req.socket);
      if (release) handle(createWebSocketStream(socket), req, release);
      else socket.terminate();
    });
    ws.on('error', (err) => logger.debug({ err: err.message }, 'MQTT WebSocket error'));
    // a server only finishes closing once its sockets have; a WebSocket's close handshake may wait 30 s
    const closeHttp = { close: (cb: () => void) => (http.closeAllConnections(), http.close(cb)) };
    servers.push(ws, closeHttp);
    await listen(http, options.wsPort, options.host, 'MQTT_WS_PORT');
  }
  if (options.tls) {
    let cert: Buffer;
    let key: Buffer;
    try {
      cert = readFileSync(options.tls.certFile);
      key = readFileSync(options.tls.keyFile);
    } catch (err) {
      throw new StartupError(`cannot read MQTT_TLS_CERT/MQTT_TLS_KEY: ${(err as Error).message}`);
    }
    // the TLS socket wraps the TCP socket counted at accept; it shows the same remote port
    const handshaking = new Map<string, () => void>();
    const peer = (s: Socket) => `${s.remoteAddress}:${s.remotePort}`;
    const tls = createTlsServer(
      { cert, key, handshakeTimeout: limits.connectTimeoutMs },
      (socket: TLSSocket) => {
        const id = peer(socket);
        const release = handshaking.get(id);
        handshaking.delete(id);
        if (release) handle(socket, undefined, release);
        else socket.destroy();
      },
    );
    // a failed or timed-out handshake (handshakeTimeout) must end the socket
    tls.on('tlsClientError', (err, socket) => {
      if ((err as NodeJS.ErrnoException).code === 'ERR_TLS_HANDSHAKE_TIMEOUT')
        gate.rejected('connect_timeout', null);
      logger.debug({ err: err.message }, 'MQTT TLS handshake failed');
      socket.destroy();
    });
    tls.on('connection', (raw: Socket) => {
      const id = peer(raw);
      const release = admit(raw);
      if (!release) return;
      handshaking.set(id, release);
      raw.once('close', () => handshaking.delete(id));
    });
    servers.push(tls);
    await listen(tls as unknown as Server, options.tls.port, options.host, 'MQTT_TLS_PORT');
  }
}
