import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { escalationAudience, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError, type AppConfig } from '#platform';
import { EscalationRepository } from '../../apps/dispatch/src/directives/escalation/escalation.repository.js';
import { RealtimeServer } from '../../apps/dispatch/src/directives/shared/realtime.js';
import { DirectiveOpenItems } from '../../apps/dispatch/src/duty/handover/directive-open-items.js';
import { HandoversRepository } from '../../apps/dispatch/src/duty/handover/handovers.repository.js';
import { HandoversService } from '../../apps/dispatch/src/duty/handover/handovers.service.js';
import { OpenItemSources } from '../../apps/dispatch/src/duty/handover/open-items.js';
import { DutyLogRepository } from '../../apps/dispatch/src/duty/log/duty-log.repository.js';
import { DutyLogService } from '../../apps/dispatch/src/duty/log/duty-log.service.js';
import { DutyRosterRepository } from '../../apps/dispatch/src/duty/roster/duty-roster.repository.js';
import { DutyRoster } from '../../apps/dispatch/src/duty/roster/duty-roster.service.js';
import { ENGINES, openEngine, type OpenEngine } from '../support/engines.js';

const config = (windowSeconds: number) =>
  ({
    raw: { DUTY_HANDOVER_WINDOW_SECONDS: windowSeconds },
    auditKey: Buffer.from('duty-roster-integration-key-0123456789'),
  }) as unknown as AppConfig;

/** Rejects with the DomainError's code and message, so a test can assert on both. */
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
};

/**
 * The roster, handover and duty log against the real engines: PostgreSQL (a pool, where two
 * writers really race) and the embedded PGlite (one session, as a township laptop runs it).
 */
describe.each(ENGINES)('duty on %s', (kind) => {
  let engine: OpenEngine;
  let ds: DataSource;
  let audit: AuditStore;
  let rosterData: DutyRosterRepository;
  let roster: DutyRoster;
  let handovers: (windowSeconds: number) => HandoversService;
  let log: DutyLogService;
  let county: string;
  let town: string;
  let other: string;
  let dispatcher: Actor;
  const users: Record<string, string> = {};

  const site = async (name: string, parent: string | null) => {
    const id = randomUUID();
    const [p] = parent
      ? ((await ds.query('SELECT path FROM sites WHERE id = $1', [parent])) as { path: string }[])
      : [{ path: '/' }];
    await ds.query(`INSERT INTO sites (id, name, kind, parent_id, path) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      name,
      parent ? 'township' : 'command',
      parent,
      `${p!.path}${id}/`,
    ]);
    return id;
  };
  const user = async (name: string, siteId: string, role = 'duty_officer') => {
    const id = randomUUID();
    await ds.query(
      `INSERT INTO users (id, username, display_name, password_hash, role, site_id) VALUES ($1, $2, $2, 'x', $3, $4)`,
      [id, name, role, siteId],
    );
    users[name] = id;
    return id;
  };
  const actor = async (userId: string): Promise<Actor> => {
    const [u] = (await ds.query(
      'SELECT u.role, u.site_id, s.path FROM users u JOIN sites s ON s.id = u.site_id WHERE u.id = $1',
      [userId],
    )) as { role: Actor['role']; site_id: string; path: string }[];
    return { userId, role: u!.role, siteId: u!.site_id, sitePath: u!.path };
  };

  beforeAll(async () => {
    engine = await openEngine(kind);
    ds = engine.dataSource;
    audit = new AuditStore(ds);
    rosterData = new DutyRosterRepository(ds);
    roster = new DutyRoster(ds, audit, rosterData);
    const sources = new OpenItemSources();
    const handoverData = new HandoversRepository(ds);
    new DirectiveOpenItems(sources, handoverData).onModuleInit();
    const logger = pino({ level: 'silent' });
    handovers = (w) =>
      new HandoversService(
        ds,
        audit,
        handoverData,
        sources,
        roster,
        rosterData,
        new RealtimeServer(),
        config(w),
        logger,
      );
    log = new DutyLogService(ds, audit, new DutyLogRepository(ds, config(900)), roster);
    county = await site('县应急指挥中心', null);
    town = await site('河东镇', county);
    other = await site('河西乡', county);
    dispatcher = await actor(await user('dispatcher', county, 'dispatcher'));
    for (const name of ['leader', 'officerA', 'officerB', 'officerC']) await user(name, town);
    await user('outsider', other);
  }, 120_000);

  afterAll(async () => {
    await engine?.close();
  });

  it('refuses an overlapping shift of one user with 409 naming the shift it meets', async () => {
    const first = await roster.createShift(dispatcher, {
      siteId: town,
      userId: users.officerA!,
      role: 'officer',
      startsAt: '2026-12-01T08:00:00+08:00',
      endsAt: '2026-12-01T20:00:00+08:00',
    });
    expect(first).toMatchObject({
      startsAt: '2026-12-01T08:00:00+08:00',
      endsAt: '2026-12-01T20:00:00+08:00',
    });
    // back to back is fine: shifts are half-open
    await roster.createShift(dispatcher, {
      siteId: town,
      userId: users.officerA!,
      role: 'officer',
      startsAt: '2026-12-01T12:00:00Z',
      endsAt: '2026-12-02T00:00:00Z',
    });
    const clash = await failure(
      roster.createShift(dispatcher, {
        siteId: town,
        userId: users.officerA!,
        role: 'leader',
        startsAt: '2026-12-01T19:00:00+08:00',
        endsAt: '2026-12-01T21:00:00+08:00',
      }),
    );
    expect(clash.code).toBe('conflict');
    expect(clash.message).toContain(first.id);
  });

  it('lets exactly one of many concurrent overlapping inserts in', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        roster.createShift(dispatcher, {
          siteId: town,
          userId: users.officerB!,
          role: 'officer',
          startsAt: `2026-12-03T0${i}:00:00+08:00`,
          endsAt: '2026-12-03T12:00:00+08:00',
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const a of attempts.filter((x) => x.status === 'rejected'))
      expect((a as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
    const [{ n }] = (await ds.query(
      `SELECT count(*)::int AS n FROM duty_shifts WHERE user_id = $1 AND starts_at < '2026-12-03T12:00:00+08:00' AND ends_at > '2026-12-03T00:00:00+08:00'`,
      [users.officerB],
    )) as { n: number }[];
    expect(n).toBe(1);
  });

  it('refuses an inverted shift, a user of another site and a site out of scope', async () => {
    const base = { siteId: town, userId: users.officerC!, role: 'officer' as const };
    expect(
      await failure(
        roster.createShift(dispatcher, {
          ...base,
          startsAt: '2026-12-05T20:00:00+08:00',
          endsAt: '2026-12-05T08:00:00+08:00',
        }),
      ),
    ).toMatchObject({ code: 'invalid', message: expect.stringMatching(/inverted/) });
    expect(
      await failure(
        roster.createShift(dispatcher, {
          ...base,
          userId: users.outsider!,
          startsAt: '2026-12-05T08:00:00+08:00',
          endsAt: '2026-12-05T20:00:00+08:00',
        }),
      ),
    ).toMatchObject({ code: 'invalid', message: expect.stringMatching(/neither the site nor a site above/) });
    const townOfficer = await actor(users.outsider!);
    expect(await failure(roster.now(townOfficer, town))).toMatchObject({ code: 'forbidden' });
  });

  it('generates a rotation across midnight in Asia/Shanghai, says who is on now, and flags gaps', async () => {
    const shifts = await roster.createRotation(dispatcher, {
      siteId: town,
      from: '2026-12-10',
      days: 2,
      slots: [
        { start: '08:00', end: '20:00', leader: users.leader!, officers: [users.officerA!, users.officerB!] },
        { start: '20:00', end: '08:00', officers: [users.officerC!] },
      ],
    });
    expect(shifts).toHaveLength(8);
    const night = shifts.filter((s) => s.userId === users.officerC);
    expect(night.map((s) => [s.startsAt, s.endsAt])).toEqual([
      ['2026-12-10T20:00:00+08:00', '2026-12-11T08:00:00+08:00'],
      ['2026-12-11T20:00:00+08:00', '2026-12-12T08:00:00+08:00'],
    ]);
    const [stored] = (await ds.query(
      `SELECT starts_at FROM duty_shifts WHERE user_id = $1 AND starts_at >= '2026-12-10T00:00:00Z' ORDER BY starts_at LIMIT 1`,
      [users.officerC],
    )) as { starts_at: Date }[];
    expect(stored!.starts_at.toISOString()).toBe('2026-12-10T12:00:00.000Z');

    const atNight = await roster.now(dispatcher, town, new Date('2026-12-11T02:00:00+08:00'));
    expect(atNight).toMatchObject({
      leader: null,
      officers: [{ userId: users.officerC, name: 'officerC' }],
      until: '2026-12-11T08:00:00+08:00',
      leaderSource: null,
    });
    const atDay = await roster.now(dispatcher, town, new Date('2026-12-11T09:00:00+08:00'));
    expect(atDay.leader).toEqual({ userId: users.leader, name: 'leader' });
    expect(atDay.officers.map((o) => o.name).sort()).toEqual(['officerA', 'officerB']);
    expect(await roster.onRoster(town, users.officerC!, new Date('2026-12-11T07:59:59+08:00'))).toBe(true);
    expect(await roster.onRoster(town, users.officerC!, new Date('2026-12-11T08:00:00+08:00'))).toBe(false);
    expect(await roster.onRoster(other, users.officerC!, new Date('2026-12-11T02:00:00+08:00'))).toBe(false);
    // the batch form spot-check answers use: one query, the verdicts in the order asked
    expect(
      await roster.onRosterMany([
        { siteId: town, userId: users.officerC!, at: new Date('2026-12-11T08:00:00+08:00') },
        { siteId: town, userId: users.officerC!, at: new Date('2026-12-11T07:59:59+08:00') },
        { siteId: other, userId: users.officerC!, at: new Date('2026-12-11T02:00:00+08:00') },
        { siteId: town, userId: users.leader!, at: new Date('2026-12-11T09:00:00+08:00') },
      ]),
    ).toEqual([false, true, false, true]);
    expect(await roster.onRosterMany([])).toEqual([]);

    const gaps = await roster.gaps(dispatcher, {
      siteId: town,
      from: '2026-12-10T08:00:00+08:00',
      to: '2026-12-11T08:00:00+08:00',
      minOfficers: 2,
    });
    expect(gaps).toEqual([
      {
        startsAt: '2026-12-10T20:00:00+08:00',
        endsAt: '2026-12-11T08:00:00+08:00',
        leaders: 0,
        officers: 1,
        missingLeader: true,
        missingOfficers: 1,
      },
    ]);
    // the same rotation again meets itself: refused whole, nothing written
    const before = (await ds.query('SELECT count(*)::int AS n FROM duty_shifts')) as { n: number }[];
    expect(
      await failure(
        roster.createRotation(dispatcher, {
          siteId: town,
          from: '2026-12-11',
          days: 1,
          slots: [{ start: '07:00', end: '09:00', officers: [users.officerC!] }],
        }),
      ),
    ).toMatchObject({ code: 'conflict' });
    expect((await ds.query('SELECT count(*)::int AS n FROM duty_shifts')) as { n: number }[]).toEqual(before);
  });

  it("escalation's step 2 reaches the leader rostered for that hour, else the static leader", async () => {
    await ds.query('INSERT INTO duty_leaders (site_id, user_id) VALUES ($1, $2)', [town, users.officerA]);
    const directiveId = randomUUID();
    await ds.query(
      `INSERT INTO directives (id, serial, title, body, level, ack_within_seconds, ack_by, issued_by, issuer_site_id, issuer_site_path)
       VALUES ($1, $2, '防汛指令', 'b', 'red', 600, now() + interval '10 minutes', $3, $4, $5)`,
      [directiveId, `T-${directiveId.slice(0, 8)}`, dispatcher.userId, county, dispatcher.sitePath],
    );
    await ds.query('INSERT INTO directive_recipients (directive_id, site_id) VALUES ($1, $2)', [
      directiveId,
      town,
    ]);
    const escalations = new EscalationRepository(ds);
    const during = await escalations.noticeContext(directiveId, town, new Date('2026-12-10T10:00:00+08:00'));
    expect(during!.leaderId).toBe(users.leader);
    const audience = escalationAudience('notify_leader', {
      issuedBy: dispatcher.userId,
      leaderId: during!.leaderId,
      sitePathIds: [],
    });
    expect(audience.users).toContain(users.leader);
    const night = await escalations.noticeContext(directiveId, town, new Date('2026-12-10T22:00:00+08:00'));
    expect(night!.leaderId).toBe(users.officerA);
    expect((await roster.leaderAt(town, new Date('2026-12-10T22:00:00+08:00')))?.source).toBe('static');
  });

  it('hands over with open directives; only the incoming officer confirms', async () => {
    const from = await actor(users.officerA!);
    const h = await handovers(900).create(from, {
      siteId: town,
      toUserId: users.officerC!,
      notes: '电台需充电',
    });
    expect(h.openItems).toEqual([
      expect.objectContaining({
        kind: 'directive',
        title: expect.stringContaining('防汛指令'),
        state: 'pending',
      }),
    ]);
    expect(Date.parse(h.dueBy) - Date.parse(h.createdAt)).toBe(900_000);
    expect(await failure(handovers(900).confirm(from, h.id))).toMatchObject({ code: 'forbidden' });
    const confirmed = await handovers(900).confirm(await actor(users.officerC!), h.id);
    expect(confirmed.confirmedAt).not.toBeNull();
    expect(await failure(handovers(900).confirm(await actor(users.officerC!), h.id))).toMatchObject({
      code: 'conflict',
    });
    expect(
      await failure(handovers(900).create(from, { siteId: town, toUserId: users.officerA! })),
    ).toMatchObject({
      code: 'invalid',
    });
  });

  it('alerts once for a handover left unconfirmed past its window, even when two instances sweep', async () => {
    const h = await handovers(1).create(await actor(users.officerB!), {
      siteId: town,
      toUserId: users.officerC!,
    });
    await new Promise((r) => setTimeout(r, 1200));
    const [a, b] = await Promise.all([handovers(1).sweep(), handovers(1).sweep()]);
    expect(a + b).toBe(1);
    const entries = (await ds.query(
      `SELECT data FROM audit_log WHERE action = 'duty.handover.overdue' AND subject_id = $1`,
      [h.id],
    )) as { data: { leaderId: string | null } }[];
    expect(entries).toHaveLength(1);
    // no leader is rostered now: the site's fixed leader is the one alerted
    expect(entries[0]!.data.leaderId).toBe(users.officerA);
    expect(await handovers(1).sweep()).toBe(0);
  });

  it('keeps the duty log append-only and names the first tampered or missing entry', async () => {
    const officer = await actor(users.officerA!);
    for (const [i, kind] of (['call', 'document', 'instruction', 'handling', 'note'] as const).entries()) {
      const appended = await log.append(officer, {
        siteId: town,
        kind,
        text: `第${i + 1}条`,
        ...(kind === 'call' && { caller: '王村长', unit: '王家村', phone: '13800000000' }),
      });
      expect(appended).toMatchObject({ kind, actorName: 'officerA', at: expect.stringMatching(/\+08:00$/) });
    }
    const listed = await log.list(officer, { siteId: town, limit: 10 });
    expect(listed.map((e) => e.kind)).toEqual(['note', 'handling', 'instruction', 'document', 'call']);
    expect(listed[4]).toMatchObject({
      caller: '王村长',
      unit: '王家村',
      phone: '13800000000',
      actorName: 'officerA',
    });
    expect(listed[0]!.at).toMatch(/\+08:00$/);
    expect(await log.verify()).toEqual({ ok: true, checked: 5 });
    await expect(ds.query(`UPDATE duty_log SET data = '{"text":"x"}' WHERE seq = 3`)).rejects.toThrow(
      /append-only/,
    );
    await expect(ds.query(`DELETE FROM duty_log WHERE seq = 5`)).rejects.toThrow(/append-only/);

    // someone past the trigger rewrites entry 3
    await ds.query('ALTER TABLE duty_log DISABLE TRIGGER duty_log_append_only');
    await ds.query(`UPDATE duty_log SET data = jsonb_set(data, '{text}', '"改过"') WHERE seq = 3`);
    const edited = await log.verify();
    expect(edited).toMatchObject({
      ok: false,
      checked: 2,
      brokenAt: { seq: 3, reason: 'content does not match its hash' },
    });
    // ... or cuts the tail: the chain alone holds, the audit chain's record shows the cut
    await ds.query(`DELETE FROM duty_log WHERE seq >= 3`);
    await ds.query('ALTER TABLE duty_log ENABLE TRIGGER duty_log_append_only');
    const cut = await log.verify();
    expect(cut).toMatchObject({
      ok: false,
      brokenAt: { seq: 3, reason: expect.stringMatching(/entries 3-5 are missing/) },
    });
  });
});
