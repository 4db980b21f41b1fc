import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Aedes } from 'aedes';
import { pino } from 'pino';
import { ACKS_SHARED, ExternalBroker } from '../../apps/mqtt-bridge/src/broker/external-broker.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/terminals.js';

/**
 * The bridge's link to an external broker, against a real broker (a bare aedes) whose
 * authorizer refuses the bridge's subscription to device acks: the link stays connected
 * but deaf to acks, and health must say so rather than "up".
 */
describe('ExternalBroker', () => {
  let server: Server | undefined;
  let aedes: Aedes | undefined;
  let link: ExternalBroker | undefined;

  afterEach(async () => {
    await link?.stop();
    await new Promise<void>((r) => (aedes ? aedes.close(() => r()) : r()));
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  async function brokerRefusing(filter: string | null): Promise<string> {
    aedes = await Aedes.createBroker({
      authorizeSubscribe: (_client, sub, done) => done(null, sub.topic === filter ? null : sub),
    });
    const port = await freePort();
    server = createServer(aedes.handle);
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    return `mqtt://127.0.0.1:${port}`;
  }

  const connect = (url: string) =>
    ExternalBroker.connect({
      url,
      clientId: 'yihu-bridge-test',
      username: 'yihu-bridge',
      logger: pino({ level: 'silent' }),
    });

  it('is down, naming the filter, when the broker refuses the acks subscription', async () => {
    link = connect(await brokerRefusing(ACKS_SHARED));
    await link.onDeviceMessage(() => undefined);
    // connected, and still down: the SUBACK refused the filter
    const health = (await waitFor(
      () => (link!.client.connected && link!.health().status === 'down' ? link!.health() : undefined),
      'health down while connected',
    ))!;
    expect(health.error).toContain('subscription refused');
    expect(health.error).toContain(ACKS_SHARED);
    expect(link.client.connected).toBe(true);
  });

  it('is up when every subscription is granted', async () => {
    link = connect(await brokerRefusing(null));
    await link.onDeviceMessage(() => undefined);
    await waitFor(() => link!.client.connected, 'connected');
    await new Promise((r) => setTimeout(r, 300)); // the SUBACK has come back
    expect(link.health()).toMatchObject({ status: 'up', driver: 'external' });
  });
});
