import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { Api } from '../support/api.js';
import { waitFor } from '../support/async.js';
import { adminLogin, createSite, createUser, openConsole, type TestConsole } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

type User = { id: string; api: Api; token: string };
const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

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

/**
 * 视频会商 in a drill (issue 19): POST /consultations with a drillId is checked as every drill
 * item is (404 unknown or out of sight, 409 ended, 422 a site outside the drill), carries the
 * 演练 mark in its views and in the invitation a duty console gets, is audited, and is in the
 * drill's report.
 */
describe('consultations in a drill', () => {
  let hub: HubProcess;
  let admin: Api;
  let dispatcher: User;
  let east: User;
  let outsider: User;
  let towns: string[];
  let otherTown: string;
  const consoles: TestConsole[] = [];
  const sockets: Socket[] = [];

  const drill = async (siteIds: string[]) => {
    const res = await dispatcher.api.post('/api/v1/drills', {
      name: '会商演练',
      kind: 'tabletop',
      siteIds,
      startsAt: minutes(-1),
      endsAt: minutes(60),
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    hub = await startHub({ SFU_WORKERS: '1' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    const root = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    const county = await createSite(admin, '会商县', 'command', root);
    towns = [
      await createSite(admin, '上镇', 'township', county),
      await createSite(admin, '下镇', 'township', county),
      await createSite(admin, '中镇', 'township', county),
    ];
    const other = await createSite(admin, '外县', 'command', root);
    otherTown = await createSite(admin, '外镇', 'township', other);
    dispatcher = await createUser(admin, 'cd-dispatcher', 'dispatcher', county);
    east = await createUser(admin, 'cd-east', 'duty_officer', towns[0]!);
    outsider = await createUser(admin, 'cd-outsider', 'dispatcher', other);
  }, 240_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const c of consoles) c.close();
    await hub?.stop();
  });

  it('a consultation with a drillId is marked 演练 everywhere, audited, and in the drill report', async () => {
    const drillId = await drill([towns[0]!, towns[1]!]);
    const console = await openConsole(hub.baseUrl, east.token);
    consoles.push(console);
    const invitations: any[] = [];
    console.socket.on('consultation.invitation', (c: any) => invitations.push(c));

    const created = await dispatcher.api.post('/api/v1/consultations', {
      title: '演练会商',
      siteIds: [towns[0], towns[1]],
      drillId,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ drillId, drill: true, siteIds: [towns[0], towns[1]] });
    const id = created.body.id as string;
    const invitation = await waitFor(async () => invitations.find((c) => c.id === id), 10_000, 'invitation');
    expect(invitation).toMatchObject({ drillId, drill: true, title: '演练会商' });
    expect((await east.api.get(`/api/v1/consultations/${id}`)).body).toMatchObject({ drillId, drill: true });
    const listed = (await east.api.get('/api/v1/consultations')).body as any[];
    expect(listed.find((c) => c.id === id)).toMatchObject({ drillId, drill: true });

    // a real consultation beside it: unmarked, and not in the report
    const real = await dispatcher.api.post('/api/v1/consultations', {
      title: '实际会商',
      siteIds: [towns[0]],
    });
    expect(real.status).toBe(201);
    expect(real.body).toMatchObject({ drillId: null, drill: false });

    // 上镇 joins: the report counts it as the one site that came
    const guest = await sfuSocket(hub.baseUrl, east.token);
    sockets.push(guest);
    expect((await guest.timeout(15_000).emitWithAck('sfu:join', { consultationId: id })).ok).toBe(true);

    const report = await dispatcher.api.get(`/api/v1/drills/${drillId}/report`);
    expect(report.status).toBe(200);
    expect(report.body.consultations).toEqual([
      expect.objectContaining({ id, title: '演练会商', state: 'live', invited: 2, joined: 1 }),
    ]);
    const [up, down] = report.body.consultations[0].sites;
    expect(up).toMatchObject({ siteId: towns[0], joinSeconds: expect.any(Number) });
    expect(down).toMatchObject({ siteId: towns[1], joinedAt: null, joinSeconds: null });
    expect(report.body.sites.find((s: any) => s.siteId === towns[0]).consultations).toMatchObject({
      invited: 1,
      joined: 1,
    });

    const audit = (await admin.get(`/api/v1/audit?subjectId=${id}`)).body as any[];
    expect(audit.find((e) => e.action === 'consultation.create')).toMatchObject({
      actorId: dispatcher.id,
      data: { drillId, siteIds: [towns[0], towns[1]] },
    });
  }, 120_000);

  it('refuses a drillId the way every drill item does', async () => {
    const drillId = await drill([towns[0]!, towns[1]!]);
    const post = (who: User, body: Record<string, unknown>) =>
      who.api.post('/api/v1/consultations', { title: '演练会商', siteIds: [towns[0]], drillId, ...body });

    const missing = randomUUID();
    const unknown = await post(dispatcher, { drillId: missing });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe(`drill ${missing} does not exist`);
    // 中镇 is the dispatcher's but not the drill's
    const outside = await post(dispatcher, { siteIds: [towns[0], towns[2]] });
    expect(outside.status).toBe(422);
    expect(outside.body.message).toBe(`1 site(s) are not in the drill: ${towns[2]}`);
    // another county may not see the drill: naming its own township, it is told no more than
    // for a drill that does not exist (not 422 "not in the drill", which would confirm it)
    const hidden = await post(outsider, { siteIds: [otherTown] });
    expect(hidden.status).toBe(404);
    expect(hidden.body.message).toBe(`drill ${drillId} does not exist`);
    const foreign = await post(outsider, {});
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toMatch(/outside your scope/);
    expect((await post(dispatcher, { drillId: 'not-a-uuid' })).status).toBe(400);
    expect((await post(dispatcher, { drill: true })).status).toBe(400);

    expect((await dispatcher.api.post(`/api/v1/drills/${drillId}/end`, {})).status).toBe(200);
    const late = await post(dispatcher, {});
    expect(late.status).toBe(409);
    expect(late.body.message).toBe(`drill ${drillId} has ended`);

    // nothing refused was recorded
    expect((await dispatcher.api.get(`/api/v1/drills/${drillId}/report`)).body.consultations).toEqual([]);
  }, 60_000);
});
