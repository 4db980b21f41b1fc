import { io, type Socket } from 'socket.io-client';
import { Api } from './api.js';
import { waitFor } from './async.js';

/** Logs in as the bootstrap admin, waiting for the account to exist (it may be created just after listen). */
export function adminLogin(baseUrl: string): Promise<Api> {
  return waitFor(() => new Api(baseUrl).login('admin', 'admin-password-1'), 15_000, 'admin login');
}

/** A township (or any) site and a user there, created through the REST API. */
export async function createSite(
  admin: Api,
  name: string,
  kind: 'command' | 'township' | 'village',
  parentId: string,
): Promise<string> {
  const res = await admin.post('/api/v1/sites', { name, kind, parentId });
  if (res.status !== 201) throw new Error(`create site ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function createUser(
  admin: Api,
  username: string,
  role: 'admin' | 'commander' | 'dispatcher' | 'duty_officer',
  siteId: string,
): Promise<{ id: string; api: Api; token: string }> {
  const password = 'password-123';
  const res = await admin.post('/api/v1/users', { username, password, role, siteId });
  if (res.status !== 201)
    throw new Error(`create user ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  const login = await admin.as('').post('/api/v1/auth/login', { username, password });
  const token = login.body.accessToken as string;
  return { id: res.body.id as string, api: admin.as(token), token };
}

export interface ConsoleOptions {
  /** answer the `directive` event's ack callback (the delivery receipt); default true */
  receipt?: boolean;
  /** send `directive.ack` for every directive received; default false */
  autoAck?: boolean;
}

/** A real socket.io-client console that records what it receives. */
export class TestConsole {
  readonly directives: any[] = [];
  readonly escalations: any[] = [];
  readonly boards: any[] = [];
  readonly updates: any[] = [];
  readonly cancellations: any[] = [];
  readonly socket: Socket;

  constructor(baseUrl: string, token: string | undefined, options: ConsoleOptions = {}) {
    this.socket = io(baseUrl, {
      auth: token ? { token } : {},
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.socket.on('directive', (payload: any, cb?: (v: unknown) => void) => {
      this.directives.push(payload);
      if (options.receipt !== false) cb?.({ received: true });
      if (options.autoAck) this.socket.emit('directive.ack', { directiveId: payload.id }, () => undefined);
    });
    this.socket.on('directive.escalation', (p: any) => this.escalations.push(p));
    this.socket.on('directive.board', (p: any) => this.boards.push(p));
    this.socket.on('directive.update', (p: any) => this.updates.push(p));
    this.socket.on('directive.cancelled', (p: any) => this.cancellations.push(p));
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.connected) return resolve();
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', (err) => reject(err));
    });
  }

  call<T = any>(event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
    return this.socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;
  }

  ack(directiveId: string) {
    return this.call<{ ok: boolean; error?: string }>('directive.ack', { directiveId });
  }

  close(): void {
    this.socket.disconnect();
  }
}

export async function openConsole(
  baseUrl: string,
  token: string,
  options?: ConsoleOptions,
): Promise<TestConsole> {
  const c = new TestConsole(baseUrl, token, options);
  await c.connected();
  return c;
}
