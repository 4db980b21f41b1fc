import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TerminalDirectiveMessage } from '#contracts';
import { TerminalChannel } from '#terminals';
import { sleep } from '../support/async.js';
import {
  deliveryJob,
  openDevice,
  startBridgeHarness,
  type BridgeHarness,
  type BrokerKind,
} from '../support/bridge-harness.js';
import { provision, TestDevice, topics, waitFor } from '../support/terminals.js';

/**
 * Issue 21, item 6: a device that says `online` before it subscribes (the protocol's
 * delivery guarantees allow replay on either) must still get what waited for it, promptly
 * (not 60+ s later through the resend sweep) and once. The device is a plain MQTT client
 * doing the packets in that order: CONNECT (clean: false), PUBLISH `online`, SUBSCRIBE.
 */
describe.each<BrokerKind>(['embedded', 'mosquitto'])('replay with the %s broker', (kind) => {
  let h: BridgeHarness;

  beforeAll(async () => {
    h = await startBridgeHarness(kind);
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  });

  /** a directive queued while the terminal is away (never connected, or gone) */
  async function queueDirective(): Promise<string> {
    const directiveId = randomUUID();
    await h.app.app.get(TerminalChannel).deliver(deliveryJob(h.siteId, directiveId), 'push');
    return directiveId;
  }

  /** acks `received` for each message, as the protocol's duty 2 asks */
  function acking(device: TestDevice): TerminalDirectiveMessage[] {
    device.client.on('message', (topic, payload) => {
      if (topic !== topics(device.creds.id).directives) return;
      const m = JSON.parse(payload.toString()) as TerminalDirectiveMessage;
      void device.ack(m.messageId, 'received').catch(() => undefined);
    });
    return device.received;
  }

  it('a device that says `online` and only then subscribes gets the waiting directive promptly, once', async () => {
    const creds = await provision(h.api, h.siteId, `online-first-${kind}`);
    const directiveId = await queueDirective();
    const device = await openDevice(h, creds);
    const got = acking(device);
    await device.client.publishAsync(topics(creds.id).status, 'online', { qos: 1, retain: true });
    // the bridge has heard `online` (and, before the fix, replayed into a session with no
    // subscription, marking the message `sent`)
    await sleep(1000);
    const subscribedAt = Date.now();
    await device.client.subscribeAsync(topics(creds.id).directives, { qos: 1 });
    // the resend sweep would send it again only after TERMINAL_RESEND_AFTER_SECONDS (60) + up to 10 s
    await waitFor(
      () => got.some((m) => m.directiveId === directiveId),
      'the waiting directive after SUBSCRIBE',
      kind === 'embedded' ? 3000 : 10_000,
    );
    const latency = Date.now() - subscribedAt;
    expect(latency).toBeLessThan(kind === 'embedded' ? 3000 : 10_000);
    // past an external broker's follow-up (5 s after the replay) and its sweep
    await sleep(kind === 'embedded' ? 2000 : 6000);
    expect(got.filter((m) => m.directiveId === directiveId)).toHaveLength(1);
    await device.end();
  });

  it('a device that subscribes first and then says `online` gets it once, with no follow-up copy', async () => {
    const creds = await provision(h.api, h.siteId, `subscribe-first-${kind}`);
    const directiveId = await queueDirective();
    const device = await openDevice(h, creds);
    const got = acking(device);
    await device.client.subscribeAsync(topics(creds.id).directives, { qos: 1 });
    await device.client.publishAsync(topics(creds.id).status, 'online', { qos: 1, retain: true });
    await waitFor(() => got.some((m) => m.directiveId === directiveId), 'the replay', 3000);
    await sleep(7000); // past the follow-up: what was confirmed `received` is not sent again
    expect(got.filter((m) => m.directiveId === directiveId)).toHaveLength(1);
    await device.end();
  });

  if (kind === 'embedded')
    it('a persistent session restored with its subscription gets the replay without a new SUBSCRIBE', async () => {
      const creds = await provision(h.api, h.siteId, 'restored-session');
      const first = await openDevice(h, creds);
      await first.client.subscribeAsync(topics(creds.id).directives, { qos: 1 });
      await first.end(); // the session and its subscription stay (clean: false)
      await sleep(300);
      const directiveId = await queueDirective();
      const again = await openDevice(h, creds);
      const got = acking(again);
      await again.client.publishAsync(topics(creds.id).status, 'online', { qos: 1, retain: true });
      await waitFor(() => got.some((m) => m.directiveId === directiveId), 'the replay', 3000);
      await sleep(1000);
      expect(got.filter((m) => m.directiveId === directiveId)).toHaveLength(1);
      await again.end();
    });
});
