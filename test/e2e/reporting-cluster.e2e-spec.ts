import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

/**
 * 信息报送 in cluster mode: two dispatch instances on one PostgreSQL and Redis (BullMQ),
 * each with its own consoles. A deadline's overdue step runs once: one claim row, one
 * audit entry, one `report.overdue` on each console whichever instance it is connected to.
 */
describe('reporting deadlines in a cluster', () => {
  let db: TestDatabase;
  let a: HubProcess;
  let b: HubProcess;
  const consoles: TestConsole[] = [];
  const prefix = uniquePrefix();
  const env = (instance: string) => ({
    INSTANCE_ID: instance,
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: 'reporting-cluster-secret-0123456789-abcdef',
    AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
    SFU_ENABLED: 'false',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    [a, b] = await Promise.all([startHub(env('rep-a'), 'dispatch'), startHub(env('rep-b'), 'dispatch')]);
  }, 180_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('fires a deadline once across both instances and reaches consoles on each', async () => {
    const admin = await adminLogin(a.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const county = await createSite(admin, '集群县', 'command', root);
    const town = await createSite(admin, '集群镇', 'township', county);
    const commander = await createUser(admin, 'rc-commander', 'commander', county);
    const officer = await createUser(admin, 'rc-officer', 'duty_officer', town);
    const put = await commander.api.request('PUT', '/api/v1/reporting/rules', {
      rules: [{ level: 'I', phoneWithinSeconds: 2, writtenWithinSeconds: 4, followupEverySeconds: 600 }],
    });
    expect(put.status).toBe(200);

    const onA = await openConsole(a.baseUrl, commander.token);
    const onB = await openConsole(b.baseUrl, officer.token);
    consoles.push(onA, onB);
    const seen: Record<string, { subject: { incidentId: string; kind: string }; escalatedTo?: unknown }[]> = {
      a: [],
      b: [],
    };
    onA.socket.on('report.overdue', (p) => seen.a!.push(p));
    onB.socket.on('report.overdue', (p) => seen.b!.push(p));

    const created = await officer.api.post('/api/v1/incidents', {
      siteId: town,
      title: '集群测试',
      category: '事故灾难',
      level: 'I',
      occurredAt: new Date(Date.now() - 1000).toISOString(),
      learnedAt: new Date().toISOString(),
      location: '镇中',
      summary: '',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const initial = (list: typeof seen.a) =>
      list!.filter((p) => p.subject.incidentId === id && p.subject.kind === 'initial');
    await waitFor(
      () => initial(seen.a).length > 0 && initial(seen.b).length > 0,
      30_000,
      'the overdue on both',
    );
    // the job ran on one instance; each instance's sweep (every 15 s) also tries the step
    // once past the deadline: without the claim row a second alert would arrive meanwhile
    await sleep(16_000);
    const overdue = (list: typeof seen.a) => initial(list).filter((p) => !p.escalatedTo);
    const escalated = (list: typeof seen.a) => initial(list).filter((p) => p.escalatedTo);
    expect(overdue(seen.a)).toHaveLength(1);
    expect(overdue(seen.b)).toHaveLength(1);
    // the escalation (4 s later) goes to the county only, once
    expect(escalated(seen.a)).toHaveLength(1);
    expect(escalated(seen.b)).toHaveLength(0);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const claims = await client.query(
      `SELECT slot, count(*)::int AS n FROM report_alerts WHERE incident_id = $1 AND stage = 'overdue' GROUP BY slot ORDER BY slot`,
      [id],
    );
    const audits = await client.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE subject_id = $1 AND action = 'report.overdue'`,
      [id],
    );
    await client.end();
    expect(claims.rows).toEqual([
      { slot: 'initial', n: 1 },
      { slot: 'phone', n: 1 },
    ]);
    expect(audits.rows[0].n).toBe(2);
  }, 90_000);
});
