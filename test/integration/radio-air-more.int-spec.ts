import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TalkgroupView } from '#contracts';
import { alawFrames, goertzelPower, rmsDbfs, sine } from '#radio';
import { RadioAir } from '../../apps/sfu/src/radio/radio-air.js';
import { RadioFloorService } from '../../apps/sfu/src/radio/radio-floor.service.js';
import { sleep, waitFor } from '../support/async.js';
import { createSite } from '../support/directives.js';
import { RadioGatewayDouble } from '../support/radio-gateway.js';
import { startRadioHub, type RadioHub } from '../support/radio-hub.js';
import { provision } from '../support/terminals.js';

/**
 * RadioAir.play with frames still being made (a directive's speech during its alert tone):
 * silence keeps the gateways fed until they come, and a failure ends the transmission after
 * what was sent. Real hub (embedded), mediasoup, RTP over UDP to a gateway double.
 */
describe('RadioAir: the tone first, what follows when it is made', () => {
  let hub: RadioHub;
  let tg: string;
  let gw: RadioGatewayDouble;
  const talker = { kind: 'system', id: 'test-more', name: '测试' } as const;
  const head = alawFrames(sine(1000, 200));

  /** what the gateway heard of one transmission: its PCMA packets from its key on */
  const heard = (transmissionId: string): Int16Array => {
    const key = gw.cmdsOf('key').find((c) => c.transmissionId === transmissionId)!;
    const unkey = gw.cmdsOf('unkey').find((c) => c.transmissionId === transmissionId);
    const frames = gw.received.filter(
      (r) => r.at >= key.at && r.at <= (unkey?.at ?? Infinity) + 200 && r.payloadType === 8,
    ).length;
    return gw.pcm(key.at).pcm.subarray(0, frames * 160);
  };
  const power = (pcm: Int16Array, hz: number) => goertzelPower(pcm, hz, 8000);

  beforeAll(async () => {
    hub = await startRadioHub({ RADIO_HANG_MS: '200' });
    const town = await createSite(hub.api, '戊镇', 'township', hub.rootSite);
    const creds = await provision(hub.api, town, 'G', 'radio');
    tg = (
      await hub.api.post<TalkgroupView>('/api/v1/talkgroups', {
        name: '戊镇通话组',
        siteId: town,
        gatewayIds: [creds.id],
      })
    ).body.id;
    gw = await new RadioGatewayDouble(hub.bus, creds.id, town).start();
    await gw.join();
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await hub?.stop();
  });

  it('sends silence while the rest is made, then the rest, with no gap', async () => {
    let release!: (frames: Buffer[]) => void;
    const late = new Promise<Buffer[]>((resolve) => (release = resolve));
    const playing = hub.app.app.get(RadioAir).play(tg, head, talker, { rank: 'directive', more: () => late });
    // 400 ms late: the gateway keeps getting frames meanwhile (its audio-loss safety unkeys on a gap)
    await sleep(600);
    release(alawFrames(sine(700, 400)));
    const done = await playing;
    expect(done.complete).toBe(true);
    const audio = heard(done.transmissionId);
    const frames = audio.length / 160;
    // 10 tone frames, ~20 of silence, 20 of what followed
    expect(frames).toBeGreaterThanOrEqual(45);
    expect(power(audio.subarray(0, 1200), 1000)).toBeGreaterThan(0.05);
    expect(rmsDbfs(audio.subarray(12 * 160, 25 * 160))).toBeLessThan(-60);
    const end = audio.subarray((frames - 15) * 160, (frames - 5) * 160);
    expect(power(end, 700)).toBeGreaterThan(0.05);
    expect(power(end, 1000)).toBeLessThan(0.01);
  });

  it('ends the transmission after the tone when the rest fails, and frees the floor', async () => {
    await sleep(300);
    const failed = await hub.app.app.get(RadioAir).play(tg, head, talker, {
      rank: 'directive',
      more: () => Promise.reject(new Error('no speech')),
    });
    expect(failed.complete).toBe(false);
    await waitFor(
      () => gw.cmdsOf('unkey').find((c) => c.transmissionId === failed.transmissionId),
      5000,
      'unkeyed after the tone',
    );
    expect((await hub.app.app.get(RadioFloorService).floor(tg)).holder).toBeNull();
    expect(power(heard(failed.transmissionId).subarray(0, 1200), 1000)).toBeGreaterThan(0.05);
  });
});
