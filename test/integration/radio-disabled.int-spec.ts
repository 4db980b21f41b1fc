import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TalkgroupView } from '#contracts';
import { RadioAir } from '../../apps/sfu/src/radio/radio-air.js';
import { fetchMetrics } from '../support/hub-process.js';
import { RadioGatewayDouble } from '../support/radio-gateway.js';
import { startRadioHub, tone, type RadioHub } from '../support/radio-hub.js';
import { provision } from '../support/terminals.js';

/** SFU_ENABLED=false: talkgroups are still managed over REST, but no radio media is set up. */
describe('radio with the SFU off', () => {
  let hub: RadioHub;

  beforeAll(async () => {
    hub = await startRadioHub({ SFU_ENABLED: 'false' });
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
  });

  it('answers the REST, refuses media to a joining gateway, and says so to RadioAir', async () => {
    const g = await provision(hub.api, hub.rootSite, 'gw', 'radio');
    const res = await hub.api.post<TalkgroupView>('/api/v1/talkgroups', {
      name: '关闭',
      siteId: hub.rootSite,
      gatewayIds: [g.id],
    });
    expect(res.status).toBe(201);
    const gw = await new RadioGatewayDouble(hub.bus, g.id, hub.rootSite).start();
    await expect(gw.join(['PCMA'], 1500)).rejects.toThrow(/timed out/);
    await gw.stop();
    expect(await (await fetchMetrics(hub.api.baseUrl)).text()).toMatch(
      /yihu_radio_gateway_events_total\{outcome="refused_disabled"[^}]*\} 1/,
    );
    const air = hub.app.app.get(RadioAir);
    await expect(
      air.play(res.body.id, tone(100), { kind: 'system', id: 's', name: 's' }, { rank: 'directive' }),
    ).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('SFU_ENABLED=false') });
  });
});
