import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TalkgroupView } from '#contracts';
import { DataSource } from 'typeorm';
import { sleep, waitFor } from '../support/async.js';
import { createSite } from '../support/directives.js';
import { RadioGatewayDouble } from '../support/radio-gateway.js';
import { onset, startRadioHub, tone, type RadioHub } from '../support/radio-hub.js';
import { provision, TestDevice } from '../support/terminals.js';

const HANG_MS = 300;

/** Patches between talkgroups, remote inhibit, a gateway going offline, membership changes. */
describe('radio server: patch, inhibit, offline, changes', () => {
  let hub: RadioHub;
  let town: string;
  let north: TalkgroupView;
  let south: TalkgroupView;
  let a: RadioGatewayDouble;
  let b: RadioGatewayDouble;
  let c: RadioGatewayDouble;
  let device: TestDevice | undefined;
  let credsA: { id: string; secret: string };

  beforeAll(async () => {
    hub = await startRadioHub({ RADIO_HANG_MS: String(HANG_MS) });
    town = await createSite(hub.api, '丙镇', 'township', hub.rootSite);
    credsA = await provision(hub.api, town, 'A', 'radio');
    const gB = await provision(hub.api, town, 'B', 'radio');
    const gC = await provision(hub.api, town, 'C', 'radio');
    const mk = async (name: string, gatewayIds: string[]) =>
      (await hub.api.post<TalkgroupView>('/api/v1/talkgroups', { name, siteId: town, gatewayIds })).body;
    north = await mk('北片', [credsA.id, gB.id]);
    south = await mk('南片', [gC.id]);
    a = await new RadioGatewayDouble(hub.bus, credsA.id, town).start();
    b = await new RadioGatewayDouble(hub.bus, gB.id, town).start();
    c = await new RadioGatewayDouble(hub.bus, gC.id, town).start();
    for (const g of [a, b, c]) await g.join();
  }, 120_000);

  afterAll(async () => {
    await device?.client.endAsync(true).catch(() => undefined);
    for (const g of [a, b, c]) await g?.stop();
    await hub?.stop();
  });

  it('relays the floor holder of a talkgroup into the one patched to it, and stops when unpatched', async () => {
    const p = await hub.api.post(`/api/v1/talkgroups/${north.id}/patch`, { with: south.id });
    expect(p.status).toBe(200);
    let t0 = performance.now();
    await a.state(true);
    await waitFor(() => c.cmdsOf('key').length > 0, 5000, 'C keyed through the patch');
    expect(c.cmdsOf('key')[0]!.talker).toEqual({ kind: 'gateway', name: 'A' });
    await a.sendFrames(tone(600));
    await a.state(false);
    await waitFor(() => onset(c, t0).onsetMs !== null, 3000, 'C heard A');
    await waitFor(() => c.cmdsOf('unkey').length > 0, 3000, 'C unkeyed');
    // the patched talkgroup recorded it as its own transmission
    const southTx = await hub.api.get(`/api/v1/talkgroups/${south.id}/transmissions`);
    expect(southTx.body[0]).toMatchObject({ talker: { kind: 'gateway', id: a.terminalId } });
    await sleep(HANG_MS + 200);
    expect((await hub.api.request('DELETE', `/api/v1/talkgroups/${north.id}/patch/${south.id}`)).status).toBe(
      200,
    );
    expect((await hub.api.request('DELETE', `/api/v1/talkgroups/${north.id}/patch/${south.id}`)).status).toBe(
      404,
    );
    const keys = c.cmdsOf('key').length;
    t0 = performance.now();
    await a.state(true);
    await a.sendFrames(tone(400));
    await a.state(false);
    await sleep(300);
    expect(c.cmdsOf('key').length).toBe(keys);
    expect(onset(c, t0).onsetMs).toBeNull();
    await sleep(HANG_MS + 200);
  });

  it('inhibits a gateway: told by command, not heard, its carrier ignored; released again', async () => {
    const res = await hub.api.post(`/api/v1/talkgroups/${north.id}/gateways/${a.terminalId}/inhibit`, {
      tx: true,
      rx: true,
    });
    expect(res.status).toBe(200);
    await waitFor(() => a.cmdsOf('inhibit').length > 0, 3000, 'inhibit command');
    expect(a.cmdsOf('inhibit')[0]).toMatchObject({ tx: true, rx: true });
    const keysOfB = b.cmdsOf('key').length;
    const t0 = performance.now();
    await a.state(true);
    await a.sendFrames(tone(400));
    await sleep(300);
    expect(b.cmdsOf('key').length).toBe(keysOfB);
    expect(onset(b, t0).onsetMs).toBeNull();
    await a.state(false);
    // rx: B talks, A is neither keyed nor sent audio
    const keysOfA = a.cmdsOf('key').length;
    const t1 = performance.now();
    await b.state(true);
    await b.sendFrames(tone(400));
    await b.state(false);
    await sleep(300);
    expect(a.cmdsOf('key').length).toBe(keysOfA);
    expect(a.received.filter((r) => r.at >= t1)).toEqual([]);
    await sleep(HANG_MS + 200);
    await hub.api.post(`/api/v1/talkgroups/${north.id}/gateways/${a.terminalId}/inhibit`, {
      tx: false,
      rx: false,
    });
    const t2 = performance.now();
    await a.state(true);
    await waitFor(() => b.cmdsOf('key').length > keysOfB, 3000, 'A on air again');
    await a.sendFrames(tone(400));
    await a.state(false);
    await waitFor(() => onset(b, t2).onsetMs !== null, 3000, 'B hears A again');
    const bad = await hub.api.post(`/api/v1/talkgroups/${north.id}/gateways/not-a-terminal/inhibit`, {
      tx: true,
      rx: false,
    });
    expect(bad.status).toBe(400);
    const rows = (await hub.app.app
      .get(DataSource)
      .query(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY seq`, [north.id])) as {
      action: string;
    }[];
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'radio.talkgroup.create',
        'radio.talkgroup.patch',
        'radio.gateway.inhibit',
        'radio.transmission',
      ]),
    );
    await sleep(HANG_MS + 200);
  });

  it('closes the leg and frees the floor of a gateway that goes offline', async () => {
    device = await TestDevice.connect(hub.mqttUrl, credsA);
    await waitFor(
      async () =>
        (await hub.api.get(`/api/v1/talkgroups/${north.id}`)).body.gateways[0]?.online !== undefined,
      5000,
      'view',
    );
    await a.join();
    await a.state(true);
    await waitFor(
      async () =>
        (await hub.api.get(`/api/v1/talkgroups/${north.id}`)).body.floor?.talker.id === a.terminalId,
      5000,
      'A holds',
    );
    // a broken connection: the broker publishes the Will, the bridge marks it offline
    device.client.stream.destroy();
    await waitFor(
      async () => (await hub.api.get(`/api/v1/talkgroups/${north.id}`)).body.floor === null,
      15_000,
      'floor freed',
    );
    const unkey = b.cmdsOf('unkey').at(-1);
    expect(unkey?.reason).toBe('ended');
    // its leg is gone: B talking reaches nobody at A's old port
    const t0 = performance.now();
    await b.state(true);
    await b.sendFrames(tone(300));
    await b.state(false);
    await sleep(300);
    expect(a.received.filter((r) => r.at >= t0)).toEqual([]);
    await sleep(HANG_MS + 200);
  });

  it('drops the leg of a gateway removed from its talkgroup, and refuses a second talkgroup for one gateway', async () => {
    const moved = await hub.api.request('PATCH', `/api/v1/talkgroups/${north.id}`, {
      gatewayIds: [b.terminalId],
    });
    expect(moved.status).toBe(200);
    expect(moved.body.gatewayIds).toEqual([b.terminalId]);
    const taken = await hub.api.request('PATCH', `/api/v1/talkgroups/${south.id}`, {
      gatewayIds: [b.terminalId],
    });
    expect(taken.status).toBe(409);
    expect(taken.body.fields).toEqual([{ path: 'gatewayIds', message: 'in_other_talkgroup' }]);
    expect((await hub.api.request('DELETE', `/api/v1/talkgroups/${south.id}`)).status).toBe(204);
    expect((await hub.api.get(`/api/v1/talkgroups/${south.id}`)).status).toBe(404);
    // its recordings stay reachable as evidence
    const list = await hub.api.get('/api/v1/talkgroups');
    expect(list.body.map((t: TalkgroupView) => t.id)).not.toContain(south.id);
  });
});
