import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

type User = { id: string; api: Api; token: string };

async function sfuSocket(baseUrl: string, token: string): Promise<Socket> {
  const socket = io(`${baseUrl}/sfu`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

const call = (socket: Socket, event: string, body: unknown = {}): Promise<any> =>
  socket.timeout(15_000).emitWithAck(event, body);

/**
 * Consultations and their audit trail (issue #21: a consultation accepted any directiveId;
 * item 12: consultation create/join/end, roll calls, mute/remove were not audited).
 */
describe('consultations: linked directive checks and the audit trail', () => {
  let hub: HubProcess;
  let admin: Api;
  let commander: User;
  let countyCommander: User;
  let duty: User;
  let townA: string;
  let townB: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    hub = await startHub({ SFU_WORKERS: '1' });
    admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId;
    const county = await createSite(admin, '北县', 'command', rootId);
    townA = await createSite(admin, '南镇', 'township', rootId);
    townB = await createSite(admin, '北镇', 'township', county);
    commander = await createUser(admin, 'cmd-audit', 'commander', rootId);
    countyCommander = await createUser(admin, 'cmd-county', 'commander', county);
    duty = await createUser(admin, 'duty-audit', 'duty_officer', townA);
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await hub?.stop();
  });

  const issue = async (user: User, siteId: string) => {
    const res = await user.api.post('/api/v1/directives', {
      title: '会商指令',
      body: 'x',
      level: 'blue',
      targets: { siteIds: [siteId] },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it("refuses a directiveId that does not exist (404) or lies outside the creator's scope (403)", async () => {
    const outside = await issue(commander, townA);
    const missing = randomUUID();
    const unknown = await countyCommander.api.post('/api/v1/consultations', {
      title: '会商',
      siteIds: [townB],
      directiveId: missing,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe(`directiveId: directive ${missing} does not exist`);
    const foreign = await countyCommander.api.post('/api/v1/consultations', {
      title: '会商',
      siteIds: [townB],
      directiveId: outside,
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toBe(
      `directiveId: directive ${outside} is neither issued within nor addressed to your scope`,
    );
    const own = await issue(countyCommander, townB);
    const ok = await countyCommander.api.post('/api/v1/consultations', {
      title: '会商',
      siteIds: [townB],
      directiveId: own,
    });
    expect(ok.status).toBe(201);
    expect(ok.body.directiveId).toBe(own);
  });

  it('audits create, join, mute, roll call, recording, remove and end', async () => {
    const directiveId = await issue(commander, townA);
    const created = await commander.api.post('/api/v1/consultations', {
      title: '审计会商',
      siteIds: [townA],
      directiveId,
    });
    expect(created.status).toBe(201);
    const consultationId = created.body.id as string;
    const host = await sfuSocket(hub.baseUrl, commander.token);
    const guest = await sfuSocket(hub.baseUrl, duty.token);
    sockets.push(host, guest);
    expect((await call(host, 'sfu:join', { consultationId })).ok).toBe(true);
    const joined = await call(guest, 'sfu:join', { consultationId });
    expect(joined.ok).toBe(true);
    expect((await call(host, 'sfu:mute', { peerId: joined.peerId, kind: 'audio', muted: true })).ok).toBe(
      true,
    );
    const rollCall = await call(host, 'sfu:rollcall:start');
    expect(rollCall.ok).toBe(true);
    expect((await call(guest, 'sfu:rollcall:answer', { rollCallId: rollCall.rollCallId })).ok).toBe(true);
    expect((await call(host, 'sfu:rollcall:close', { rollCallId: rollCall.rollCallId })).ok).toBe(true);
    expect((await commander.api.post(`/api/v1/consultations/${consultationId}/recordings`)).status).toBe(201);
    expect((await commander.api.post(`/api/v1/consultations/${consultationId}/recordings/stop`)).status).toBe(
      200,
    );
    expect((await call(host, 'sfu:remove', { peerId: joined.peerId })).ok).toBe(true);
    expect((await commander.api.post(`/api/v1/consultations/${consultationId}/end`)).status).toBe(200);

    const entries = await waitFor(
      async (): Promise<any[] | null> => {
        const res = await admin.get('/api/v1/audit?limit=500');
        const mine = (res.body as any[]).filter((e) => e.subjectId === consultationId);
        return mine.some((e) => e.action === 'consultation.end') ? mine : null;
      },
      5000,
      'the audit entries',
    );
    const actions = entries!.sort((x, y) => x.seq - y.seq).map((e) => e.action);
    expect(actions).toEqual([
      'consultation.create',
      'consultation.join',
      'consultation.join',
      'consultation.mute',
      'consultation.rollcall.start',
      'consultation.rollcall.close',
      'consultation.recording.start',
      'consultation.recording.stop',
      'consultation.remove',
      'consultation.end',
    ]);
    const byAction = (a: string) => entries!.filter((e) => e.action === a);
    expect(byAction('consultation.create')[0].data).toMatchObject({ directiveId, siteIds: [townA] });
    expect(
      byAction('consultation.join')
        .map((e) => e.actorId)
        .sort(),
    ).toEqual([commander.id, duty.id].sort());
    expect(byAction('consultation.mute')[0]).toMatchObject({
      actorId: commander.id,
      data: { userId: duty.id, siteId: townA, kind: 'audio' },
    });
    expect(byAction('consultation.rollcall.close')[0].data).toMatchObject({ missing: [] });
    expect(byAction('consultation.remove')[0].data).toMatchObject({ userId: duty.id });
    const [started, stopped] = [
      byAction('consultation.recording.start')[0],
      byAction('consultation.recording.stop')[0],
    ];
    expect(started.actorId).toBe(commander.id);
    expect(stopped).toMatchObject({
      actorId: commander.id,
      data: { recordingId: started.data.recordingId, state: 'stopped' },
    });
    expect(byAction('consultation.end')[0].actorId).toBe(commander.id);
    expect((await admin.get('/api/v1/audit/verify')).body.ok).toBe(true);
  });
});
