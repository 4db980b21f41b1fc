import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import type { TalkgroupView } from '#contracts';
import { EventBus, startApp, type StartedApp } from '#platform';
import { EscalationService } from '../../apps/dispatch/src/directives/escalation/escalation.service.js';
import { hubApp } from '../../apps/hub/src/hub.module.js';
import { DirectiveBroadcast } from '../../apps/sfu/src/radio/voice/directive-broadcast.js';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createUser } from '../support/directives.js';
import { freePort } from '../support/ports.js';
import { RadioGatewayDouble } from '../support/radio-gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { inProcessHubEnv, provision } from '../support/terminals.js';

interface BroadcastRow {
  message_id: string;
  talkgroup_id: string;
  site_ids: string[];
  state: string;
}

/**
 * An updated warning's re-delivery on the radio (docs/warnings.md "Updates"), on a real hub
 * (PostgreSQL, the job queue, mediasoup, gateway doubles over RTP/UDP) with the stand-in TTS
 * (test/support/fake-tts.mjs: short audio, and a log of what it was asked to say). One
 * talkgroup holds the radios of the original township and of the one the update added:
 * escalation's re-delivery goes as one message per 签收 deadline, and the talkgroup must hear
 * it once, saying the warning as it now stands.
 */
describe('an updated warning re-delivered on the radio', () => {
  let db: TestDatabase;
  let dir: string;
  let ttsLog: string;
  let hub: StartedApp;
  let ds: DataSource;
  let editor: Api;
  let chief: Api;
  let towns: string[];
  let talkgroup: string;
  const gateways: RadioGatewayDouble[] = [];

  const said = (): string[] =>
    existsSync(ttsLog)
      ? readFileSync(ttsLog, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as string)
      : [];
  const broadcasts = (directiveId: string) =>
    ds.query<BroadcastRow[]>(
      `SELECT message_id, talkgroup_id, site_ids, state FROM radio_broadcasts WHERE directive_id = $1`,
      [directiveId],
    );
  /** every broadcast written so far is off the air, settled, and at least `n` were written */
  const settled = async (directiveId: string, n: number): Promise<BroadcastRow[]> =>
    (await waitFor(
      async () => {
        const rows = await broadcasts(directiveId);
        return rows.length >= n && rows.every((r) => r.state !== 'waiting') ? rows : undefined;
      },
      60_000,
      `${n} radio broadcasts settled`,
    ))!;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'yihu-radio-redelivery-'));
    ttsLog = join(dir, 'tts.log');
    // the speech command is spawned with the hub's environment: a wrapper names the log
    const tts = join(dir, 'tts.sh');
    writeFileSync(
      tts,
      `#!/bin/sh\nFAKE_TTS_LOG='${ttsLog}' exec '${process.execPath}' '${resolve('test/support/fake-tts.mjs')}' "$@"\n`,
    );
    chmodSync(tts, 0o755);
    const port = await freePort();
    hub = await startApp('hub', hubApp, {
      ...inProcessHubEnv(join(dir, 'data'), port),
      DATABASE_URL: db.url,
      JWT_SECRET: 'radio-redelivery-test-secret-0123456789abcdef',
      AUDIT_KEY: 'radio-redelivery-test-audit-key-0123456789abcdef',
      MQTT_PORT: String(await freePort()),
      SFU_ENABLED: 'true',
      SFU_WORKERS: '1',
      RADIO_TTS_COMMAND: tts,
      // the update's notice and the added township's directive meet on the one talkgroup
      RADIO_BROADCAST_RETRIES: '8',
      RADIO_BROADCAST_RETRY_MS: '300',
    });
    ds = hub.runtime.dataSource;
    const admin = await adminLogin(`http://127.0.0.1:${port}`);
    await waitFor(
      async () => (await admin.get('/api/v1/health')).body.components.sfu.status === 'up',
      30_000,
      'sfu up',
    );
    const site = async (name: string, kind: string, parentId: string, regionCode: string) => {
      const res = await admin.post('/api/v1/sites', { name, kind, parentId, regionCode });
      if (res.status !== 201) throw new Error(`site ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    };
    const root = (await admin.get<{ id: string }[]>('/api/v1/sites')).body[0]!.id;
    const county = await site('重发县', 'command', root, '330107');
    towns = [
      await site('原镇', 'township', county, '330107001'),
      await site('新增镇', 'township', county, '330107002'),
    ];
    editor = (await createUser(admin, 'rr-editor', 'dispatcher', county)).api;
    chief = (await createUser(admin, 'rr-chief', 'commander', county)).api;
    const gatewayIds: string[] = [];
    for (const [i, town] of towns.entries()) {
      const id = (await provision(admin, town, `gw-${i}`, 'radio')).id;
      gatewayIds.push(id);
      gateways.push(await new RadioGatewayDouble(hub.app.get(EventBus), id, town).start());
    }
    // one talkgroup at the county holds both townships' radios
    const tg = await admin.post<TalkgroupView>('/api/v1/talkgroups', {
      name: 'tg-county',
      siteId: county,
      gatewayIds,
    });
    expect(tg.status).toBe(201);
    talkgroup = tg.body.id;
    for (const g of gateways) await g.join();
  }, 120_000);

  afterAll(async () => {
    for (const g of gateways) await g.stop().catch(() => undefined);
    await hub?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("escalation's re-delivery to both deadlines is one broadcast on the shared talkgroup, saying the updated text", async () => {
    const created = await editor.post('/api/v1/warnings', {
      event: '山洪',
      level: 'yellow',
      headline: '山洪灾害黄色预警',
      description: '上游降雨，溪流水位上涨。',
      instruction: '沿河群众注意避险。',
      onset: new Date(Date.now() + 3600_000).toISOString(),
      expires: new Date(Date.now() + 7200_000).toISOString(),
      areas: { regionCodes: ['330107001'] },
    });
    expect(created.status).toBe(201);
    const path = `/api/v1/warnings/${created.body.id}`;
    expect((await editor.post(`${path}/submit`, {})).status).toBe(200);
    expect((await chief.post(`${path}/approve`, {})).status).toBe(200);
    const published = await editor.post(`${path}/publish`, {});
    expect(published.status).toBe(200);
    const directiveId = published.body.directiveId as string;
    await settled(directiveId, 1);

    // the update rewrites the directive and adds the second township (its own, later deadline)
    const update = await chief.post(`${path}/update`, {
      headline: '山洪灾害红色预警',
      level: 'red',
      description: '河水漫堤，立即转移。',
      areas: { regionCodes: ['330107001', '330107002'] },
    });
    expect(update.status).toBe(201);
    // the change spoken to the first township, the directive to the added one
    const before = await settled(directiveId, 3);
    await hub.app.get(DirectiveBroadcast).idle();
    const deadlines = await ds.query<{ ack_by: Date | null }[]>(
      `SELECT ack_by FROM directive_recipients WHERE directive_id = $1 ORDER BY ack_by NULLS FIRST`,
      [directiveId],
    );
    // two deadlines: the pass below sends two messages
    expect(deadlines.map((d) => d.ack_by === null)).toEqual([true, false]);
    const spokenBefore = said().length;

    // both deadlines missed: escalation's step 1 falls due now for both (as the timer would)
    await ds.query(
      `UPDATE directive_recipients SET next_escalation_at = now() - interval '2 seconds' WHERE directive_id = $1`,
      [directiveId],
    );
    expect(await hub.app.get(EscalationService).escalate(directiveId)).toBe(2);
    const known = new Set(before.map((r) => r.message_id));
    const pass = (await waitFor(
      async () => {
        const rows = (await broadcasts(directiveId)).filter((r) => !known.has(r.message_id));
        const reached = new Set(rows.flatMap((r) => r.site_ids));
        return towns.every((t) => reached.has(t)) && rows.every((r) => r.state !== 'waiting')
          ? rows
          : undefined;
      },
      60_000,
      "the pass's broadcasts reaching both townships",
    ))!;
    await hub.app.get(DirectiveBroadcast).idle();
    // once on the talkgroup, for both townships (one per deadline would be two)
    expect(pass).toHaveLength(1);
    expect(pass[0]).toMatchObject({ talkgroup_id: talkgroup, state: 'sent' });
    expect([...pass[0]!.site_ids].sort()).toEqual([...towns].sort());

    // what the radio said is the warning as it now stands, as a re-delivery
    const redelivered = said()
      .slice(spokenBefore)
      .filter((t) => t.includes('再次通知'));
    expect(redelivered).toHaveLength(1);
    expect(redelivered[0]).toContain('红色等级指令');
    expect(redelivered[0]).toContain('山洪灾害红色预警');
    expect(redelivered[0]).toContain('河水漫堤');
    expect(redelivered[0]).not.toContain('黄色');
    expect(redelivered[0]).not.toContain('上游降雨');
  });
});
