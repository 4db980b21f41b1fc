import { afterAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, tempDataDir, type HubProcess } from '../support/hub-process.js';
import { createTestDatabase, REDIS_URL, uniquePrefix, type TestDatabase } from '../support/services.js';

interface AuditEntry {
  seq: number;
  action: string;
  subjectId: string | null;
  data: Record<string, unknown>;
}

/**
 * kill -9 while a round of daily reports is open: after the restart its due time and its
 * close still happen, each once, in both modes (the timers live in the database and the
 * queue), and a console that connects is told what its site owes.
 */
describe.each(['embedded', 'cluster'] as const)('a daily round survives SIGKILL (%s)', (mode) => {
  let hub: HubProcess | undefined;
  let db: TestDatabase | undefined;
  const consoles: TestConsole[] = [];

  afterAll(async () => {
    for (const c of consoles) c.close();
    await hub?.stop('SIGKILL');
    await db?.drop();
  });

  it('chases and closes the round once after the restart', async () => {
    const env: Record<string, string> = {
      DATA_DIR: tempDataDir(),
      SFU_ENABLED: 'false',
      DAILY_REPORT_CUTOFF_SECONDS: '4',
    };
    if (mode === 'cluster') {
      db = await createTestDatabase();
      Object.assign(env, {
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: uniquePrefix(),
        JWT_SECRET: 'daily-restart-secret-0123456789-abcdefghij',
        AUDIT_KEY: 'shared-audit-key-of-every-instance-0123456789',
      });
    }
    hub = await startHub(env);
    const admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    const county = await createSite(admin, '重启县', 'command', rootId);
    const quiet = await createSite(admin, '静镇', 'township', county);
    const dispatcher = await createUser(admin, 'dr-restart-disp', 'dispatcher', county);
    const officer = await createUser(admin, 'dr-restart-officer', 'duty_officer', quiet);
    const dueAt = new Date(Date.now() + 25_000);
    const date = new Date(dueAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const opened = await dispatcher.api.post('/api/v1/daily-reports/rounds', {
      date,
      dueAt: dueAt.toISOString(),
    });
    expect(opened.status).toBe(201);

    await hub.stop('SIGKILL');
    hub = await startHub(hub.env);
    const disp = new Api(hub.baseUrl).as(dispatcher.token);

    // a console that connects now is told at once what its site owes
    const c = await openConsole(hub.baseUrl, officer.token);
    consoles.push(c);
    const due: { siteId: string; subject: { date: string } }[] = [];
    c.socket.on('report.due', (p: { siteId: string; subject: { date: string } }) => due.push(p));
    const overdue: unknown[] = [];
    c.socket.on('report.overdue', (p: unknown) => overdue.push(p));
    await waitFor(() => due.length > 0, 10_000, 'the catch-up');
    expect(due[0]).toMatchObject({ siteId: quiet, subject: { date } });

    const state = async () =>
      (
        (await disp.get(`/api/v1/daily-reports?date=${date}`)).body as { siteId: string; state: string }[]
      ).find((r) => r.siteId === quiet)?.state;
    await waitFor(async () => (await state()) === 'missing', 45_000, 'missing after the restart');
    expect(overdue.length).toBeGreaterThanOrEqual(1);

    const adminAfter = await adminLogin(hub.baseUrl);
    const audit = (await adminAfter.get('/api/v1/audit?limit=500')).body as AuditEntry[];
    const roundId = audit.find((e) => e.action === 'daily.round.open' && e.data.date === date)!.subjectId;
    const steps = audit
      .filter((e) => e.subjectId === roundId)
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.action);
    expect(steps.filter((a) => a === 'daily.round.overdue')).toHaveLength(1);
    expect(steps.filter((a) => a === 'daily.round.close')).toHaveLength(1);
    expect(steps.indexOf('daily.round.overdue')).toBeLessThan(steps.indexOf('daily.round.close'));
    expect((await adminAfter.get('/api/v1/audit/verify')).body.ok).toBe(true);
  }, 150_000);
});
