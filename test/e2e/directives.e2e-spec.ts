import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/api.js';
import { sleep, waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole, TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

/** The closed loop against a running hub (embedded mode), with real socket.io-client consoles. */
describe('directives: the closed loop', () => {
  let hub: HubProcess;
  let admin: Api;
  let rootId: string;
  let townA: string;
  let townB: string;
  let townC: string;
  let villageA1: string;
  let dispatcher: { id: string; api: Api; token: string };
  let officerA: { id: string; api: Api; token: string };
  let officerA2: { id: string; api: Api; token: string };
  let officerB: { id: string; api: Api; token: string };
  let officerC: { id: string; api: Api; token: string };
  const consoles: TestConsole[] = [];
  const open = async (token: string, options?: Parameters<typeof openConsole>[2]) => {
    const c = await openConsole(hub.baseUrl, token, options);
    consoles.push(c);
    return c;
  };
  const issue = (body: Record<string, unknown>) => dispatcher.api.post('/api/v1/directives', body);
  const auditFor = async (id: string) =>
    (await admin.get(`/api/v1/audit?subjectId=${id}&limit=500`)).body as any[];

  beforeAll(async () => {
    hub = await startHub();
    admin = await adminLogin(hub.baseUrl);
    rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    townA = await createSite(admin, '城关镇', 'township', rootId);
    townB = await createSite(admin, '河西乡', 'township', rootId);
    townC = await createSite(admin, '山口镇', 'township', rootId);
    villageA1 = await createSite(admin, '东村', 'village', townA);
    dispatcher = await createUser(admin, 'disp1', 'dispatcher', rootId);
    officerA = await createUser(admin, 'officer-a', 'duty_officer', townA);
    officerA2 = await createUser(admin, 'officer-a2', 'duty_officer', townA);
    officerB = await createUser(admin, 'officer-b', 'duty_officer', townB);
    officerC = await createUser(admin, 'officer-c', 'duty_officer', townC);
  }, 120_000);

  afterAll(async () => {
    for (const c of consoles) c.close();
    await hub?.stop();
  });

  it('runs the whole loop: issue, delivered, 签收, 反馈, closed, live on the board and audited', async () => {
    const a = await open(officerA.token);
    const b = await open(officerB.token);
    const board = await open(dispatcher.token);
    const res = await issue({
      title: '防汛紧急通知',
      body: '立即转移低洼地带群众',
      level: 'orange',
      targets: { siteIds: [townA, townB] },
      ackWithinSeconds: 600,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      serial: expect.stringMatching(/^\d{4}-\d{4,}$/),
    });
    expect(res.body.recipients.map((r: any) => r.siteId).sort()).toEqual([townA, townB].sort());
    const id = res.body.id as string;
    const sub = await board.call('directive.board.subscribe', { directiveId: id });
    expect(sub.ok).toBe(true);
    expect(sub.board.recipients).toHaveLength(2);

    await waitFor(() => a.directives.find((d) => d.id === id), 10_000, 'directive at A');
    const pushed = a.directives.find((d) => d.id === id);
    expect(pushed).toMatchObject({
      id,
      serial: res.body.serial,
      title: '防汛紧急通知',
      body: '立即转移低洼地带群众',
      level: 'orange',
      drill: false,
    });
    expect(Date.parse(pushed.ackBy)).toBeGreaterThan(Date.now() + 500_000);
    await waitFor(() => b.directives.find((d) => d.id === id), 10_000, 'directive at B');
    await waitFor(
      async () => {
        const d = (await dispatcher.api.get(`/api/v1/directives/${id}`)).body;
        return d.recipients.every((r: any) => r.state === 'delivered' && r.deliveredAt);
      },
      10_000,
      'both delivered',
    );

    expect(await a.ack(id)).toEqual({ ok: true });
    const restAck = await officerB.api.post(`/api/v1/directives/${id}/ack`, {});
    expect(restAck.status).toBe(200);
    expect(restAck.body).toMatchObject({
      directiveId: id,
      siteId: townB,
      state: 'acknowledged',
      duplicate: false,
    });
    // the board is coalesced (≤ 10/s, latest state): see the 签收 live before moving on
    await waitFor(
      () =>
        board.boards.some(
          (m) => m.directiveId === id && m.recipients.some((r: any) => r.state === 'acknowledged'),
        ),
      5000,
      'board shows 签收',
    );

    const fa = await officerA.api.post(`/api/v1/directives/${id}/feedback`, { text: '已转移 35 人' });
    expect(fa.status).toBe(200);
    expect(fa.body.directiveStatus).toBe('issued');
    const fb = await officerB.api.post(`/api/v1/directives/${id}/feedback`, { text: '无险情' });
    expect(fb.body.directiveStatus).toBe('closed');

    const final = (await dispatcher.api.get(`/api/v1/directives/${id}`)).body;
    expect(final.status).toBe('closed');
    expect(final.closedAt).toEqual(expect.any(String));
    const ra = final.recipients.find((r: any) => r.siteId === townA);
    expect(ra).toMatchObject({
      state: 'completed',
      acknowledgedBy: officerA.id,
      acknowledgedVia: 'console',
      feedback: '已转移 35 人',
      overdue: false,
      escalationLevel: 0,
    });
    expect(ra.deliveredAt <= ra.acknowledgedAt && ra.acknowledgedAt <= ra.completedAt).toBe(true);

    // the board saw the states change live, coalesced
    await waitFor(
      () => board.boards.some((m) => m.directiveId === id && m.status === 'closed'),
      5000,
      'board closed',
    );
    expect(board.boards.flatMap((m) => m.recipients.map((r: any) => r.state))).toEqual(
      expect.arrayContaining(['delivered', 'acknowledged', 'completed']),
    );

    const actions = (await auditFor(id)).map((e) => e.action);
    expect(actions.filter((x) => x === 'directive.issue')).toHaveLength(1);
    expect(actions.filter((x) => x === 'directive.delivered')).toHaveLength(2);
    expect(actions.filter((x) => x === 'directive.ack')).toHaveLength(2);
    expect(actions.filter((x) => x === 'directive.feedback')).toHaveLength(2);
    expect(actions.filter((x) => x === 'directive.close')).toHaveLength(1);
    expect((await admin.get('/api/v1/audit/verify')).body.ok).toBe(true);

    const listed = await dispatcher.api.get('/api/v1/directives?state=closed');
    expect(listed.body.map((d: any) => d.id)).toContain(id);
    const none = await dispatcher.api.get('/api/v1/directives?state=cancelled');
    expect(none.body.map((d: any) => d.id)).not.toContain(id);
  });

  it('records a repeated 签收 once: double clicks, two officers, socket and REST', async () => {
    const a1 = await open(officerA.token, { receipt: false });
    const a2 = await open(officerA2.token, { receipt: false });
    const id = (await issue({ title: '重复签收', body: 'x', level: 'blue', targets: { siteIds: [townA] } }))
      .body.id;
    await waitFor(
      () => a1.directives.some((d) => d.id === id) && a2.directives.some((d) => d.id === id),
      10_000,
      'both consoles',
    );
    const results = await Promise.all([a1.ack(id), a1.ack(id), a2.ack(id), a2.ack(id), a1.ack(id)]);
    expect(results).toEqual(Array(5).fill({ ok: true }));
    const rest = await officerA.api.post(`/api/v1/directives/${id}/ack`, {});
    expect(rest.body).toMatchObject({ state: 'acknowledged', duplicate: true });
    const acks = (await auditFor(id)).filter((e) => e.action === 'directive.ack');
    expect(acks).toHaveLength(1);
    const d = (await dispatcher.api.get(`/api/v1/directives/${id}`)).body;
    expect([officerA.id, officerA2.id]).toContain(d.recipients[0].acknowledgedBy);
  });

  it('keeps sites apart: no directive for another site, no ack for it, no read of it', async () => {
    const b = await open(officerB.token);
    const a = await open(officerA.token);
    const id = (
      await issue({ title: '仅城关镇', body: 'only A', level: 'yellow', targets: { siteIds: [townA] } })
    ).body.id;
    await waitFor(() => a.directives.some((d) => d.id === id), 10_000, 'A got it');
    await sleep(300);
    expect(b.directives.some((d) => d.id === id)).toBe(false);
    const wrong = await b.ack(id);
    expect(wrong.ok).toBe(false);
    expect(wrong.error).toMatch(/not addressed to site/);
    expect((await officerB.api.post(`/api/v1/directives/${id}/ack`, {})).status).toBe(403);
    expect((await officerB.api.get(`/api/v1/directives/${id}`)).status).toBe(403);
    // a duty officer cannot act on behalf of another site
    expect(
      (await officerB.api.post(`/api/v1/directives/${id}/ack`, { siteId: townA, note: 'x' })).status,
    ).toBe(403);
    // ... a dispatcher can, with a note, recorded as on_behalf
    const noNote = await dispatcher.api.post(`/api/v1/directives/${id}/ack`, { siteId: townA });
    expect(noNote.status).toBe(400);
    const behalf = await dispatcher.api.post(`/api/v1/directives/${id}/ack`, {
      siteId: townA,
      note: '电话确认 值班员张三',
    });
    expect(behalf.status).toBe(200);
    const d = (await dispatcher.api.get(`/api/v1/directives/${id}`)).body;
    expect(d.recipients[0]).toMatchObject({
      state: 'acknowledged',
      acknowledgedVia: 'on_behalf',
      acknowledgedBy: dispatcher.id,
    });
    // the duty officer sees only their own site's part of a wider directive
    const wide = (
      await issue({ title: '两镇', body: 'A and B', level: 'blue', targets: { siteIds: [townA, townB] } })
    ).body.id;
    const seen = (await officerB.api.get(`/api/v1/directives/${wide}`)).body;
    expect(seen.recipients.map((r: any) => r.siteId)).toEqual([townB]);
  });

  it('rejects an ack for a cancelled directive with a reason, and tells the consoles', async () => {
    const c = await open(officerC.token);
    const id = (await issue({ title: '将取消', body: 'x', level: 'blue', targets: { siteIds: [townC] } }))
      .body.id;
    await waitFor(() => c.directives.some((d) => d.id === id), 10_000, 'C got it');
    const cancelled = await dispatcher.api.post(`/api/v1/directives/${id}/cancel`, { reason: '误发' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.messages.map((m: any) => m.kind)).toEqual(['issue', 'cancel']);
    await waitFor(() => c.cancellations.some((x) => x.directiveId === id), 10_000, 'cancel pushed');
    const res = await c.ack(id);
    expect(res).toEqual({ ok: false, error: expect.stringMatching(/cancelled/) });
    expect((await dispatcher.api.post(`/api/v1/directives/${id}/cancel`, {})).status).toBe(409);
    expect((await auditFor(id)).some((e) => e.action === 'directive.cancel')).toBe(true);
  });

  it('sends updates as new linked messages, never editing the original', async () => {
    const c = await open(officerC.token);
    const id = (
      await issue({ title: '原文', body: '原始内容', level: 'blue', targets: { siteIds: [townC] } })
    ).body.id;
    const up = await dispatcher.api.post(`/api/v1/directives/${id}/updates`, { text: '补充：17时前完成' });
    expect(up.status).toBe(201);
    expect(up.body.body).toBe('原始内容');
    expect(up.body.messages.map((m: any) => m.kind)).toEqual(['issue', 'update']);
    await waitFor(
      () => c.updates.some((u) => u.directiveId === id && u.text === '补充：17时前完成'),
      10_000,
      'update pushed',
    );
  });

  it('catches a reconnecting console up on everything its site has not acknowledged', async () => {
    const id = (
      await issue({ title: '断线期间', body: 'while offline', level: 'red', targets: { siteIds: [townC] } })
    ).body.id;
    await sleep(300);
    const c1 = await open(officerC.token);
    await waitFor(() => c1.directives.some((d) => d.id === id), 10_000, 'catch-up on first connect');
    c1.close();
    const c2 = await open(officerC.token);
    await waitFor(
      () => c2.directives.some((d) => d.id === id),
      10_000,
      'catch-up again (still unacknowledged)',
    );
    expect(await c2.ack(id)).toEqual({ ok: true });
    c2.close();
    const c3 = await open(officerC.token);
    await sleep(500);
    expect(c3.directives.some((d) => d.id === id)).toBe(false);
  });

  it('escalates a silent site: re-delivery, leader on duty and dispatcher, parent site; a late 签收 stops it', async () => {
    expect(
      (await dispatcher.api.request('PUT', `/api/v1/sites/${townB}/leader-on-duty`, { userId: officerA.id }))
        .status,
    ).toBe(400);
    const leaderB = await createUser(admin, 'leader-b', 'commander', townB);
    expect(
      (await dispatcher.api.request('PUT', `/api/v1/sites/${townB}/leader-on-duty`, { userId: leaderB.id }))
        .status,
    ).toBe(200);
    const silent = await open(officerB.token, { receipt: true });
    const leader = await open(leaderB.token);
    const desk = await open(dispatcher.token);
    const started = Date.now();
    const id = (
      await issue({
        title: '紧急叫应',
        body: 'answer!',
        level: 'red',
        targets: { siteIds: [townB] },
        ackWithinSeconds: 2,
      })
    ).body.id;
    await waitFor(
      () => silent.directives.some((d) => d.id === id && d.redelivery === 1),
      15_000,
      're-delivery',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    await waitFor(
      () => leader.escalations.some((e) => e.directiveId === id && e.step === 'notify_leader'),
      15_000,
      'leader notified',
    );
    await waitFor(
      () => desk.escalations.some((e) => e.directiveId === id && e.step === 'notify_leader'),
      15_000,
      'dispatcher notified',
    );
    await waitFor(
      () => desk.escalations.some((e) => e.directiveId === id && e.step === 'escalate_parent'),
      15_000,
      'parent site',
    );
    const esc = desk.escalations.find((e) => e.step === 'escalate_parent' && e.directiveId === id);
    expect(esc).toMatchObject({ siteId: townB, siteName: '河西乡', escalationLevel: 3, level: 'red' });
    const d = (await dispatcher.api.get(`/api/v1/directives/${id}`)).body;
    expect(d.recipients[0]).toMatchObject({ overdue: true, escalationLevel: 3, state: 'delivered' });
    expect(await silent.ack(id)).toEqual({ ok: true });
    await sleep(2500);
    const after = (await dispatcher.api.get(`/api/v1/directives/${id}`)).body.recipients[0];
    expect(after).toMatchObject({ state: 'acknowledged', overdue: true, escalationLevel: 3 });
    const steps = (await auditFor(id))
      .filter((e) => e.action === 'directive.escalate')
      .map((e) => e.data.step)
      .sort();
    expect(steps).toEqual(['escalate_parent', 'notify_leader', 'redeliver']);
  }, 60_000);

  it('reaches a site with its children and saved groups, and issues from a template', async () => {
    const sub = await issue({
      title: 't',
      body: 'b',
      level: 'blue',
      targets: { siteIds: [townA], includeChildren: true },
    });
    expect(sub.body.recipients.map((r: any) => r.siteId).sort()).toEqual([townA, villageA1].sort());
    const all = await issue({ title: 't', body: 'b', level: 'blue', targets: { all: true } });
    expect(all.body.recipients.map((r: any) => r.siteId).sort()).toEqual([townA, townB, townC].sort());
    const group = await dispatcher.api.post('/api/v1/site-groups', {
      name: '沿河乡镇',
      siteIds: [townB, townC],
    });
    expect(group.status).toBe(201);
    const byGroup = await issue({
      title: 't',
      body: 'b',
      level: 'blue',
      targets: { groupIds: [group.body.id] },
    });
    expect(byGroup.body.recipients.map((r: any) => r.siteId).sort()).toEqual([townB, townC].sort());
    const tpl = await dispatcher.api.post('/api/v1/directive-templates', {
      name: '每日汛情',
      title: '每日汛情报告',
      body: '请于 9 时前报告',
      level: 'yellow',
      ackWithinSeconds: 900,
      targets: { groupIds: [group.body.id] },
    });
    expect(tpl.status).toBe(201);
    const fromTpl = await dispatcher.api.post(`/api/v1/directive-templates/${tpl.body.id}/issue`, {
      drill: true,
    });
    expect(fromTpl.status).toBe(201);
    const d = (await dispatcher.api.get(`/api/v1/directives/${fromTpl.body.id}`)).body;
    expect(d).toMatchObject({ title: '每日汛情报告', level: 'yellow', ackWithinSeconds: 900, drill: true });
    expect((await dispatcher.api.get('/api/v1/site-groups')).body.map((g: any) => g.id)).toContain(
      group.body.id,
    );
    expect((await officerA.api.get('/api/v1/site-groups')).status).toBe(403);
  });

  describe('bad input', () => {
    const good = () => ({ title: '标题', body: '内容', level: 'red', targets: { siteIds: [townA] } });

    it.each([
      ['an empty body', { body: '   ' }, 'body'],
      ['a missing title', { title: undefined }, 'title'],
      ['an unknown level', { level: 'purple' }, 'level'],
      ['a deadline of 0', { ackWithinSeconds: 0 }, 'ackWithinSeconds'],
      ['a negative deadline', { ackWithinSeconds: -30 }, 'ackWithinSeconds'],
      ['a fractional deadline', { ackWithinSeconds: 1.5 }, 'ackWithinSeconds'],
      ['a body over 8 KB', { body: '警'.repeat(2800) }, 'body'],
      ['no targets', { targets: {} }, 'targets'],
      ['a malformed site id', { targets: { siteIds: ['nope'] } }, 'targets.siteIds.0'],
      ['an unknown field', { priority: 1 }, '(body)'],
    ])('answers %s with 400 naming the field', async (_what, patch, field) => {
      const res = await issue({ ...good(), ...patch });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain(field === '(body)' ? 'priority' : field);
    });

    it('names an unknown target site or group', async () => {
      const ghost = '00000000-0000-4000-8000-000000000000';
      const site = await issue({ ...good(), targets: { siteIds: [townA, ghost] } });
      expect(site.status).toBe(400);
      expect(site.body.message).toContain(`targets.siteIds.1: site ${ghost} does not exist`);
      const group = await issue({ ...good(), targets: { groupIds: [ghost] } });
      expect(group.status).toBe(400);
      expect(group.body.message).toContain('site group');
    });

    it('refuses feedback text over 8 KB and feedback before 签收', async () => {
      const id = (await issue(good())).body.id;
      const early = await officerA.api.post(`/api/v1/directives/${id}/feedback`, { text: 'done' });
      expect(early.status).toBe(409);
      expect(early.body.message).toMatch(/签收/);
      const big = await officerA.api.post(`/api/v1/directives/${id}/feedback`, { text: 'x'.repeat(8193) });
      expect(big.status).toBe(400);
      expect(big.body.message).toContain('text');
      expect((await officerA.api.post(`/api/v1/directives/not-a-uuid/ack`, {})).status).toBe(400);
      expect((await officerA.api.get(`/api/v1/directives/00000000-0000-4000-8000-000000000000`)).status).toBe(
        404,
      );
    });

    it('does not let a duty officer issue or cancel', async () => {
      expect((await officerA.api.post('/api/v1/directives', good())).status).toBe(403);
      const id = (await issue(good())).body.id;
      expect((await officerA.api.post(`/api/v1/directives/${id}/cancel`, {})).status).toBe(403);
    });

    it('stores HTML and script as text, returned verbatim as JSON', async () => {
      const title = '<script>alert("x")</script>';
      const body = '<img src=x onerror=alert(1)> & <b>粗体</b>';
      const a = await open(officerA.token);
      const res = await issue({ ...good(), title, body });
      expect(res.status).toBe(201);
      const raw = await fetch(`${hub.baseUrl}/api/v1/directives/${res.body.id}`, {
        headers: { authorization: `Bearer ${dispatcher.token}` },
      });
      expect(raw.headers.get('content-type')).toMatch(/application\/json/);
      expect(await raw.json()).toMatchObject({ title, body });
      await waitFor(() => a.directives.find((d) => d.id === res.body.id), 10_000, 'pushed');
      expect(a.directives.find((d) => d.id === res.body.id)).toMatchObject({ title, body });
    });

    it('answers bad socket events with {ok:false, error} and refuses a socket without a token', async () => {
      const a = await open(officerA.token);
      const missing = await a.call('directive.ack', {});
      expect(missing).toEqual({ ok: false, error: expect.stringContaining('directiveId') });
      expect((await a.call('directive.ack', 'garbage')).ok).toBe(false);
      expect((await a.call('directive.ack', { directiveId: 'x' })).ok).toBe(false);
      const ghost = await a.ack('00000000-0000-4000-8000-000000000000');
      expect(ghost).toEqual({ ok: false, error: expect.stringMatching(/not addressed/) });
      expect(
        (await a.call('directive.board.subscribe', { directiveId: '00000000-0000-4000-8000-000000000000' }))
          .ok,
      ).toBe(false);
      const anon = new TestConsole(hub.baseUrl, undefined);
      await expect(anon.connected()).rejects.toThrow(/token/);
      anon.close();
      const forged = new TestConsole(hub.baseUrl, 'not.a.jwt');
      await expect(forged.connected()).rejects.toThrow(/invalid or expired token/);
      forged.close();
    });
  });
});
