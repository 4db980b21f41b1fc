import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Aedes } from 'aedes';
import { WireSimulator } from './wire-simulator.js';

// The packet-level simulator against a real broker (a bare aedes): what a terminal must do
// on the wire, seen from the broker's side.
describe('WireSimulator', () => {
  let aedes: Aedes;
  let server: Server;
  let url: string;
  const seen: { topic: string; payload: string; retain: boolean; clientId?: string }[] = [];
  const connects: { clientId: string; username?: string; password?: string; clean: boolean }[] = [];

  beforeAll(async () => {
    aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        connects.push({
          clientId: client.id,
          username,
          password: password?.toString(),
          clean: (client as unknown as { clean: boolean }).clean,
        });
        done(null, password?.toString() === `secret-${client.id}`);
      },
    });
    aedes.on('publish', (packet, client) => {
      if (client)
        seen.push({
          topic: packet.topic,
          payload: packet.payload.toString(),
          retain: packet.retain,
          clientId: client.id,
        });
    });
    server = createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => aedes.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });

  const publish = (topic: string, payload: unknown) =>
    new Promise<void>((resolve, reject) =>
      aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: Buffer.from(JSON.stringify(payload)),
          qos: 1,
          retain: false,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  const until = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!check()) throw new Error(`timed out: ${what}`);
  };

  it('logs in as the protocol says, shows a message once, acks it, and answers a duplicate with its ack again', async () => {
    const terminals = [
      { id: 'tw1', secret: 'secret-tw1' },
      { id: 'tw2', secret: 'secret-tw2' },
    ];
    const sim = new WireSimulator({ url, terminals, acknowledge: true });
    await sim.start();
    expect(sim.connectedCount()).toBe(2);
    expect([...connects].sort((a, b) => a.clientId.localeCompare(b.clientId))).toEqual([
      { clientId: 'tw1', username: 'tw1', password: 'secret-tw1', clean: false },
      { clientId: 'tw2', username: 'tw2', password: 'secret-tw2', clean: false },
    ]);
    expect(
      seen
        .filter((s) => s.payload === 'online')
        .map((s) => [s.topic, s.retain])
        .sort(),
    ).toEqual([
      ['yihu/v1/terminals/tw1/status', true],
      ['yihu/v1/terminals/tw2/status', true],
    ]);

    const message = { messageId: 'm-1', directiveId: 'd-1', title: 't' };
    await publish('yihu/v1/terminals/tw1/directives', message);
    await publish('yihu/v1/terminals/tw1/directives', message); // a replay
    await publish('yihu/v1/terminals/tw1/directives', 'not json at all');
    const acks = () =>
      seen.filter((s) => s.topic === 'yihu/v1/terminals/tw1/acks').map((s) => JSON.parse(s.payload));
    await until(() => acks().length >= 3, 'three acks');
    await until(() => sim.rejected === 1, 'the bad message counted');
    expect(acks().map((a) => [a.messageId, a.state])).toEqual([
      ['m-1', 'received'],
      ['m-1', 'acknowledged'],
      ['m-1', 'acknowledged'],
    ]);
    expect(sim.arrivals).toEqual([
      expect.objectContaining({
        terminalId: 'tw1',
        messageId: 'm-1',
        directiveId: 'd-1',
        topic: 'directives',
      }),
    ]);
    expect(sim.shows.get('tw1/m-1')).toBe(1);
    // nothing went to the other terminal's topics
    expect(seen.some((s) => s.clientId === 'tw2' && s.topic.includes('/acks'))).toBe(false);

    await sim.stop();
    expect(
      seen
        .filter((s) => s.payload === 'offline')
        .map((s) => s.clientId)
        .sort(),
    ).toEqual(['tw1', 'tw2']);
    expect(() => sim.check()).not.toThrow();
  });

  it('fails to start, naming the terminal, when the broker refuses its login', async () => {
    const sim = new WireSimulator({ url, terminals: [{ id: 'tw3', secret: 'wrong' }], acknowledge: true });
    await expect(sim.start()).rejects.toThrow(/tw3: CONNACK return code [1-5]/);
    await sim.stop();
  });
});
