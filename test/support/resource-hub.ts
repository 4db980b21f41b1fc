import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startApp, type StartedApp } from '#platform';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import type { Api } from './api.js';
import { adminLogin } from './directives.js';
import { freePort } from './ports.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from './services.js';
import { inProcessHubEnv } from './terminals.js';

export type TestUser = { id: string; api: Api; token: string };

export interface ResourceHub {
  app: StartedApp['app'];
  admin: Api;
  /** the bootstrap root site */
  root: string;
  /** a client on the test database, for what the REST answers do not show (audit rows, counts) */
  sql: pg.Client;
  stop(): Promise<void>;
}

/**
 * One hub over its own PostgreSQL database with the cluster drivers (BullMQ on Redis), logged
 * in as the bootstrap admin: the set-up the teams, stock and experts specs share.
 */
export async function startResourceHub(name: string): Promise<ResourceHub> {
  const dir = mkdtempSync(join(tmpdir(), `yihu-${name}-`));
  let db: TestDatabase | undefined;
  let hub: StartedApp | undefined;
  let sql: pg.Client | undefined;
  const stop = async () => {
    await sql?.end();
    await hub?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    db = await createTestDatabase();
    const port = await freePort();
    hub = await startApp('hub', hubApp, {
      ...inProcessHubEnv(join(dir, 'data'), port),
      INSTANCE_ID: 'a',
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: uniquePrefix(),
      JWT_SECRET: `${name}-test-secret-0123456789-abcdefghijklmnop`,
      AUDIT_KEY: `${name}-audit-key-of-every-instance-0123456789`,
      MQTT_PORT: String(await freePort()),
    });
    // the bootstrap admin may be created just after listen: adminLogin waits for it
    const admin = await adminLogin(`http://127.0.0.1:${port}`);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    return { app: hub.app, admin, root, sql, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface CsvAnswer {
  status: number;
  type: string | null;
  /** the body as sent, the BOM kept (res.text() would drop it) */
  text: string;
  json(): any;
}

/** GET a CSV export, or POST `body` as text/csv (or `type`), as `user`. */
export async function csvRequest(
  user: TestUser,
  path: string,
  body?: string,
  type = 'text/csv; charset=utf-8',
): Promise<CsvAnswer> {
  const res = await fetch(`${user.api.baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${user.token}`,
      ...(body === undefined ? {} : { 'content-type': type }),
    },
    body,
  });
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), text, json: () => JSON.parse(text) };
}
