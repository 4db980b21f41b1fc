import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type StartedApp } from '#platform';
import { dispatchApp } from '../../apps/dispatch/src/dispatch.module.js';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { Api } from '../support/api.js';
import { createUser } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';
import { inProcessHubEnv, provision, TestDevice, waitFor } from '../support/terminals.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(120_000);

/**
 * Warnings inside the process, in cluster mode (PostgreSQL, BullMQ on Redis): a hub with
 * its broker and a dispatch-only instance. The area rule over 6/9/12-digit region codes,
 * a radio gateway reached as the `radio` channel of coverage, and an expiry timer that the
 * second instance fires after the publishing one is gone.
 */
describe('warnings (cluster mode, two instances)', () => {
  let db: TestDatabase;
  let hub: StartedApp | undefined;
  let second: StartedApp;
  let hubUrl: string;
  let secondUrl: string;
  let mqttUrl: string;
  let admin: Api;
  let county: string;
  let towns: string[];
  let village: string;
  let editor: { id: string; api: Api; token: string };
  let chief: { id: string; api: Api; token: string };
  const devices: TestDevice[] = [];
  const dirs: string[] = [];
  const prefix = uniquePrefix();

  const env = async (instance: string): Promise<Record<string, string>> => {
    const dir = mkdtempSync(join(tmpdir(), 'yihu-warnings-'));
    dirs.push(dir);
    return {
      ...inProcessHubEnv(join(dir, 'data'), await freePort()),
      INSTANCE_ID: instance,
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: 'warnings-test-secret-0123456789-abcdefghijkl',
      AUDIT_KEY: 'warnings-audit-key-of-every-instance-0123456',
      MQTT_PORT: String(await freePort()),
    };
  };
  const site = async (name: string, kind: string, parentId: string, regionCode: string) => {
    const res = await admin.post('/api/v1/sites', { name, kind, parentId, regionCode });
    if (res.status !== 201) throw new Error(`site ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  const publishNew = async (body: Record<string, unknown>, api = editor.api) => {
    const created = await api.post('/api/v1/warnings', {
      event: '山洪',
      level: 'yellow',
      headline: '山洪灾害黄色预警',
      description: '上游降雨，溪流水位上涨。',
      instruction: '沿河群众注意避险。',
      onset: new Date(Date.now() + 3600_000).toISOString(),
      expires: new Date(Date.now() + 7200_000).toISOString(),
      ...body,
    });
    expect(created.status).toBe(201);
    const path = `/api/v1/warnings/${created.body.id}`;
    await api.post(`${path}/submit`, {});
    expect((await chief.api.post(`${path}/approve`, {})).status).toBe(200);
    const published = await api.post(`${path}/publish`, {});
    expect(published.status).toBe(200);
    return published.body as { id: string; directiveId: string };
  };
  const recipients = async (directiveId: string) =>
    ((await editor.api.get(`/api/v1/directives/${directiveId}`)).body.recipients as { siteId: string }[])
      .map((r) => r.siteId)
      .sort();

  beforeAll(async () => {
    db = await createTestDatabase();
    const hubEnv = await env('a');
    const secondEnv = await env('b');
    hub = await startApp('hub', hubApp, hubEnv);
    second = await startApp('dispatch', dispatchApp, secondEnv);
    hubUrl = `http://127.0.0.1:${hubEnv.PORT}`;
    secondUrl = `http://127.0.0.1:${secondEnv.PORT}`;
    mqttUrl = `mqtt://127.0.0.1:${hubEnv.MQTT_PORT}`;
    admin = await new Api(hubUrl).login('admin', 'admin-password-1');
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    county = await site('山洪县', 'command', root, '330106');
    towns = [
      await site('上游镇', 'township', county, '330106001'),
      await site('下游镇', 'township', county, '330106002'),
    ];
    village = await site('溪口村', 'village', towns[0]!, '330106001002');
    const other = await site('邻县', 'command', root, '330107');
    await site('邻县镇', 'township', other, '330107001');
    editor = await createUser(admin, 'wi-editor', 'dispatcher', county);
    chief = await createUser(admin, 'wi-chief', 'commander', county);
  });

  afterAll(async () => {
    for (const d of devices) await d.end().catch(() => undefined);
    await second?.stop();
    await hub?.stop();
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('targets the sites whose region code equals or lies under the area, and nothing beside it', async () => {
    const township = await publishNew({ areas: { regionCodes: ['330106001'] } });
    expect(await recipients(township.directiveId)).toEqual([towns[0], village].sort());
    const whole = await publishNew({ areas: { regionCodes: ['330106'] } });
    expect(await recipients(whole.directiveId)).toEqual([county, ...towns, village].sort());
  });

  it('reaches a radio gateway with kind "warning"; coverage counts it on the radio channel', async () => {
    const creds = await provision(admin, towns[1]!, '下游镇对讲网关', 'radio');
    const gateway = await TestDevice.connect(mqttUrl, creds);
    devices.push(gateway.confirmReceipts());
    const w = await publishNew({ areas: { regionCodes: ['330106002'] } });
    const msg = await waitFor(() => gateway.received.find((m) => m.directiveId === w.directiveId), 'gateway');
    expect(msg).toMatchObject({ kind: 'warning', warningId: w.id });
    const coverage = await waitFor(async () => {
      const c = (await editor.api.get(`/api/v1/warnings/${w.id}/coverage`)).body;
      return c.byChannel.radio === 1 ? c : undefined;
    }, 'radio coverage');
    expect(coverage).toMatchObject({ targets: 1, byChannel: { console: 0, terminal: 0, radio: 1 } });
  });

  it('the second instance records the expiry after the publishing instance is gone', async () => {
    const created = await editor.api.post('/api/v1/warnings', {
      event: '山洪',
      level: 'blue',
      headline: '短时预警',
      description: '很快过期。',
      instruction: '无。',
      areas: { regionCodes: ['330106002'] },
      onset: new Date().toISOString(),
      expires: new Date(Date.now() + 6000).toISOString(),
    });
    const path = `/api/v1/warnings/${created.body.id}`;
    await editor.api.post(`${path}/submit`, {});
    await chief.api.post(`${path}/approve`, {});
    expect((await editor.api.post(`${path}/publish`, {})).status).toBe(200);
    for (const d of devices.splice(0)) await d.end().catch(() => undefined);
    await hub!.stop();
    hub = undefined;
    const onSecond = new Api(secondUrl, editor.token);
    const expired = await waitFor(
      async () => {
        const w = (await onSecond.get(path)).body;
        return w.history?.some((s: { step: string }) => s.step === 'expired') ? w : undefined;
      },
      'the expiry recorded by the second instance',
      30_000,
    );
    expect(expired.state).toBe('expired');
  });
});
